using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests.Tensors;

public class PointwiseTests
{
    [Fact]
    public void add_broadcasts_a_row_over_every_row()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        var b = tensor(new float[] { 10, 20, 30 });
        // (2,3) + (3): b is added to each row.
        (a + b).ShouldBe([2, 3], ScalarType.Float32, [11, 22, 33, 14, 25, 36]);
        (b + a).ShouldBe([2, 3], ScalarType.Float32, [11, 22, 33, 14, 25, 36]);
        // a + 2·b = [1+20, 2+40, 3+60, 4+20, 5+40, 6+60].
        a.add(b, 2).ShouldBeClose([21, 42, 63, 24, 45, 66]);
        // a - b and a - 0.5·b.
        (a - b).ShouldBeClose([-9, -18, -27, -6, -15, -24]);
        a.sub(b, 0.5).ShouldBeClose([-4, -8, -12, -1, -5, -9]);
    }

    [Fact]
    public void column_times_row_broadcasts_to_an_outer_product()
    {
        using var scope = NewDisposeScope();
        var col = tensor(new float[] { 1, 2 }, [2, 1]);
        var row = tensor(new float[] { 3, 4, 5 }, [1, 3]);
        // (2,1) * (1,3) -> (2,3) with out[i,j] = col[i] * row[j].
        (col * row).ShouldBe([2, 3], ScalarType.Float32, [3, 4, 5, 6, 8, 10]);
        // (2,1) / (1,3): out[i,j] = col[i] / row[j].
        (col / row).ShouldBeClose([1.0 / 3, 1.0 / 4, 1.0 / 5, 2.0 / 3, 2.0 / 4, 2.0 / 5]);
        // (2,1) - (1,3): out[i,j] = col[i] - row[j].
        (col - row).ShouldBeClose([-2, -3, -4, -1, -2, -3]);
    }

    [Fact]
    public void broadcasting_over_three_dimensions_matches_a_loop_reference()
    {
        using var scope = NewDisposeScope();
        // (2,1,3) + (4,1): result (2,4,3) with out[i,j,k] = a[i,0,k] + b[j,0].
        var av = new double[] { 1, 2, 3, 4, 5, 6 };
        var bv = new double[] { 10, 20, 30, 40 };
        var a = tensor(av, [2, 1, 3]);
        var b = tensor(bv, [4, 1]);
        var expected = new double[2 * 4 * 3];
        for (var i = 0; i < 2; i++)
            for (var j = 0; j < 4; j++)
                for (var k = 0; k < 3; k++)
                    expected[(i * 4 + j) * 3 + k] = av[i * 3 + k] + bv[j];
        (a + b).ShouldBe([2, 4, 3], ScalarType.Float64, expected);
    }

    [Fact]
    public void scalar_operators_work_on_either_side()
    {
        using var scope = NewDisposeScope();
        var t = tensor(new float[] { 1, 2, 4 });
        (t + 1).ShouldBeClose([2, 3, 5]);
        (1 + t).ShouldBeClose([2, 3, 5]);
        (t - 1).ShouldBeClose([0, 1, 3]);
        (1 - t).ShouldBeClose([0, -1, -3]);
        (t * 2).ShouldBeClose([2, 4, 8]);
        (2 * t).ShouldBeClose([2, 4, 8]);
        (t / 2).ShouldBeClose([0.5, 1, 2]);
        (2 / t).ShouldBeClose([2, 1, 0.5]);
        (-t).ShouldBeClose([-1, -2, -4]);
        (t % 3).ShouldBeClose([1, 2, 1]);
        t.add(1, 3).ShouldBeClose([4, 5, 7]);          // t + 3·1
        t.sub(1, 0.5).ShouldBeClose([0.5, 1.5, 3.5]);  // t - 0.5·1
        foreach (var r in new[] { t + 1, 1 - t, 2 / t, t * 0.5 })
            r.dtype.Should().Be(ScalarType.Float32);
    }

    [Fact]
    public void comparisons_return_bool_tensors()
    {
        using var scope = NewDisposeScope();
        var t = tensor(new float[] { 1, 2, 3 });
        var gt = t > 2;
        gt.dtype.Should().Be(ScalarType.Bool);
        gt.ToArray<bool>().Should().Equal(false, false, true);
        (t >= 2).ToArray<bool>().Should().Equal(false, true, true);
        (t < 2).ToArray<bool>().Should().Equal(true, false, false);
        (t <= 2).ToArray<bool>().Should().Equal(true, true, false);
        (t == 2).ToArray<bool>().Should().Equal(false, true, false);
        (t != 2).ToArray<bool>().Should().Equal(true, false, true);
        // Scalar on the left: 2 < t means t > 2, and so on.
        (2 < t).ToArray<bool>().Should().Equal(false, false, true);
        (2 > t).ToArray<bool>().Should().Equal(true, false, false);
        (2 <= t).ToArray<bool>().Should().Equal(false, true, true);
        (2 >= t).ToArray<bool>().Should().Equal(true, true, false);
        (2 == t).ToArray<bool>().Should().Equal(false, true, false);
        (2 != t).ToArray<bool>().Should().Equal(true, false, true);

        var u = tensor(new float[] { 3, 2, 1 });
        (t < u).ToArray<bool>().Should().Equal(true, false, false);
        (t <= u).ToArray<bool>().Should().Equal(true, true, false);
        (t > u).ToArray<bool>().Should().Equal(false, false, true);
        (t >= u).ToArray<bool>().Should().Equal(false, true, true);
        (t == u).ToArray<bool>().Should().Equal(false, true, false);
        (t != u).ToArray<bool>().Should().Equal(true, false, true);

        // Broadcast comparison: (2,1) > (3) -> (2,3).
        var c = tensor(new float[] { 1, 3 }, [2, 1]) > tensor(new float[] { 0, 2, 4 });
        c.shape.Should().Equal(2, 3);
        c.ToArray<bool>().Should().Equal(true, false, false, true, true, false);
    }

    [Fact]
    public void comparison_operators_refuse_null_instead_of_comparing_references()
    {
        using var scope = NewDisposeScope();
        var t = tensor(new float[] { 1 });
        Tensor? nothing = null;
        var act = () => t == nothing!;
        act.Should().Throw<ArgumentNullException>().WithMessage("*is null*");
        (nothing is null).Should().BeTrue();
    }

    [Fact]
    public void integer_tensors_stay_integral_with_integer_scalars_and_promote_with_floating_ones()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new long[] { 1, 2, 3 });

        (x + 1).dtype.Should().Be(ScalarType.Int64);
        (x + 1).ToArray<long>().Should().Equal(2L, 3L, 4L);
        (x * 2).ToArray<long>().Should().Equal(2L, 4L, 6L);
        (1 - x).ToArray<long>().Should().Equal(0L, -1L, -2L);
        (x % 2).ToArray<long>().Should().Equal(1L, 0L, 1L);

        // A floating scalar promotes to the default float dtype, not to float64.
        (x + 0.5).ShouldBe([3], ScalarType.Float32, [1.5, 2.5, 3.5]);
        (1.5 - x).ShouldBe([3], ScalarType.Float32, [0.5, -0.5, -1.5]);
        (x * 0.5f).ShouldBe([3], ScalarType.Float32, [0.5, 1, 1.5]);

        // Division is true division even between integers.
        (x / 2).ShouldBe([3], ScalarType.Float32, [0.5, 1, 1.5]);
        (2 / x).ShouldBe([3], ScalarType.Float32, [2, 1, 2.0 / 3]);
        (x / tensor(new long[] { 2, 4, 6 })).ShouldBe([3], ScalarType.Float32, [0.5, 0.5, 0.5]);

        (x == 2).dtype.Should().Be(ScalarType.Bool);
    }

    [Fact]
    public void tensor_tensor_type_promotion_follows_pytorch()
    {
        using var scope = NewDisposeScope();
        var f32 = tensor(new float[] { 1, 2 });
        var f64 = tensor(new double[] { 1, 2 });
        var i32 = tensor(new[] { 1, 2 });
        var i64 = tensor(new long[] { 1, 2 });

        (f32 + f64).dtype.Should().Be(ScalarType.Float64);
        (i32 + i64).dtype.Should().Be(ScalarType.Int64);
        (i64 + f32).dtype.Should().Be(ScalarType.Float32);
        (f64 + 1.5).dtype.Should().Be(ScalarType.Float64);
        (f32 + 1.5).dtype.Should().Be(ScalarType.Float32, "a double scalar does not promote a float32 tensor");

        // A 0-D tensor of the same category does not promote a tensor with dimensions ...
        (f32 + tensor(2.5)).ShouldBe([2], ScalarType.Float32, [3.5, 4.5]);
        // ... but one of a higher category does, keeping its own dtype.
        (i64 + tensor(2.5)).ShouldBe([2], ScalarType.Float64, [3.5, 4.5]);
    }

    [Fact]
    public void float64_keeps_precision_that_float32_loses()
    {
        using var scope = NewDisposeScope();
        // 1 + 1e-10: representable in float64 (eps 2.2e-16), rounds to 1 in float32 (eps 1.2e-7).
        var d = tensor(new[] { 1e-10 }) + 1;
        d.item<double>().Should().Be(1 + 1e-10);
        var f = tensor(new[] { 1e-10f }) + 1;
        f.item<float>().Should().Be(1f);
    }

    [Theory]
    [InlineData(ScalarType.Float32, 2e-6)]
    [InlineData(ScalarType.Float64, 1e-14)]
    public void unary_functions_match_System_Math(ScalarType dtype, double tolerance)
    {
        using var scope = NewDisposeScope();
        double[] xs = [-3, -1.25, -0.5, 0, 0.5, 1.25, 3];
        var x = tensor(xs, dtype);
        void Check(Tensor actual, Func<double, double> f, string name)
        {
            actual.dtype.Should().Be(dtype, name);
            // References are computed from the values as stored in the tensor's dtype.
            var stored = x.Values();
            actual.ShouldBeClose(stored.Select(f).ToArray(), tolerance, name);
        }

        Check(x.neg(), v => -v, "neg");
        Check(x.abs(), Math.Abs, "abs");
        Check(x.sign(), v => Math.Sign(v), "sign");
        Check(x.exp(), Math.Exp, "exp");
        Check(x.expm1(), v => Math.Exp(v) - 1, "expm1");
        Check(x.sin(), Math.Sin, "sin");
        Check(x.cos(), Math.Cos, "cos");
        Check(x.tanh(), Math.Tanh, "tanh");
        Check(x.sigmoid(), v => 1 / (1 + Math.Exp(-v)), "sigmoid");
        Check(x.log_sigmoid(), v => -Math.Log(1 + Math.Exp(-v)), "log_sigmoid");
        Check(x.softplus(), v => Math.Log(1 + Math.Exp(v)), "softplus");
        Check(x.softplus(beta: 2), v => Math.Log(1 + Math.Exp(2 * v)) / 2, "softplus(beta 2)");
        Check(x.relu(), v => Math.Max(v, 0), "relu");
        Check(x.square(), v => v * v, "square");
        Check(x.floor(), Math.Floor, "floor");
        Check(x.ceil(), Math.Ceiling, "ceil");
        Check(x.pow(2), v => v * v, "pow 2");
        Check(x.pow(3), v => v * v * v, "pow 3");
        Check(exp(x), Math.Exp, "torch.exp");
        Check(tanh(x), Math.Tanh, "torch.tanh");
        Check(sigmoid(x), v => 1 / (1 + Math.Exp(-v)), "torch.sigmoid");
        Check(relu(x), v => Math.Max(v, 0), "torch.relu");

        double[] ps = [0.25, 0.5, 1, 2, 9];
        var p = tensor(ps, dtype);
        void CheckPositive(Tensor actual, Func<double, double> f, string name) =>
            actual.ShouldBeClose(ps.Select(f).ToArray(), tolerance, name);
        CheckPositive(p.log(), Math.Log, "log");
        CheckPositive(p.log1p(), v => Math.Log(1 + v), "log1p");
        CheckPositive(p.sqrt(), Math.Sqrt, "sqrt");
        CheckPositive(p.rsqrt(), v => 1 / Math.Sqrt(v), "rsqrt");
        CheckPositive(p.reciprocal(), v => 1 / v, "reciprocal");
        CheckPositive(p.pow(0.5), Math.Sqrt, "pow 0.5");
        CheckPositive(p.pow(-1), v => 1 / v, "pow -1");
        CheckPositive(log(p), Math.Log, "torch.log");
        CheckPositive(sqrt(p), Math.Sqrt, "torch.sqrt");
    }

    [Fact]
    public void functions_that_are_accurate_near_zero_stay_accurate()
    {
        using var scope = NewDisposeScope();
        // Taylor: log1p(x) = x - x²/2 + ..., expm1(x) = x + x²/2 + ...; at x = 1e-10 the x² term is 5e-21, which
        // log(1 + x) and exp(x) - 1 computed naively in float64 cannot see (1 + 1e-10 carries only ~6 digits of x).
        tensor(new[] { 1e-10 }).log1p().item<double>().Should().BeApproximately(1e-10 - 5e-21, 1e-25);
        tensor(new[] { 1e-10 }).expm1().item<double>().Should().BeApproximately(1e-10 + 5e-21, 1e-25);
        // log_sigmoid(-200) = -200 - log(1 + e^-200) ≈ -200; through sigmoid then log it would be log(1.4e-87) in
        // float64 (fine) but -inf in float32 (sigmoid underflows), so check float32.
        tensor(new[] { -200f }).log_sigmoid().item<float>().Should().BeApproximately(-200f, 1e-4f);
        // softplus switches to the identity above the threshold (20): softplus(30) = 30.
        tensor(new[] { 30.0 }).softplus().item<double>().Should().Be(30);
    }

    [Fact]
    public void round_breaks_ties_to_even()
    {
        using var scope = NewDisposeScope();
        tensor(new[] { -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.6 }).round().ShouldBeClose([-2, -2, 0, 0, 2, 2, 3]);
    }

    [Fact]
    public void ieee_special_values_propagate()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.0, -1.0, 1.0 });
        x.log().ShouldBeClose([double.NegativeInfinity, double.NaN, 0]);
        x.sqrt().ShouldBeClose([0, double.NaN, 1]);
        (1 / x).ShouldBeClose([double.PositiveInfinity, -1, 1]);

        var s = tensor(new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1.5 });
        s.isnan().ToArray<bool>().Should().Equal(true, false, false, false);
        s.isinf().ToArray<bool>().Should().Equal(false, true, true, false);
        s.isfinite().ToArray<bool>().Should().Equal(false, false, false, true);
        isnan(s).dtype.Should().Be(ScalarType.Bool);
        isinf(s).ToArray<bool>().Should().Equal(false, true, true, false);
        isfinite(s).ToArray<bool>().Should().Equal(false, false, false, true);
    }

    [Fact]
    public void pow_with_a_tensor_exponent_broadcasts()
    {
        using var scope = NewDisposeScope();
        var b = tensor(new double[] { 2, 3 }, [2, 1]);
        var e = tensor(new double[] { 0, 1, 2 });
        // out[i,j] = b[i] ^ e[j].
        b.pow(e).ShouldBe([2, 3], ScalarType.Float64, [1, 2, 4, 1, 3, 9]);
        pow(b, 2).ShouldBeClose([4, 9]);
        pow(b, e).shape.Should().Equal(2, 3);
    }

    [Fact]
    public void remainder_takes_the_sign_of_the_divisor()
    {
        using var scope = NewDisposeScope();
        // Python semantics: -7 % 3 = 2 (since -7 = -3·3 + 2), 7 % 3 = 1, -7.5 % 3 = 1.5, 7 % -3 = -2.
        (tensor(new[] { -7.0, 7.0, -7.5 }) % 3).ShouldBeClose([2, 1, 1.5]);
        (tensor(new long[] { 7 }) % -3).ToArray<long>().Should().Equal(-2L);
        tensor(new[] { 5.0, -5.0 }).remainder(tensor(new[] { 3.0, 3.0 })).ShouldBeClose([2, 1]);
        (tensor(new[] { 5.0, -5.0 }) % tensor(new[] { -3.0, -3.0 })).ShouldBeClose([-1, -2]);
    }

    [Fact]
    public void maximum_and_minimum_broadcast_and_propagate_nan()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new[] { 1.0, 5.0, double.NaN });
        var b = tensor(new[] { 3.0 });
        a.maximum(b).ShouldBeClose([3, 5, double.NaN]);
        minimum(a, b).ShouldBeClose([1, 3, double.NaN]);
        maximum(a, b).ShouldBeClose([3, 5, double.NaN]);
    }

    [Fact]
    public void clamp_with_scalars_and_with_tensors()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { -2.0, 0.5, 3.0 });
        x.clamp(0, 1).ShouldBeClose([0, 0.5, 1]);
        x.clamp(min: 0).ShouldBeClose([0, 0.5, 3]);
        x.clamp(max: 1).ShouldBeClose([-2, 0.5, 1]);
        x.clamp_min(0.75).ShouldBeClose([0.75, 0.75, 3]);
        x.clamp_max(-1).ShouldBeClose([-2, -1, -1]);
        x.clip(-1, 1).ShouldBeClose([-1, 0.5, 1]);
        clamp(x, -1, 2).ShouldBeClose([-1, 0.5, 2]);
        clamp_min(x, 0).ShouldBeClose([0, 0.5, 3]);
        clamp_max(x, 0).ShouldBeClose([-2, 0, 0]);

        // Element-wise bounds: lo = [-3, 1, 0], hi = [-1, 2, 2].
        var lo = tensor(new[] { -3.0, 1.0, 0.0 });
        var hi = tensor(new[] { -1.0, 2.0, 2.0 });
        x.clamp(lo, hi).ShouldBeClose([-2, 1, 2]);
        x.clamp(min: lo).ShouldBeClose([-2, 1, 3]);
        x.clamp(max: hi).ShouldBeClose([-2, 0.5, 2]);
    }

    [Fact]
    public void where_picks_by_condition_with_broadcasting()
    {
        using var scope = NewDisposeScope();
        var cond = tensor(new[] { true, false, true });
        var x = tensor(new[] { 1.0, 2.0, 3.0 });
        var y = tensor(new[] { -1.0 });
        where(cond, x, y).ShouldBeClose([1, -1, 3]);
        x.where(x > 1.5, zeros_like(x)).ShouldBeClose([0, 2, 3]);
    }

    [Fact]
    public void xlogy_is_zero_where_x_is_zero()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.0, 2.0, 3.0 });
        var y = tensor(new[] { 0.0, Math.E, 1.0 });
        // 0·log 0 := 0, 2·log e = 2, 3·log 1 = 0.
        xlogy(x, y).ShouldBeClose([0, 2, 0]);
        x.xlogy(y).ShouldBeClose([0, 2, 0]);
    }

    [Fact]
    public void matmul_covers_matrix_vector_and_batched_products()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        var b = tensor(new double[,] { { 7, 8 }, { 9, 10 }, { 11, 12 } });
        // [1·7+2·9+3·11, 1·8+2·10+3·12; 4·7+5·9+6·11, 4·8+5·10+6·12] = [58, 64; 139, 154].
        a.matmul(b).ShouldBe([2, 2], ScalarType.Float64, [58, 64, 139, 154]);
        a.mm(b).ShouldBeClose([58, 64, 139, 154]);
        matmul(a, b).ShouldBeClose([58, 64, 139, 154]);

        // Matrix times vector: [1+4+9, 4+10+18] with v = [1, 2, 3].
        var v = tensor(new double[] { 1, 2, 3 });
        a.matmul(v).ShouldBe([2], ScalarType.Float64, [14, 32]);
        // Vector times vector: dot product 1 + 4 + 9.
        v.matmul(v).ShouldBe([], ScalarType.Float64, [14]);

        // Batched (2, 2, 3) @ (3, 2): the matrix broadcasts over the batch; checked against loops.
        var batchValues = Enumerable.Range(0, 12).Select(i => (double)i - 5).ToArray();
        var batch = tensor(batchValues, [2, 2, 3]);
        var bv = new double[] { 7, 8, 9, 10, 11, 12 };
        var expected = new double[8];
        for (var n = 0; n < 2; n++)
            for (var i = 0; i < 2; i++)
                for (var j = 0; j < 2; j++)
                {
                    double s = 0;
                    for (var k = 0; k < 3; k++) s += batchValues[(n * 2 + i) * 3 + k] * bv[k * 2 + j];
                    expected[(n * 2 + i) * 2 + j] = s;
                }
        batch.matmul(b).ShouldBe([2, 2, 2], ScalarType.Float64, expected);
    }

    [Fact]
    public void logical_and_bitwise_operators_on_bool_tensors()
    {
        using var scope = NewDisposeScope();
        var p = tensor(new[] { true, true, false, false });
        var q = tensor(new[] { true, false, true, false });
        (p & q).ToArray<bool>().Should().Equal(true, false, false, false);
        (p | q).ToArray<bool>().Should().Equal(true, true, true, false);
        (p ^ q).ToArray<bool>().Should().Equal(false, true, true, false);
        (~p).ToArray<bool>().Should().Equal(false, false, true, true);
        p.logical_not().ToArray<bool>().Should().Equal(false, false, true, true);

        // Logical ops treat non-zero numbers as true and return bool.
        var a = tensor(new[] { 0.0, 2.0, -1.0, 0.0 });
        var b = tensor(new[] { 1.0, 0.0, 3.0, 0.0 });
        a.logical_and(b).ToArray<bool>().Should().Equal(false, false, true, false);
        a.logical_or(b).ToArray<bool>().Should().Equal(true, true, true, false);
        a.logical_xor(b).ToArray<bool>().Should().Equal(true, true, false, false);

        // Bitwise ops on integers: 12 = 1100b, 10 = 1010b.
        var i = tensor(new long[] { 12 });
        var j = tensor(new long[] { 10 });
        (i & j).ToArray<long>().Should().Equal(8L);    // 1000b
        (i | j).ToArray<long>().Should().Equal(14L);   // 1110b
        (i ^ j).ToArray<long>().Should().Equal(6L);    // 0110b
        (~i).ToArray<long>().Should().Equal(-13L);     // two's complement: ~x = -x - 1
    }

    [Fact]
    public void masked_fill_and_non_inplace_addcmul_addcdiv()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0, 3.0, 4.0 }, [2, 2]);
        var mask = tensor(new[] { true, false });           // broadcast over rows: column 0
        x.masked_fill(mask, -1).ShouldBeClose([-1, 2, -1, 4]);
        masked_fill(x, x > 2.5, 0).ShouldBeClose([1, 2, 0, 0]);
        x.ShouldBeClose([1, 2, 3, 4], what: "the input is unchanged");

        var t1 = tensor(new[] { 1.0, 2.0, 3.0, 4.0 }, [2, 2]);
        var t2 = tensor(new[] { 2.0, 4.0 });
        // x + 0.5·t1·t2 = [1+1, 2+4, 3+3, 4+8].
        x.addcmul(t1, t2, 0.5).ShouldBeClose([2, 6, 6, 12]);
        // x + 2·t1/t2 = [1+1, 2+1, 3+3, 4+2].
        x.addcdiv(t1, t2, 2).ShouldBeClose([2, 3, 6, 6]);
    }

    [Fact]
    public void allclose_equal_and_reference_equality()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new[] { 1.0, 2.0 });
        var b = tensor(new[] { 1.0 + 1e-9, 2.0 });
        var c = tensor(new[] { 1.1, 2.0 });
        a.allclose(b).Should().BeTrue();
        a.allclose(c).Should().BeFalse();
        allclose(a, c, atol: 0.2).Should().BeTrue();
        allclose(tensor(new[] { double.NaN }), tensor(new[] { double.NaN })).Should().BeFalse();
        allclose(tensor(new[] { double.NaN }), tensor(new[] { double.NaN }), equal_nan: true).Should().BeTrue();

        a.Equals(a.clone()).Should().BeTrue("Equals(Tensor) compares shape and values");
        equal(a, b).Should().BeFalse();
        equal(a, a.reshape(2, 1)).Should().BeFalse("shapes differ");
        a.Equals((object)a.clone()).Should().BeFalse("Equals(object) is reference identity");
        a.Equals((object)a).Should().BeTrue();
    }
}
