using LossKit.Torch.Interop;
using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests;

/// <summary>
/// autograd.check_grad_finite: the identity forward, a gradient check in backward that fails with NonFiniteLossException
/// (the native error kind LK_ERR_NON_FINITE with its details), and nothing at all when no gradient can flow.
/// </summary>
public class CheckGradFiniteTests
{
    [Fact]
    public void the_native_non_finite_error_kind_becomes_NonFiniteLossException_with_its_details()
    {
        var status = NativeMethods.lk_debug_raise(8, "DebugLoss: boom 8");
        status.Should().Be(8);
        var act = () => NativeError.Check(status, "debug_raise");
        var e = act.Should().Throw<LossKit.NonFiniteLossException>().Which;
        e.Message.Should().Be("DebugLoss: boom 8", "the message already names the loss: no operation prefix");
        (e.Loss, e.Kind, e.Argument, e.Count, e.Total, e.Index).Should().Be(("DebugLoss", LossKit.NonFiniteKind.Gradient, "input", 1L, 4L, 2L));
        double.IsNaN(e.Value).Should().BeTrue();
        // The details belong to that error: after another kind of failure there are none.
        NativeMethods.lk_debug_raise(3, "value error");
        NativeMethods.lk_last_non_finite(out _, out _, out _, out _, out _, out _).Should().Be(3);
    }

    [Fact]
    public void it_is_the_identity_and_passes_a_finite_gradient_unchanged()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, -2.0, 3.0 }, requires_grad: true);
        var y = autograd.check_grad_finite(x, "MyLoss");
        y.ToArray<double>().Should().Equal(1.0, -2.0, 3.0);
        y.is_leaf.Should().BeFalse();
        y.mul(tensor(new[] { 2.0, 3.0, 4.0 })).sum().backward();
        x.grad!.ToArray<double>().Should().Equal(2.0, 3.0, 4.0);
    }

    [Fact]
    public void a_non_finite_gradient_fails_backward_and_the_thread_goes_on()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1f, 0f, 3f, 0f }, requires_grad: true);
        var y = autograd.check_grad_finite(x, "MyLoss", "logits");
        var act = () => y.log().sum().backward(); // d log(x) / dx = 1 / x: +inf at the zeros
        var e = act.Should().Throw<LossKit.NonFiniteLossException>().Which;
        e.Message.Should().Be("MyLoss: the gradient flowing back to logits is not finite: 2 of 4 elements are NaN or infinite; " +
                              "the first is +Infinity at flat index 1 (logits has shape [4], Float).");
        (e.Count, e.Total, e.Index, e.Value).Should().Be((2L, 4L, 1L, double.PositiveInfinity));
        // Nothing leaks into the next call on this thread.
        (tensor(new[] { 1.0 }) + 1).item<double>().Should().Be(2);
        x.grad = null;
        autograd.check_grad_finite(x, "MyLoss").mul(2).sum().backward();
        x.grad!.ToArray<float>().Should().Equal(2f, 2f, 2f, 2f);
    }

    [Fact]
    public void without_grad_nothing_is_recorded()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1f, 2f });
        var y = autograd.check_grad_finite(x, "MyLoss");
        y.requires_grad.Should().BeFalse();
        var z = tensor(new[] { 1f, 2f }, requires_grad: true);
        using (no_grad()) autograd.check_grad_finite(z, "MyLoss").is_leaf.Should().BeTrue("no node is recorded: it is an alias of z");
        var disposed = tensor(new[] { 1f });
        disposed.Dispose();
        var act = () => autograd.check_grad_finite(disposed, "MyLoss");
        act.Should().Throw<ObjectDisposedException>();
    }
}
