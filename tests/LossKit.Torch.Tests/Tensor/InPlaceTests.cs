using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests.Tensors;

public class InPlaceTests
{
    private static Tensor V() => tensor(new[] { 1.0, 2.0, 4.0 });

    [Fact]
    public void add_and_sub_in_place_return_the_same_object_and_change_it()
    {
        using var scope = NewDisposeScope();
        var x = V();
        x.add_(tensor(new[] { 1.0, 1.0, 1.0 })).Should().BeSameAs(x);
        x.ShouldBeClose([2, 3, 5]);
        x.add_(tensor(new[] { 1.0, 2.0, 3.0 }), 2).Should().BeSameAs(x);   // + 2·[1, 2, 3]
        x.ShouldBeClose([4, 7, 11]);
        x.add_(0.5).Should().BeSameAs(x);
        x.ShouldBeClose([4.5, 7.5, 11.5]);
        x.add_(1, 3).Should().BeSameAs(x);                                   // + 3·1
        x.ShouldBeClose([7.5, 10.5, 14.5]);
        x.sub_(tensor(new[] { 0.5 })).Should().BeSameAs(x);                  // broadcast
        x.ShouldBeClose([7, 10, 14]);
        x.sub_(tensor(new[] { 1.0, 2.0, 3.0 }), 2).Should().BeSameAs(x);    // - 2·[1, 2, 3]
        x.ShouldBeClose([5, 6, 8]);
        x.sub_(5).Should().BeSameAs(x);
        x.ShouldBeClose([0, 1, 3]);
    }

    [Fact]
    public void mul_and_div_in_place_broadcast_the_argument()
    {
        using var scope = NewDisposeScope();
        var m = tensor(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        m.mul_(tensor(new double[] { 1, 10, 100 })).Should().BeSameAs(m);   // each row times [1, 10, 100]
        m.ShouldBeClose([1, 20, 300, 4, 50, 600]);
        m.div_(tensor(new double[] { 1, 2 }, [2, 1])).Should().BeSameAs(m); // row 1 halved
        m.ShouldBeClose([1, 20, 300, 2, 25, 300]);
        m.mul_(2).Should().BeSameAs(m);
        m.ShouldBeClose([2, 40, 600, 4, 50, 600]);
        m.div_(4).Should().BeSameAs(m);
        m.ShouldBeClose([0.5, 10, 150, 1, 12.5, 150]);
    }

    [Fact]
    public void addcmul_and_addcdiv_in_place()
    {
        using var scope = NewDisposeScope();
        var x = V();
        var t1 = tensor(new[] { 2.0, 3.0, 4.0 });
        var t2 = tensor(new[] { 4.0, 2.0, 1.0 });
        // x + 0.5·t1·t2 = [1 + 4, 2 + 3, 4 + 2].
        x.addcmul_(t1, t2, 0.5).Should().BeSameAs(x);
        x.ShouldBeClose([5, 5, 6]);
        // x + 2·t1/t2 = [5 + 1, 5 + 3, 6 + 8].
        x.addcdiv_(t1, t2, 2).Should().BeSameAs(x);
        x.ShouldBeClose([6, 8, 14]);
        // The default value is 1: + [0.5, 1.5, 4].
        x.addcdiv_(t1, t2).Should().BeSameAs(x);
        x.ShouldBeClose([6.5, 9.5, 18]);
    }

    [Fact]
    public void copy_zero_and_fill()
    {
        using var scope = NewDisposeScope();
        var x = zeros(2, 3);
        // copy_ broadcasts a row and converts float64 to float32.
        x.copy_(tensor(new[] { 0.1, 0.2, 0.3 })).Should().BeSameAs(x);
        x.dtype.Should().Be(ScalarType.Float32);
        x.ToArray<float>().Should().Equal(0.1f, 0.2f, 0.3f, 0.1f, 0.2f, 0.3f);
        x.fill_(7).Should().BeSameAs(x);
        x.ShouldBeClose([7, 7, 7, 7, 7, 7]);
        x.zero_().Should().BeSameAs(x);
        x.ShouldBeClose([0, 0, 0, 0, 0, 0]);

        var i = zeros(2, ScalarType.Int64);
        i.fill_(3).ToArray<long>().Should().Equal(3L, 3L);
        i.copy_(tensor(new[] { 1.9, -1.9 })).ToArray<long>().Should().Equal(1L, -1L);
    }

    [Fact]
    public void clamp_and_other_unary_updates_in_place()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { -2.0, 0.5, 3.0 });
        x.clamp_(-1, 1).Should().BeSameAs(x);
        x.ShouldBeClose([-1, 0.5, 1]);
        x.clamp_min_(0).Should().BeSameAs(x);
        x.ShouldBeClose([0, 0.5, 1]);
        x.clamp_max_(0.75).Should().BeSameAs(x);
        x.ShouldBeClose([0, 0.5, 0.75]);
        x.clamp_(max: 0.6).ShouldBeClose([0, 0.5, 0.6]);

