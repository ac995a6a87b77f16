using LossKit.Tests.Infrastructure;
using LossKit.Torch;
using static LossKit.Torch.torch;

namespace LossKit.Tests.Utilities;

/// <summary>GradCheck.gradcheck itself: it must accept correct gradients and catch wrong ones.</summary>
public sealed class GradCheckTests
{
    [Fact]
    public void Passes_a_correct_function_of_several_inputs()
    {
        using var scope = NewDisposeScope();
        // f(x, y) = sin(x)·y + x² (elementwise), with autograd's gradients cos(x)·y + 2x and sin(x).
        var x = tensor(new[] { 0.3, -1.1, 2.0, 0.7 }, [2, 2], requires_grad: true);
        var y = tensor(new[] { 1.5, 0.2, -0.4, 3.0 }, [2, 2], requires_grad: true);
        GradCheck.gradcheck(a => a[0].sin().mul(a[1]).add(a[0].square()), [x, y]).Should().BeTrue();
        // A scalar output and a constant (no-grad) second input.
        var w = tensor(new[] { 2.0, -1.0, 0.5, 1.0 }, [2, 2]);
        GradCheck.gradcheck(a => a[0].exp().mul(a[1]).sum(), [x, w]).Should().BeTrue();
        GradCheck.gradcheck(t => t.log_softmax(1), x).Should().BeTrue();
    }

    [Fact]
    public void Fails_a_function_whose_gradient_is_wrong()
    {
        using var scope = NewDisposeScope();
        // f(x) = x · detach(x) has the value x², whose derivative is 2x, but autograd only sees the first factor: gradient x.
        var x = tensor(new[] { 0.5, -1.2, 2.0 }, requires_grad: true);
        Func<Tensor, Tensor> wrong = t => t.mul(t.detach());
        GradCheck.gradcheck(wrong, x, raise_exception: false).Should().BeFalse();

        var act = () => GradCheck.gradcheck(wrong, x);
        var e = act.Should().Throw<GradCheckException>().Which;
        // 3 diagonal entries differ; the message lists them with both values (numerical 2x = 1, analytical x = 0.5 first).
        e.Message.Should().StartWith("gradcheck: 3 Jacobian entries differ (eps 1E-06, atol 1E-05, rtol 0.001):");
        e.Message.Should().MatchRegex(@"input 0, element 0, output element 0: numerical (0\.999999\d*|1\.00000\d*), analytical 0\.5");
        e.Message.Should().Contain("analytical 0.5").And.Contain("analytical -1.2").And.Contain("analytical 2");
        e.Message.Should().Contain("input 0, element 2, output element 2");
    }

    [Fact]
    public void Catches_a_small_but_real_error_and_tolerates_rounding()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.4, -0.8, 1.3 }, requires_grad: true);
        // Value x³, but autograd sees 3x² + 0.01·x: an error of 0.004 at x = 0.4, beyond atol + rtol·|3x²| = 1e-5 + 1e-3·0.48.
        var e1 = FluentActions.Invoking(() => GradCheck.gradcheck(t => t.pow(3).add(t.mul(t.detach()).mul(1e-2)).sub(t.detach().square().mul(1e-2)), x))
            .Should().Throw<GradCheckException>().Which;
        e1.Message.Should().StartWith("gradcheck: 3 Jacobian entries differ");
        // An error of 0.001·x stays inside rtol = 1e-3 relative to 3x² for these x (0.0004 < 0.00049 at x = 0.4): it passes,
        // which is what PyTorch's default tolerances do too.
        GradCheck.gradcheck(t => t.pow(3).add(t.mul(t.detach()).mul(1e-3)).sub(t.detach().square().mul(1e-3)), x).Should().BeTrue();
        // Off by 1e-8·x: inside the tolerance (finite differences are not exact either).
        GradCheck.gradcheck(t => t.pow(3).add(t.mul(t.detach()).mul(1e-8)).sub(t.detach().square().mul(1e-8)), x).Should().BeTrue();
        // An error in only one of two inputs is attributed to that input.
        var y = tensor(new[] { 1.0, 2.0, 3.0 }, requires_grad: true);
        var e = FluentActions.Invoking(() => GradCheck.gradcheck(a => a[0].mul(a[1].detach()).mul(a[1]), [x, y])).Should().Throw<GradCheckException>().Which;
        e.Message.Should().Contain("input 1,").And.NotContain("input 0,");
    }

    [Fact]
    public void Rejects_float32_inputs_and_outputs()
    {
        using var scope = NewDisposeScope();
        var x32 = tensor(new float[] { 1, 2, 3 }, requires_grad: true);
        FluentActions.Invoking(() => GradCheck.gradcheck(t => t.square(), x32)).Should().Throw<ArgumentException>()
            .WithMessage("gradcheck: input 0 is Float32; inputs that require grad must be float64*");
        var x64 = tensor(new double[] { 1, 2, 3 }, requires_grad: true);
        FluentActions.Invoking(() => GradCheck.gradcheck(t => t.to(ScalarType.Float32), x64)).Should().Throw<ArgumentException>()
            .WithMessage("gradcheck: the function returned Float32*");
    }

    [Fact]
    public void Rejects_inputs_without_grad_and_bad_arguments()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new double[] { 1, 2, 3 });
        FluentActions.Invoking(() => GradCheck.gradcheck(t => t.square(), x)).Should().Throw<ArgumentException>()
            .WithMessage("gradcheck: no input requires grad*");
        var g = tensor(new double[] { 1, 2, 3, 4 }, [2, 2], requires_grad: true);
        FluentActions.Invoking(() => GradCheck.gradcheck(a => a[0].square(), [g.t().detach().requires_grad_()])).Should().Throw<ArgumentException>()
            .WithMessage("gradcheck: input 0 is not contiguous*");
        FluentActions.Invoking(() => GradCheck.gradcheck(t => t.square(), g, eps: 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => GradCheck.gradcheck(null!, [g])).Should().Throw<ArgumentNullException>();
    }
}
