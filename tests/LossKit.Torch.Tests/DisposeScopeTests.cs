using LossKit.Torch.Modules;
using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests;

public class DisposeScopeTests
{
    [Fact]
    public void Dispose_frees_the_tensor_and_later_use_throws()
    {
        var t = tensor(new[] { 1f, 2f });
        t.IsInvalid.Should().BeFalse();
        t.Handle.Should().NotBe(IntPtr.Zero);
        t.Dispose();
        t.IsInvalid.Should().BeTrue();
        t.Dispose();                                             // idempotent
        var use = () => t.sum();
        use.Should().Throw<ObjectDisposedException>().WithMessage("*This tensor has been disposed*");
        var shape = () => t.shape;
        shape.Should().Throw<ObjectDisposedException>();
        var handle = () => t.Handle;
        handle.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void disposing_one_handle_leaves_other_handles_to_the_same_data_working()
    {
        var t = tensor(new[] { 1f, 2f });
        var view = t.view(2, 1);
        var alias = t.alias();
        t.Dispose();
        view.ToArray<float>().Should().Equal(1f, 2f);
        alias.ToArray<float>().Should().Equal(1f, 2f);
        view.Dispose();
        alias.Dispose();
    }

    [Fact]
    public void a_scope_disposes_what_was_created_inside_it_and_nothing_else()
    {
        var before = tensor(new[] { 1f });
        Tensor inside, result;
        using (var scope = NewDisposeScope())
        {
            inside = tensor(new[] { 2f });
            result = before + inside;
            scope.DisposablesCount.Should().Be(2);
            scope.Contains(inside).Should().BeTrue();
            scope.Contains(result).Should().BeTrue();
            scope.Contains(before).Should().BeFalse();
        }
        inside.IsInvalid.Should().BeTrue();
        result.IsInvalid.Should().BeTrue();
        before.IsInvalid.Should().BeFalse();
        before.Dispose();
    }

    [Fact]
    public void every_kind_of_result_is_registered_in_the_scope()
    {
        Tensor[] made;
        using (var scope = NewDisposeScope())
        {
            var x = tensor(new[] { 3.0, 1.0 }, requires_grad: true);
            (x * x).sum().backward();
            var grad = x.grad!;                                  // a getter that returns a new tensor
            var (values, indexes) = x.max(0);                    // two results from one call
            var lst = autograd.grad([(x * 2).sum()], [x]);       // results of autograd.grad
            var item = x[0];
            made = [x, grad, values, indexes, lst[0]!, item];
            foreach (var t in made) scope.Contains(t).Should().BeTrue();
        }
        made.Should().OnlyContain(t => t.IsInvalid);
    }

    [Fact]
    public void disposing_a_tensor_inside_a_scope_removes_it_from_the_scope()
    {
        using var scope = NewDisposeScope();
        var a = zeros(1);
        var b = zeros(1);
        scope.DisposablesCount.Should().Be(2);
        a.Dispose();
        scope.DisposablesCount.Should().Be(1);
        scope.Contains(a).Should().BeFalse();
        scope.DisposablesView.Should().ContainSingle().Which.Should().BeSameAs(b);
    }

    [Fact]
    public void MoveToOuterDisposeScope_survives_exactly_one_scope_level()
    {
        Tensor moved, kept;
        using (var outer = NewDisposeScope())
        {
            using (var inner = NewDisposeScope())
            {
                inner.OuterScope.Should().BeSameAs(outer);
                moved = tensor(new[] { 1f }).MoveToOuterDisposeScope();
                kept = tensor(new[] { 2f });
                inner.Contains(moved).Should().BeFalse();
                outer.Contains(moved).Should().BeTrue();
            }
            kept.IsInvalid.Should().BeTrue();
            moved.IsInvalid.Should().BeFalse();
            moved.item<float>().Should().Be(1f);
        }
        moved.IsInvalid.Should().BeTrue("the outer scope disposes it");
    }

    [Fact]
    public void MoveToOuterDisposeScope_from_the_outermost_scope_hands_the_tensor_to_the_caller()
    {
        Tensor t;
        using (var scope = NewDisposeScope())
        {
            t = zeros(1).MoveToOuterDisposeScope();
            scope.Contains(t).Should().BeFalse();
        }
        t.IsInvalid.Should().BeFalse();
        t.Dispose();
    }

    [Fact]
    public void DetachFromDisposeScope_survives_every_scope()
    {
        Tensor t;
        using (NewDisposeScope())
        {
            using (NewDisposeScope())
            {
                t = ones(2).DetachFromDisposeScope();
            }
            t.IsInvalid.Should().BeFalse();
        }
        t.IsInvalid.Should().BeFalse();
        t.ToArray<float>().Should().Equal(1f, 1f);
        t.Dispose();
    }

    [Fact]
    public void nested_scopes_each_own_their_own_tensors()
    {
        using var outer = NewDisposeScope();
        var a = zeros(1);
        Tensor b;
        using (var inner = NewDisposeScope())
        {
            DisposeScopeManager.ThreadSingleton.ScopeCount.Should().Be(2);
            b = zeros(1);
            inner.Contains(b).Should().BeTrue();
            outer.Contains(b).Should().BeFalse();
            (a + b).IsInvalid.Should().BeFalse();
        }
        DisposeScopeManager.ThreadSingleton.ScopeCount.Should().Be(1);
        b.IsInvalid.Should().BeTrue();
        a.IsInvalid.Should().BeFalse();
        outer.Contains(a).Should().BeTrue();
    }

    [Fact]
    public void scopes_are_per_thread()
    {
        Tensor? fromOtherThread = null;
        using (var scope = NewDisposeScope())
        {
            var t = new Thread(() => fromOtherThread = zeros(3));
            t.Start();
            t.Join();
            scope.Contains(fromOtherThread!).Should().BeFalse("the other thread has no scope of its own");
            scope.DisposablesCount.Should().Be(0);
        }
        fromOtherThread!.IsInvalid.Should().BeFalse();
        fromOtherThread.Dispose();

        // A scope opened on another thread does not capture tensors created here.
        using var opened = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        DisposeScope? otherScope = null;
        var worker = new Thread(() =>
        {
            using (otherScope = NewDisposeScope())
            {
                opened.Set();
                release.Wait();
            }
        });
        worker.Start();
        opened.Wait();
        var mine = zeros(1);
        otherScope!.Contains(mine).Should().BeFalse();
        release.Set();
        worker.Join();
        mine.IsInvalid.Should().BeFalse();
        mine.Dispose();
    }

    [Fact]
    public void parameters_are_never_tracked_by_scopes()
    {
        Parameter p;
        Modules.Linear lin;
        using (var scope = NewDisposeScope())
        {
            p = new Parameter(zeros(2));
            lin = nn.Linear(2, 1);
            scope.Contains(p).Should().BeFalse();
            scope.Contains(lin.weight).Should().BeFalse();
            // Only the temporary zeros(2) is in the scope.
            scope.DisposablesCount.Should().Be(1);
        }
        p.IsInvalid.Should().BeFalse();
        lin.weight.IsInvalid.Should().BeFalse();
        lin.bias!.IsInvalid.Should().BeFalse();
        using (NewDisposeScope())
            lin.call(ones(3, 2)).shape.Should().Equal(3, 1);
        p.Dispose();
        lin.Dispose();
    }

    [Fact]
    public void DisposeEverythingBut_keeps_the_given_tensors_in_the_scope()
    {
        Tensor keep, other1, other2;
        using (var scope = NewDisposeScope())
        {
            keep = zeros(1);
            other1 = zeros(1);
            other2 = zeros(1);
            scope.DisposeEverythingBut(keep).Should().BeSameAs(keep);
            other1.IsInvalid.Should().BeTrue();
            other2.IsInvalid.Should().BeTrue();
            keep.IsInvalid.Should().BeFalse();
            scope.Contains(keep).Should().BeTrue();
            scope.DisposablesCount.Should().Be(1);

            var next = zeros(1);                                 // the scope stays usable
            scope.DisposeEverything();
            next.IsInvalid.Should().BeTrue();
            keep.IsInvalid.Should().BeTrue();
            scope.DisposablesCount.Should().Be(0);
            zeros(1);
            scope.DisposablesCount.Should().Be(1);
        }
    }

    [Fact]
    public void DisposeEverythingBut_in_a_training_loop_keeps_only_what_is_needed()
    {
        using var scope = NewDisposeScope();
        var acc = zeros(1);
        for (var i = 0; i < 10; i++)
        {
            var next = acc + 1;
            scope.DisposeEverythingBut(next);
            acc = next;
            scope.DisposablesCount.Should().Be(1);
        }
        acc.item<float>().Should().Be(10);
    }

    [Fact]
    public void moving_between_scopes_explicitly()
    {
        using var a = NewDisposeScope();
        var t = zeros(1);
        Tensor u;
        using (var b = NewDisposeScope())
        {
            u = zeros(1);
            u.MoveToOtherDisposeScope(a).Should().BeSameAs(u);
            a.Contains(u).Should().BeTrue();
            b.Contains(u).Should().BeFalse();
            b.Include(t).Should().BeSameAs(t);                   // taken from a
            a.Contains(t).Should().BeFalse();
            b.MoveToOuter(zeros(1), zeros(1));
            a.DisposablesCount.Should().Be(3);
            b.Detach(t).Should().BeSameAs(t);
        }
        u.IsInvalid.Should().BeFalse();
        t.IsInvalid.Should().BeFalse("it was detached before the scope ended");
        t.MoveToOtherDisposeScope(null);
        t.Dispose();

        var ended = NewDisposeScope();
        ended.Dispose();
        var include = () => ended.Include(zeros(1));
        include.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void WrappedTensorDisposeScope_returns_only_the_result()
    {
        Tensor? intermediate = null;
        var r = WrappedTensorDisposeScope(() =>
        {
            intermediate = tensor(new[] { 1.0, 2.0 });
            return intermediate.square().sum();
        });
        intermediate!.IsInvalid.Should().BeTrue();
        r.item<double>().Should().Be(5);
        r.Dispose();
    }

    [Fact]
    public void a_scope_can_hold_any_disposable()
    {
        var thing = new Flag();
        using (var scope = NewDisposeScope())
        {
            scope.Include(thing);
            scope.Contains(thing).Should().BeTrue();
        }
        thing.Disposed.Should().BeTrue();
    }

    [Fact]
    public void disposing_scopes_out_of_order_still_disposes_their_tensors()
    {
        var outer = NewDisposeScope();
        var inner = NewDisposeScope();
        var a = zeros(1);
        outer.Dispose();                                         // the inner one is still open
        var b = zeros(1);
        inner.Contains(b).Should().BeTrue();
        b.MoveToOuterDisposeScope();                             // the outer scope is gone: detached
        inner.Contains(b).Should().BeFalse();
        inner.Dispose();
        a.IsInvalid.Should().BeTrue();
        b.IsInvalid.Should().BeFalse();
        b.Dispose();
        DisposeScopeManager.ThreadSingleton.ScopeCount.Should().Be(0);
    }

    private sealed class Flag : IDisposable
    {
        public bool Disposed { get; private set; }
        public void Dispose() => Disposed = true;
    }
}
