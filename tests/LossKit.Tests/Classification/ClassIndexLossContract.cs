using LossKit.Tests.Infrastructure;
using LossKit.Tests.References;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Classification;

/// <summary>
/// What every class-index loss (cross-entropy, NLL, label smoothing, focal) must satisfy, checked against its
/// independent plain-loop reference: values and gradients for every reduction with weights and ignore_index, gradcheck,
/// float32 against float64, module against function, extreme logits, LossKit's mean over nothing, extra dimensions,
/// int32 targets and the validation errors. Each concrete class supplies the loss and its reference, and adds its
/// hand-computed cases and loss-specific properties.
/// </summary>
public abstract class ClassIndexLossContract
{
    /// <summary>The number of classes of the contract's data.</summary>
    protected const int C = 5;

    protected abstract string Name { get; }

    /// <summary>The functional form under test (the options that are not arguments here are fixed by the subclass).</summary>
    protected abstract Tensor Function(Tensor input, Tensor target, Tensor? weight, long ignoreIndex, Reduction reduction);

    /// <summary>The module form under test, with the same options.</summary>
    protected abstract Loss<Tensor, Tensor, Tensor> Module(Tensor? weight, long ignoreIndex, Reduction reduction);

    /// <summary>The independent per-row reference.</summary>
    protected abstract ClassificationReference.Row[] Reference(double[][] x, long[] y, double[]? w, long ignoreIndex);

    public static TheoryData<Reduction> Reductions => new() { Reduction.None, Reduction.Mean, Reduction.Sum };

