using LossKit.Tests.Infrastructure;
using LossKit.Tests.References;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Regression;

/// <summary>
/// What every element-wise regression loss must satisfy, checked against its independent plain-loop reference:
/// each concrete test class supplies the loss (function and module) and the reference, and adds its hand-computed
/// cases and loss-specific properties.
/// </summary>
public abstract class ElementwiseLossContract
{
    protected abstract string Name { get; }

    /// <summary>The functional form under test.</summary>
    protected abstract Tensor Function(Tensor input, Tensor target, Reduction reduction);

    /// <summary>The module form under test, with the same options.</summary>
    protected abstract Loss<Tensor, Tensor, Tensor> Module(Reduction reduction);

    /// <summary>The independent reference: values (per element, or the reduced scalar) and d(reduced)/dx.</summary>
    protected abstract (double[] values, double[] grad) Reference(double[] x, double[] y, Reduction reduction);

    /// <summary>Errors spread over both regimes of piecewise losses.</summary>
    protected virtual double Scale => 2.0;

    public static TheoryData<Reduction> Reductions => new() { Reduction.None, Reduction.Mean, Reduction.Sum };

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Matches_the_plain_loop_reference_in_float64(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(11);
        var x = rng.Normal(60, Scale);
        var y = rng.Normal(60, Scale);
        var input = Rng.Tensor(x, [3, 4, 5], requiresGrad: true);
        var target = Rng.Tensor(y, [3, 4, 5]);
        var loss = Function(input, target, reduction);
        var (values, grad) = Reference(x, y, reduction);
        TensorAssert.Close(loss, values, reduction == Reduction.None ? [3, 4, 5] : []);
        loss.sum().backward();
        TensorAssert.Close(input.grad!, grad, [3, 4, 5], because: "(analytic gradient)");
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Float32_agrees_with_float64(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(12);
        var x = rng.Normal(40, Scale);
        var y = rng.Normal(40, Scale);
        var l64 = Function(Rng.Tensor(x, [8, 5]), Rng.Tensor(y, [8, 5]), reduction);
        // The float32 run sees the inputs rounded to float32; compare with the float64 loss of those rounded inputs.
        var x32 = x.Select(v => (double)(float)v).ToArray();
        var y32 = y.Select(v => (double)(float)v).ToArray();
        var l32 = Function(Rng.Tensor(x32, [8, 5], ScalarType.Float32), Rng.Tensor(y32, [8, 5], ScalarType.Float32), reduction);
        var reference = Function(Rng.Tensor(x32, [8, 5]), Rng.Tensor(y32, [8, 5]), reduction);
        l32.dtype.Should().Be(ScalarType.Float32);
        TensorAssert.Close(l32, TensorAssert.Values(reference), null, 1e-5, 1e-6);
        l64.dtype.Should().Be(ScalarType.Float64);
    }

    [Fact]
    public void Passes_gradcheck_in_float64()
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(13);
        // Keep errors away from the kinks (0 and the piece boundaries) where finite differences are not meaningful.
        var x = rng.Normal(12, Scale).Select(v => v + (v >= 0 ? 0.05 : -0.05)).ToArray();
        var input = Rng.Tensor(x, [3, 4], requiresGrad: true);
        var target = zeros(3, 4, ScalarType.Float64);
        foreach (var reduction in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
            GradCheck.gradcheck(t => Function(t, target, reduction), input).Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Module_equals_function(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(14);
        var input = Rng.Tensor(rng.Normal(20, Scale), [4, 5]);
        var target = Rng.Tensor(rng.Normal(20, Scale), [4, 5]);
        using var module = Module(reduction);
        module.reduction.Should().Be(reduction);
        var a = module.call(input, target);
        var b = Function(input, target, reduction);
        a.Equals(b).Should().BeTrue("the module only holds options and calls the function");
    }

    [Fact]
    public void Extreme_values_give_finite_losses_and_gradients()
    {
        using var scope = NewDisposeScope();
        var input = tensor(new float[] { 1e4f, -1e4f, 3e4f, -2e4f, 0f, 5f }, requires_grad: true);
        var target = tensor(new float[] { -1e4f, 1e4f, 0f, 0f, 1e4f, 5f });
        var loss = Function(input, target, Reduction.Mean);
        double.IsFinite(loss.ToDouble()).Should().BeTrue();
        loss.backward();
        TensorAssert.Values(input.grad!).Should().OnlyContain(v => double.IsFinite(v));
    }

    [Fact]
    public void Mean_of_an_empty_batch_is_zero_with_zero_gradient()
    {
        using var scope = NewDisposeScope();
        var input = zeros(new long[] { 0, 3 }, requires_grad: true);
        var loss = Function(input, zeros(0, 3), Reduction.Mean);
        loss.ToDouble().Should().Be(0, "LossKit defines the mean over nothing as 0 (PyTorch gives NaN)");
        Function(input, zeros(0, 3), Reduction.Sum).ToDouble().Should().Be(0);
        Function(input, zeros(0, 3), Reduction.None).shape.Should().Equal(0, 3);
    }

    [Fact]
    public void Rejects_a_shape_mismatch_instead_of_broadcasting()
    {
        using var scope = NewDisposeScope();
        var act = () => Function(zeros(8, 1), zeros(8), Reduction.Mean);
        act.Should().Throw<LossArgumentException>()
            .Where(e => e.Loss == Name && e.ParamName == "target")
            .WithMessage($"{Name}: input and target must have the same shape, got input [8, 1] and target [8]*squeeze*");
    }

    [Fact]
    public void Rejects_integer_input_and_mixed_dtypes()
    {
        using var scope = NewDisposeScope();
        var ints = () => Function(zeros(4, ScalarType.Int64), zeros(4), Reduction.Mean);
        ints.Should().Throw<LossArgumentException>().WithMessage($"{Name}: input must be a floating-point tensor*Int64*[4]*");
        var mixed = () => Function(zeros(4, ScalarType.Float64), zeros(4), Reduction.Mean);
        mixed.Should().Throw<LossArgumentException>().WithMessage($"{Name}: input is Float64 but target is Float32*");
    }

    [Fact]
    public void Rejects_disposed_tensors_and_batchmean()
    {
        var input = zeros(3);
        var target = zeros(3);
        input.Dispose();
        var disposed = () => Function(input, target, Reduction.Mean);
        disposed.Should().Throw<ObjectDisposedException>().WithMessage($"{Name}: input has been disposed*");
        var batchmean = () => Function(target, target, Reduction.BatchMean);
        batchmean.Should().Throw<LossArgumentException>().WithMessage($"{Name}: reduction BatchMean is only defined for KL divergence*");
        target.Dispose();
    }

    public static TheoryData<Reduction, KernelCapability> PathCases()
    {
        var data = new TheoryData<Reduction, KernelCapability>();
        foreach (var cap in Enum.GetValues<KernelCapability>().Where(c => c <= FusedKernels.DetectedCapability))
            foreach (var r in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
                data.Add(r, cap);
        return data;
    }

    [Theory]
    [MemberData(nameof(PathCases))]
    public void Fused_and_composed_paths_agree(Reduction reduction, KernelCapability capability)
    {
        using var scope = NewDisposeScope();
        using var pinned = FusedKernels.UseCapability(capability);
        var rng = new Rng(15);
        // Ordinary values plus extremes, over a length that is not a multiple of any vector width.
        var x = rng.Normal(1037, Scale).Concat(new[] { 1e4, -1e4, 0.0 }).ToArray();
        var y = rng.Normal(1040, Scale);
        foreach (var dtype in new[] { ScalarType.Float64, ScalarType.Float32 })
        {
            var (fused, fusedGrad) = Run(x, y, dtype, reduction, fused: true);
            var (composed, composedGrad) = Run(x, y, dtype, reduction, fused: false);
            var (rtol, atol) = dtype == ScalarType.Float64 ? (1e-10, 1e-12) : (1e-5, 1e-6);
            TensorAssert.Close(fused, composed, rtol, atol * 100, $"({dtype}, {capability}: loss)");
            TensorAssert.Close(fusedGrad, composedGrad, rtol, atol, $"({dtype}, {capability}: gradient)");
        }
    }

    private (double[] loss, double[] grad) Run(double[] x, double[] y, ScalarType dtype, Reduction reduction, bool fused)
    {
        using var scope = NewDisposeScope();
        using var path = fused ? null : FusedKernels.DisableOnThisThread();
        var input = Rng.Tensor(x, [x.Length], dtype, requiresGrad: true);
        var loss = Function(input, Rng.Tensor(y, [y.Length], dtype), reduction);
        // A non-uniform upstream gradient exercises the backward scaling, not just the hand-over of the saved gradient.
        var upstream = reduction == Reduction.None ? linspace(0.5, 1.5, x.Length, dtype) : full([], 0.75, dtype);
        loss.backward(upstream);
        return (TensorAssert.Values(loss), TensorAssert.Values(input.grad!));
    }

    [Fact]
    public void Composed_path_passes_gradcheck_and_supports_double_backward()
    {
        using var scope = NewDisposeScope();
        using var composed = FusedKernels.DisableOnThisThread();
        var rng = new Rng(16);
        var x = rng.Normal(8, Scale).Select(v => v + (v >= 0 ? 0.05 : -0.05)).ToArray();
        var input = Rng.Tensor(x, [8], requiresGrad: true);
        var target = zeros(8, ScalarType.Float64);
        GradCheck.gradcheck(t => Function(t, target, Reduction.Mean), input).Should().BeTrue();
        var loss = Function(input, target, Reduction.Sum);
        var g = autograd.grad([loss], [input], create_graph: true)[0]!;
        g.requires_grad.Should().BeTrue("the composed path is twice differentiable");
    }

    [Fact]
    public void Fused_path_refuses_double_backward_with_a_clear_message()
    {
        using var scope = NewDisposeScope();
        var input = Rng.Tensor(new Rng(17).Normal(8, Scale), [8], requiresGrad: true);
        var loss = Function(input, zeros(8, ScalarType.Float64), Reduction.Sum);
        var act = () => autograd.grad([loss], [input], create_graph: true);
        act.Should().Throw<TorchException>().WithMessage("*does not support double backward*FusedKernels*");
    }
}
