using LossKit.Tests.Infrastructure;
using LossKit.Tests.References;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Classification;

/// <summary>
/// What every element-wise binary / multi-label loss and KL divergence must satisfy, checked against its independent
/// plain-loop reference (<see cref="BinaryReference"/>): each concrete class supplies the loss with fixed options, valid
/// random inputs and targets, and the reference, and adds its hand-computed cases, weights and loss-specific properties.
/// </summary>
public abstract class BinaryLossContract
{
    protected abstract string Name { get; }

    /// <summary>The functional form under test (with the options of the concrete class).</summary>
    protected abstract Tensor Function(Tensor input, Tensor target, Reduction reduction);

    /// <summary>The module form under test, with the same options.</summary>
    protected abstract Loss<Tensor, Tensor, Tensor> Module(Reduction reduction);

    /// <summary>Valid inputs (probabilities, logits or log-probabilities), away from points where the loss has a kink.
    /// <paramref name="n"/> is a multiple of 5 and the last dimension has 5 elements.</summary>
    protected abstract double[] Inputs(Rng rng, int n);

    /// <summary>Valid targets.</summary>
    protected abstract double[] Targets(Rng rng, int n);

    /// <summary>The reference: per-element losses and their derivatives with respect to the input.</summary>
    protected abstract (double[] loss, double[] grad) Reference(double[] x, double[] y);

    public static TheoryData<Reduction> Reductions => new() { Reduction.None, Reduction.Mean, Reduction.Sum };

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Matches_the_plain_loop_reference_in_float64(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(21);
        var x = Inputs(rng, 60);
        var y = Targets(rng, 60);
        var input = Rng.Tensor(x, [3, 4, 5], requiresGrad: true);
        var loss = Function(input, Rng.Tensor(y, [3, 4, 5]), reduction);
        var (elements, derivative) = Reference(x, y);
        var (values, grad) = BinaryReference.Reduce(elements, derivative, reduction, batch: 3);
        TensorAssert.Close(loss, values, reduction == Reduction.None ? [3, 4, 5] : []);
        loss.sum().backward();
        TensorAssert.Close(input.grad!, grad, [3, 4, 5], because: "(analytic gradient)");
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Float32_agrees_with_float64(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(22);
        // The float32 run sees the inputs rounded to float32; compare with the float64 loss of those rounded inputs.
        var x = Inputs(rng, 40).Select(v => (double)(float)v).ToArray();
        var y = Targets(rng, 40).Select(v => (double)(float)v).ToArray();
        var x32 = Rng.Tensor(x, [8, 5], ScalarType.Float32, requiresGrad: true);
        var x64 = Rng.Tensor(x, [8, 5], requiresGrad: true);
        var l32 = Function(x32, Rng.Tensor(y, [8, 5], ScalarType.Float32), reduction);
        var l64 = Function(x64, Rng.Tensor(y, [8, 5]), reduction);
        l32.dtype.Should().Be(ScalarType.Float32);
        l64.dtype.Should().Be(ScalarType.Float64);
        TensorAssert.Close(l32, TensorAssert.Values(l64), null, 1e-5, 1e-6);
        l32.sum().backward();
        l64.sum().backward();
        TensorAssert.Close(x32.grad!, TensorAssert.Values(x64.grad!), null, 1e-5, 1e-6, "(gradients)");
    }

    [Fact]
    public void Passes_gradcheck_in_float64()
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(23);
        var input = Rng.Tensor(Inputs(rng, 10), [2, 5], requiresGrad: true);
        var target = Rng.Tensor(Targets(rng, 10), [2, 5]);
        foreach (var reduction in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
            GradCheck.gradcheck(t => Function(t, target, reduction), input).Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Module_equals_function(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(24);
        var input = Rng.Tensor(Inputs(rng, 20), [4, 5]);
        var target = Rng.Tensor(Targets(rng, 20), [4, 5]);
        using var module = Module(reduction);
        module.reduction.Should().Be(reduction);
        var a = module.call(input, target);
        var b = Function(input, target, reduction);
        a.Equals(b).Should().BeTrue("the module only holds options and calls the function");
    }

    [Fact]
    public void Mean_of_an_empty_batch_is_zero_with_zero_gradient()
    {
        using var scope = NewDisposeScope();
        var input = zeros(new long[] { 0, 3 }, ScalarType.Float64, requires_grad: true);
        var target = zeros(new long[] { 0, 3 }, ScalarType.Float64);
        var loss = Function(input, target, Reduction.Mean);
        loss.ToDouble().Should().Be(0, "LossKit defines the mean over nothing as 0 (PyTorch gives NaN)");
        loss.backward();
        input.grad!.shape.Should().Equal(0, 3);
        Function(input, target, Reduction.Sum).ToDouble().Should().Be(0);
        Function(input, target, Reduction.None).shape.Should().Equal(0, 3);
    }

    [Fact]
    public void Rejects_a_shape_mismatch_instead_of_broadcasting()
    {
        using var scope = NewDisposeScope();
        var act = () => Function(full(new long[] { 8, 1 }, 0.5), full(8, 0.5), Reduction.Mean);
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
        var intTarget = () => Function(zeros(4), zeros(4, ScalarType.Int64), Reduction.Mean);
        intTarget.Should().Throw<LossArgumentException>().WithMessage($"{Name}: target must be a floating-point tensor*Int64*");
        var mixed = () => Function(zeros(4, ScalarType.Float64), zeros(4), Reduction.Mean);
        mixed.Should().Throw<LossArgumentException>().WithMessage($"{Name}: input is Float64 but target is Float32*");
    }

    [Fact]
    public void Rejects_disposed_tensors()
    {
        var input = full(3, 0.5);
        var target = full(3, 0.5);
        input.Dispose();
        var disposed = () => Function(input, target, Reduction.Mean);
        disposed.Should().Throw<ObjectDisposedException>().WithMessage($"{Name}: input has been disposed*");
        var disposedTarget = () => Function(target, input, Reduction.Mean);
        disposedTarget.Should().Throw<ObjectDisposedException>().WithMessage($"{Name}: target has been disposed*");
        target.Dispose();
    }
}