        var y = tensor(new[] { 4.0, 9.0 });
        y.sqrt_().Should().BeSameAs(y);
        y.ShouldBeClose([2, 3]);
        y.neg_().Should().BeSameAs(y);
        y.ShouldBeClose([-2, -3]);
        y.maximum_(tensor(new[] { -2.5 })).Should().BeSameAs(y);
        y.ShouldBeClose([-2, -2.5]);
        y.masked_fill_(tensor(new[] { false, true }), 8).Should().BeSameAs(y);
        y.ShouldBeClose([-2, 8]);
    }

    [Fact]
    public void random_fills_in_place_respect_their_parameters()
    {
        using var scope = NewDisposeScope();
        var u = empty(10000, ScalarType.Float64);
        u.uniform_(-3, -1).Should().BeSameAs(u);
        var uv = u.ToArray<double>();
        uv.Should().OnlyContain(v => v >= -3 && v < -1);
        uv.Average().Should().BeApproximately(-2, 0.05);         // midpoint; s.e. (2/√12)/100 ≈ 0.006

        var n = empty(10000, ScalarType.Float64);
        n.normal_(5, 2).Should().BeSameAs(n);
        var nv = n.ToArray<double>();
        var mean = nv.Average();
        mean.Should().BeApproximately(5, 0.1);                    // s.e. 2/100 = 0.02
        Math.Sqrt(nv.Sum(v => (v - mean) * (v - mean)) / (nv.Length - 1)).Should().BeApproximately(2, 0.1);
    }

    [Fact]
    public void in_place_updates_of_a_view_write_through_to_its_base()
    {
        using var scope = NewDisposeScope();
        var m = zeros(2, 3);
        m[1].add_(1);
        m.t()[2].mul_(0).add_(5);                       // column 2 of m
        m.narrow(1, 0, 1).sub_(2);                      // column 0 of m
        m.ShouldBeClose([-2, 0, 5, -1, 1, 5]);
    }

    [Fact]
    public void in_place_updates_cannot_change_shape_or_dtype()
    {
        using var scope = NewDisposeScope();
        var i = tensor(new long[] { 1, 2 });
        var toFloat = () => i.add_(0.5);
        toFloat.Should().Throw<TorchException>().WithMessage("add_: result type Float can't be cast to the desired output type Long*");
        i.ToArray<long>().Should().Equal(1L, 2L);
        i.add_(1).ToArray<long>().Should().Equal(2L, 3L);   // an integral scalar is fine

        var small = zeros(3);
        var grow = () => small.add_(zeros(2, 3));
        grow.Should().Throw<TorchException>().WithMessage("add_:*");
        small.shape.Should().Equal(3);
    }

    [Fact]
    public void leaves_that_require_grad_can_only_be_updated_under_no_grad()
    {
        using var scope = NewDisposeScope();
        var w = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        var act = () => w.add_(1);
        act.Should().Throw<TorchException>().WithMessage("add_: a leaf Variable that requires grad is being used in an in-place operation*");
        w.ShouldBeClose([1, 2]);

        using (no_grad())
        {
            w.sub_(tensor(new[] { 0.5, 0.5 }), 2).Should().BeSameAs(w);
            w.mul_(3);
        }
        w.ShouldBeClose([0, 3]);
        w.requires_grad.Should().BeTrue();
        w.is_leaf.Should().BeTrue();
    }

    [Fact]
    public void in_place_ops_on_non_leaves_are_recorded_by_autograd()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        var y = x * 1;                 // a non-leaf copy
        y.mul_(x);                     // y = x²
        y.add_(x, 3);                  // y = x² + 3x
        y.sum().backward();
        x.grad!.ShouldBeClose([2 * 1 + 3, 2 * 2 + 3]);   // d/dx (x² + 3x) = 2x + 3
    }
}