    /// <summary>plain, weighted, ignored rows, both, and ignore_index naming a real class.</summary>
    public static TheoryData<Reduction, string> ReductionsAndVariants
    {
        get
        {
            var data = new TheoryData<Reduction, string>();
            foreach (var r in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
                foreach (var v in new[] { "plain", "weight", "ignore", "weight+ignore", "ignore_index=2" })
                    data.Add(r, v);
            return data;
        }
    }

    protected static double[] Weights() => [0.5, 2.0, 1.25, 0.75, 3.0];

    /// <summary>Targets in [0, C) with every third position set to ignore_index.</summary>
    protected static long[] Targets(Rng rng, int count, long ignoreIndex, bool ignoreSome)
    {
        var y = rng.Integers(count, 0, C);
        if (ignoreSome)
            for (var i = 0; i < count; i += 3) y[i] = ignoreIndex;
        return y;
    }

    protected static Tensor Indices(long[] y, params long[] shape) => tensor(y, shape);

    private (long ignore, bool some, double[]? w) Variant(string variant) => variant switch
    {
        "plain" => (-100, false, null),
        "weight" => (-100, false, Weights()),
        "ignore" => (-100, true, null),
        "weight+ignore" => (-100, true, Weights()),
        "ignore_index=2" => (2, false, Weights()),
        _ => throw new ArgumentException(variant),
    };

    [Theory]
    [MemberData(nameof(ReductionsAndVariants))]
    public void Matches_the_plain_loop_reference_in_float64(Reduction reduction, string variant)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(21);
        var (ignore, some, w) = Variant(variant);
        const int n = 12;
        var x = rng.Normal(n * C, 2.0);
        var y = Targets(rng, n, ignore, some);
        if (ignore >= 0) y[5] = y[7] = ignore; // some rows of the real class 2 are skipped
        var input = Rng.Tensor(x, [n, C], requiresGrad: true);
        var loss = Function(input, Indices(y, n), w is null ? null : tensor(w), ignore, reduction);
        var (values, grad) = ClassificationReference.Reduce(Reference(ClassificationReference.ToRows(x, n, C), y, w, ignore), reduction);
        TensorAssert.Close(loss, values, reduction == Reduction.None ? [n] : []);
        loss.sum().backward();
        TensorAssert.Close(input.grad!, grad.SelectMany(g => g).ToArray(), [n, C], because: "(analytic gradient)");
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Extra_dimensions_match_the_reference_row_by_row(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(22);
        // (N, C, H, W) = (2, 5, 3, 2): 12 rows, the row of position (n, h, w) holding x[n, :, h, w].
        var x = rng.Normal(2 * C * 6, 2.0);
        var y = Targets(rng, 12, -100, ignoreSome: true);
        var w = Weights();
        var input = Rng.Tensor(x, [2, C, 3, 2], requiresGrad: true);
        var loss = Function(input, Indices(y, 2, 3, 2), tensor(w), -100, reduction);
        var (values, grad) = ClassificationReference.Reduce(Reference(ClassificationReference.ToRows(x, 2, C, 6), y, w, -100), reduction);
        TensorAssert.Close(loss, values, reduction == Reduction.None ? [2, 3, 2] : []);
        loss.sum().backward();
        TensorAssert.Close(input.grad!, ClassificationReference.FromRows(grad, 2, C, 6), [2, C, 3, 2], because: "(analytic gradient)");
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Spatial_input_equals_the_flattened_computation(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(23);
        var input = Rng.Tensor(rng.Normal(3 * C * 4 * 2, 2.0), [3, C, 4, 2], requiresGrad: true);
        var y = Targets(rng, 24, -100, ignoreSome: true);
        var target = Indices(y, 3, 4, 2);
        var weight = tensor(Weights());
        var spatial = Function(input, target, weight, -100, reduction);
        // The same rows as a (N·H·W, C) batch: move the class dimension last and flatten.
        var flatInput = input.detach().permute(0, 2, 3, 1).reshape(-1, C).contiguous();
        flatInput.requires_grad = true;
        var flat = Function(flatInput, target.reshape(-1), weight, -100, reduction);
        TensorAssert.Close(spatial, reduction == Reduction.None ? flat.reshape(3, 4, 2) : flat);
        spatial.sum().backward();
        flat.sum().backward();
        TensorAssert.Close(input.grad!, flatInput.grad!.reshape(3, 4, 2, C).permute(0, 3, 1, 2), because: "(gradient)");
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Single_sample_of_shape_C_with_a_scalar_target_equals_a_batch_of_one(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var x = Rng.Tensor(new Rng(24).Normal(C, 2.0), [C], requiresGrad: true);
        var weight = tensor(Weights());
        var single = Function(x, tensor(3L), weight, -100, reduction);
        single.shape.Should().BeEmpty();
        var batch = Function(x.detach().unsqueeze(0), tensor(new[] { 3L }), weight, -100, reduction);
        TensorAssert.Close(single, batch.reshape());
        single.backward();
        var expected = ClassificationReference.Reduce(Reference([x.detach().ToArray<double>()], [3], Weights(), -100), reduction).grad[0];
        TensorAssert.Close(x.grad!, expected, [C]);
    }

    [Fact]
    public void Passes_gradcheck_in_float64()
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(25);
        var input = Rng.Tensor(rng.Normal(4 * C, 1.5), [4, C], requiresGrad: true);
        var target = Indices([1, -100, 4, 0], 4);
        var weight = tensor(Weights());
        foreach (var reduction in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
        {
            GradCheck.gradcheck(t => Function(t, target, weight, -100, reduction), input).Should().BeTrue();
            GradCheck.gradcheck(t => Function(t, target, null, -100, reduction), input).Should().BeTrue();
        }
        var spatial = Rng.Tensor(rng.Normal(2 * C * 3, 1.5), [2, C, 3], requiresGrad: true);
        GradCheck.gradcheck(t => Function(t, Indices([0, 4, -100, 2, 2, 1], 2, 3), weight, -100, Reduction.Mean), spatial).Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Float32_agrees_with_float64(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(26);
        var x = rng.Normal(10 * C, 2.0).Select(v => (double)(float)v).ToArray();
        var y = Indices(Targets(rng, 10, -100, ignoreSome: true), 10);
        var w = Weights();
        var l32 = Function(Rng.Tensor(x, [10, C], ScalarType.Float32), y, tensor(w.Select(v => (float)v).ToArray()), -100, reduction);
        var l64 = Function(Rng.Tensor(x, [10, C]), y, tensor(w), -100, reduction);
        l32.dtype.Should().Be(ScalarType.Float32);
        l64.dtype.Should().Be(ScalarType.Float64);
        TensorAssert.Close(l32, TensorAssert.Values(l64), null, 1e-5, 1e-6);
    }

    [Fact]
    public void Float64_weights_are_used_in_the_dtype_of_float32_input()
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(27);
        var x = Rng.Tensor(rng.Normal(6 * C, 2.0), [6, C], ScalarType.Float32);
        var y = Indices(Targets(rng, 6, -100, ignoreSome: false), 6);
        var a = Function(x, y, tensor(Weights()), -100, Reduction.Mean);
        var b = Function(x, y, tensor(Weights().Select(v => (float)v).ToArray()), -100, Reduction.Mean);
        a.dtype.Should().Be(ScalarType.Float32);
        a.Equals(b).Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Module_equals_function(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(28);
        var input = Rng.Tensor(rng.Normal(8 * C, 2.0), [8, C]);
        var target = Indices(Targets(rng, 8, 1, ignoreSome: true), 8);
        var weight = tensor(Weights());
        using var module = Module(weight, 1, reduction);
        module.reduction.Should().Be(reduction);
        var a = module.call(input, target);
        var b = Function(input, target, weight, 1, reduction);
        a.Equals(b).Should().BeTrue("the module only holds options and calls the function");
    }

    [Fact]
    public void The_module_keeps_its_weights_when_the_caller_disposes_them()
    {
        using var scope = NewDisposeScope();
        var input = Rng.Tensor(new Rng(29).Normal(3 * C, 1.0), [3, C]);
        var target = Indices([0, 1, 4], 3);
        var weight = tensor(Weights());
        var expected = Function(input, target, weight, -100, Reduction.Mean);
        using var module = Module(weight, -100, Reduction.Mean);
        weight.Dispose();
        module.call(input, target).Equals(expected).Should().BeTrue();
    }

    [Fact]
    public void No_gradient_flows_into_the_weights()
    {
        using var scope = NewDisposeScope();
        var input = Rng.Tensor(new Rng(30).Normal(3 * C, 1.0), [3, C], requiresGrad: true);
        var weight = tensor(Weights(), requires_grad: true);
        Function(input, Indices([0, 1, 4], 3), weight, -100, Reduction.Mean).backward();
        input.grad.Should().NotBeNull();
        weight.grad.Should().BeNull();
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void Extreme_logits_give_finite_losses_and_gradients(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        // Rows that are certain and right (p = 1 exactly), certain and wrong (log p = -2e4), and mixed.
        var x = new double[]
        {
            1e4, -1e4, -1e4, -1e4, -1e4,
            1e4, -1e4, -1e4, -1e4, -1e4,
            -1e4, 1e4, 1e4, -1e4, 0,
            1e4, 1e4, 1e4, 1e4, 1e4,
            -1e4, -1e4, -1e4, -1e4, -1e4,
        };
        var target = Indices([0, 3, 1, 2, 4], 5);
        foreach (var reduction in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
            foreach (var weight in new[] { null, tensor(Weights()) })
            {
                var input = Rng.Tensor(x, [5, C], dtype, requiresGrad: true);
                var loss = Function(input, target, weight, -100, reduction);
                TensorAssert.Values(loss).Should().OnlyContain(v => double.IsFinite(v), $"{reduction}");
                loss.sum().backward();
                TensorAssert.Values(input.grad!).Should().OnlyContain(v => double.IsFinite(v), $"{reduction}");
            }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Mean_over_all_ignored_rows_is_zero_with_zero_gradient(bool weighted)
    {
        using var scope = NewDisposeScope();
        var input = Rng.Tensor(new Rng(31).Normal(4 * C, 2.0), [4, C], requiresGrad: true);
        var target = Indices([-100, -100, -100, -100], 4);
        var weight = weighted ? tensor(Weights()) : null;
        var mean = Function(input, target, weight, -100, Reduction.Mean);
        mean.ToDouble().Should().Be(0, "LossKit defines the mean over nothing as 0 (PyTorch gives NaN)");
        mean.backward();
        input.grad!.ToArray<double>().Should().OnlyContain(v => v == 0);
        Function(input, target, weight, -100, Reduction.Sum).ToDouble().Should().Be(0);
        Function(input, target, weight, -100, Reduction.None).ToArray<double>().Should().Equal(0, 0, 0, 0);
    }

    [Fact]
    public void Mean_is_zero_with_zero_gradient_when_every_counted_weight_is_zero()
    {
        using var scope = NewDisposeScope();
        var input = Rng.Tensor(new Rng(32).Normal(3 * C, 2.0), [3, C], requiresGrad: true);
        var weight = tensor(new[] { 0.0, 0.0, 1.0, 1.0, 1.0 });
        var mean = Function(input, Indices([0, 1, -100], 3), weight, -100, Reduction.Mean);
        mean.ToDouble().Should().Be(0);
        mean.backward();
        input.grad!.ToArray<double>().Should().OnlyContain(v => v == 0);
    }

    [Fact]
    public void Mean_of_an_empty_batch_is_zero_with_zero_gradient()
    {
        using var scope = NewDisposeScope();
        var input = zeros(new long[] { 0, C }, ScalarType.Float64, requires_grad: true);
        var target = zeros(new long[] { 0 }, ScalarType.Int64);
        var mean = Function(input, target, tensor(Weights()), -100, Reduction.Mean);
        mean.ToDouble().Should().Be(0);
        mean.backward();
        input.grad!.shape.Should().Equal(0, C);
        Function(input, target, null, -100, Reduction.Sum).ToDouble().Should().Be(0);
        Function(input, target, null, -100, Reduction.None).shape.Should().Equal(0);
        var spatial = zeros(new long[] { 0, C, 2, 2 }, ScalarType.Float32);
        Function(spatial, zeros(new long[] { 0, 2, 2 }, ScalarType.Int64), null, -100, Reduction.Mean).ToDouble().Should().Be(0);
        Function(spatial, zeros(new long[] { 0, 2, 2 }, ScalarType.Int64), null, -100, Reduction.None).shape.Should().Equal(0, 2, 2);
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Int32_targets_give_the_same_result_as_int64(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var input = Rng.Tensor(new Rng(33).Normal(4 * C, 2.0), [4, C]);
        var y64 = Indices([3, -100, 0, 4], 4);
        var y32 = tensor(new[] { 3, -100, 0, 4 });
        y32.dtype.Should().Be(ScalarType.Int32);
        Function(input, y32, tensor(Weights()), -100, reduction).Equals(Function(input, y64, tensor(Weights()), -100, reduction)).Should().BeTrue();
    }

    [Fact]
    public void NaN_logits_propagate_to_their_row()
    {
        using var scope = NewDisposeScope();
        var input = tensor(new double[] { 0, 1, 2, 3, 4, 0, 1, double.NaN, 3, 4 }, [2, C]);
        var rows = Function(input, Indices([2, 2], 2), null, -100, Reduction.None).ToArray<double>();
        double.IsFinite(rows[0]).Should().BeTrue();
        double.IsNaN(rows[1]).Should().BeTrue();
    }

    // ----- validation -------------------------------------------------------------------------------------------

    [Fact]
    public void Rejects_integer_input()
    {
        using var scope = NewDisposeScope();
        var act = () => Function(zeros(new long[] { 2, C }, ScalarType.Int64), Indices([0, 1], 2), null, -100, Reduction.Mean);
        act.Should().Throw<LossArgumentException>().Where(e => e.Loss == Name && e.ParamName == "input")
            .WithMessage($"{Name}: input must be a floating-point tensor*Int64*[2, {C}]*");
    }

    [Fact]
    public void Rejects_a_scalar_input()
    {
        using var scope = NewDisposeScope();
        var act = () => Function(tensor(1.0), tensor(0L), null, -100, Reduction.Mean);
        act.Should().Throw<LossArgumentException>().Where(e => e.ParamName == "input").WithMessage($"{Name}: input must have a class dimension*");
    }

    [Fact]
    public void Rejects_floating_class_indices()
    {
        using var scope = NewDisposeScope();
        var act = () => Function(zeros(3, C), tensor(new float[] { 0, 1, 2 }), null, -100, Reduction.Mean);
        act.Should().Throw<LossArgumentException>().Where(e => e.Loss == Name && e.ParamName == "target")
            .WithMessage($"{Name}: class-index target must be an integer tensor (int64), got Float32 with shape [3]*.to(ScalarType.Int64)*");
    }

    [Theory]
    [InlineData(5L, 2L)]
    [InlineData(-1L, 1L)]
    [InlineData(7L, 0L)]
    public void Rejects_a_class_index_outside_the_classes_that_is_not_ignore_index(long bad, long position)
    {
        using var scope = NewDisposeScope();
        var y = new long[] { 0, 1, 2 };
        y[position] = bad;
        var act = () => Function(zeros(3, C), Indices(y, 3), null, -100, Reduction.Mean);
        act.Should().Throw<LossArgumentOutOfRangeException>().Where(e => e.Loss == Name && e.ParamName == "target")
            .WithMessage($"{Name}: target contains class index {bad} at flat position {position}, outside [0, {C}) and not ignore_index (-100)*");
        // The default ignore_index is not a valid class either when ignore_index is changed.
        var changed = () => Function(zeros(3, C), Indices([0, -100, 1], 3), null, 4, Reduction.Mean);
        changed.Should().Throw<LossArgumentOutOfRangeException>().WithMessage("*class index -100 at flat position 1*not ignore_index (4)*");
    }

    [Fact]
    public void Rejects_a_target_of_the_wrong_shape()
    {
        using var scope = NewDisposeScope();
        var act = () => Function(zeros(4, C), Indices([0, 1, 2], 3), null, -100, Reduction.Mean);
        act.Should().Throw<LossArgumentException>().Where(e => e.ParamName == "target")
            .WithMessage($"{Name}: for input of shape [4, {C}] (N, C, ...) the class-index target must have shape [4], got [3].*");
        var spatial = () => Function(zeros(2, C, 3), Indices([0, 1], 2), null, -100, Reduction.Mean);
        spatial.Should().Throw<LossArgumentException>().WithMessage($"*target must have shape [2, 3], got [2]*");
    }

    [Fact]
    public void Rejects_bad_weights()
    {
        using var scope = NewDisposeScope();
        var input = zeros(2, C);
        var target = Indices([0, 1], 2);
        var length = () => Function(input, target, ones(C - 1), -100, Reduction.Mean);
        length.Should().Throw<LossArgumentException>().Where(e => e.Loss == Name && e.ParamName == "weight")
            .WithMessage($"{Name}: weight must be a 1-D tensor with one entry per class ({C}), got shape [{C - 1}]*");
        var integer = () => Function(input, target, ones(new long[] { C }, ScalarType.Int64), -100, Reduction.Mean);
        integer.Should().Throw<LossArgumentException>().Where(e => e.ParamName == "weight").WithMessage($"{Name}: weight must be a floating-point tensor*Int64*");
        var twoD = () => Function(input, target, ones(1, C), -100, Reduction.Mean);
        twoD.Should().Throw<LossArgumentException>().Where(e => e.ParamName == "weight");
        var moduleInteger = () => Module(ones(new long[] { C }, ScalarType.Int64), -100, Reduction.Mean);
        moduleInteger.Should().Throw<LossArgumentException>().Where(e => e.Loss == Name && e.ParamName == "weight");
        var moduleTwoD = () => Module(ones(2, C), -100, Reduction.Mean);
        moduleTwoD.Should().Throw<LossArgumentException>().WithMessage($"{Name}: weight must be a 1-D tensor*[2, {C}]*");
    }

    [Fact]
    public void Rejects_disposed_tensors_and_batchmean()
    {
        var input = zeros(2, C);
        var target = Indices([0, 1], 2);
        var weight = ones(C);
        weight.Dispose();
        var disposedWeight = () => Function(input, target, weight, -100, Reduction.Mean);
        disposedWeight.Should().Throw<ObjectDisposedException>().WithMessage($"{Name}: weight has been disposed*");
        target.Dispose();
        var disposedTarget = () => Function(input, target, null, -100, Reduction.Mean);
        disposedTarget.Should().Throw<ObjectDisposedException>().WithMessage($"{Name}: target has been disposed*");
        var batchmean = () => Function(input, Indices([0, 1], 2), null, -100, Reduction.BatchMean);
        batchmean.Should().Throw<LossArgumentException>().WithMessage($"{Name}: reduction BatchMean is only defined for KL divergence*");
        var moduleBatchmean = () => Module(null, -100, Reduction.BatchMean);
        moduleBatchmean.Should().Throw<LossArgumentException>().Where(e => e.ParamName == "reduction");
        input.Dispose();
        var disposedInput = () => Function(input, Indices([0, 1], 2), null, -100, Reduction.Mean);
        disposedInput.Should().Throw<ObjectDisposedException>().WithMessage($"{Name}: input has been disposed*");
    }
}
