using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests.Autograd;

public class GradModeTests
{
    [Fact]
    public void no_grad_stops_recording_and_restores_the_previous_mode()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        is_grad_enabled().Should().BeTrue();
        Tensor y;
        using (no_grad())
        {
            is_grad_enabled().Should().BeFalse();
            y = x * 2;
        }
        is_grad_enabled().Should().BeTrue();
        y.requires_grad.Should().BeFalse("it was computed under no_grad");
        y.is_leaf.Should().BeTrue();
        var backward = () => y.sum().backward();
        backward.Should().Throw<TorchException>().WithMessage("backward: the tensor does not require grad*");

        // The same computation outside no_grad is recorded.
        (x * 2).requires_grad.Should().BeTrue();
    }

    [Fact]
    public void enable_grad_inside_no_grad_records_again()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 3.0 }, requires_grad: true);
        using (no_grad())
        {
            using (enable_grad())
            {
                is_grad_enabled().Should().BeTrue();
                var y = x * x;
                y.requires_grad.Should().BeTrue();
                y.sum().backward();
            }
            is_grad_enabled().Should().BeFalse("leaving enable_grad restores no_grad");
        }
        x.grad!.ShouldBeClose([6]);                          // d/dx x² = 2x
    }

    [Fact]
    public void set_grad_enabled_and_nested_scopes_restore_in_order()
    {
        var outer = set_grad_enabled(false);
        is_grad_enabled().Should().BeFalse();
        var inner = enable_grad(true);
        is_grad_enabled().Should().BeTrue();
        var innermost = enable_grad(false);
        is_grad_enabled().Should().BeFalse();
        innermost.Dispose();
        is_grad_enabled().Should().BeTrue();
        inner.Dispose();
        is_grad_enabled().Should().BeFalse();
        outer.Dispose();
        is_grad_enabled().Should().BeTrue();
        outer.Dispose();                                      // a second Dispose does nothing
        is_grad_enabled().Should().BeTrue();
    }

    [Fact]
    public void grad_mode_is_per_thread()
    {
        bool? otherThreadSaw = null;
        using (no_grad())
        {
            var t = new Thread(() => otherThreadSaw = is_grad_enabled());
            t.Start();
            t.Join();
            is_grad_enabled().Should().BeFalse();
        }
        otherThreadSaw.Should().BeTrue("a new thread starts with grad enabled, whatever this thread does");

        // And no_grad on another thread does not leak here.
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var worker = new Thread(() =>
        {
            using (no_grad())
            {
                started.Set();
                release.Wait();
            }
        });
        worker.Start();
        started.Wait();
        is_grad_enabled().Should().BeTrue();
        using (var s = NewDisposeScope())
        {
            var x = tensor(new[] { 1.0 }, requires_grad: true);
            (x * 2).requires_grad.Should().BeTrue();
        }
        release.Set();
        worker.Join();
    }

    [Fact]
    public void a_grad_mode_scope_must_be_disposed_on_its_own_thread_and_stays_usable_there()
    {
        var scope = no_grad();
        try
        {
            Exception? error = null;
            var t = new Thread(() =>
            {
                try { scope.Dispose(); }
                catch (Exception e) { error = e; }
            });
            t.Start();
            t.Join();
            error.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Contain("must be disposed on the thread that created it");

            // The failed attempt must not use the scope up: disposing it here restores grad mode on this thread.
            is_grad_enabled().Should().BeFalse();
            scope.Dispose();
            is_grad_enabled().Should().BeTrue();
        }
        finally
        {
            // Whatever happened above, leave this (pooled) test thread with grad enabled for the next test.
            Interop.NativeMethods.lk_set_grad_enabled(1);
        }
    }

    [Fact]
    public void parameter_updates_under_no_grad_keep_the_parameter_a_leaf()
    {
        using var scope = NewDisposeScope();
        var w = tensor(new[] { 1.0, 1.0 }, requires_grad: true);
        (w * tensor(new[] { 2.0, 3.0 })).sum().backward();
        using (no_grad())
        {
            w.sub_(w.grad!, alpha: 0.1);                          // w - 0.1·[2, 3]
        }
        w.ShouldBeClose([0.8, 0.7]);
        w.is_leaf.Should().BeTrue();
        w.requires_grad.Should().BeTrue();
    }
}
