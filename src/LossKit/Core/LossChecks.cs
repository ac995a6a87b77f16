using System.Runtime.CompilerServices;
using LossKit.Torch;
using static LossKit.Torch.torch;

namespace LossKit;

/// <summary>
/// Opt-in run-time checks of every LossKit loss. With <see cref="ThrowOnNonFinite"/> on (process-wide) or inside
/// <see cref="ThrowOnNonFiniteOnThisThread"/> (the calling thread only), a loss whose value holds NaN or ±∞ throws
/// <see cref="NonFiniteLossException"/> (<see cref="NonFiniteKind.LossValue"/>) from the loss call, and one whose gradient
/// flowing back to its input (<c>log_probs</c> for CTC) holds NaN or ±∞ throws it (<see cref="NonFiniteKind.Gradient"/>)
/// from <c>loss.backward()</c>. The message names the loss, the argument, how many elements were not finite, and the first
/// one's flat index and value.
/// </summary>
/// <remarks>
/// <para><b>Cost.</b> Off (the default), a loss pays one read of a static field. On, each loss call adds one reduction
/// over its value and a read back to the CPU, and, when the input requires grad, an identity node in the graph whose
/// backward runs one reduction over the gradient (plus a little more when it fails). Turn it on to find where NaN
/// first appears, or leave it on in long jobs where a crash is cheaper than training on garbage.</para>
/// <para><b>What is not caught.</b> Non-finite values that do not reach the loss or the gradient are, on purpose, not
/// errors: a logit of -∞ for a masked class (cross-entropy), NaN or ±∞ in an entry of the input that the loss does not
/// read (NLL reads only x[n, yₙ]; rows whose target is ignore_index), an infinite logit that agrees with its hard
/// target (BCE with logits: loss 0, gradient 0), a KL term whose target probability is 0. The checks look at the
/// loss's result and at the gradient, not at the inputs; docs/errors-and-guarantees.md lists the cases.</para>
/// <para><b>CombinedLoss.</b> Each component is checked under its own name (the first to fail is reported), then the sum.</para>
/// <para><b>Threads.</b> <see cref="ThrowOnNonFinite"/> is process-wide and may be set from any thread (set it before
/// training starts: losses already running on other threads see the change at their next call).
/// <see cref="ThrowOnNonFiniteOnThisThread"/> affects only the calling thread and must be disposed on it. The gradient
/// check is attached when the loss is computed, so what decides is the setting at the forward pass, not at backward.</para>
/// </remarks>
public static class LossChecks
{
    private static volatile bool _throwOnNonFinite;
    private static int _threadScopes; // open ThrowOnNonFiniteOnThisThread scopes on all threads: the off path reads one field
    [ThreadStatic] private static int _onThisThread;

    /// <summary>
    /// Process-wide: every LossKit loss throws <see cref="NonFiniteLossException"/> when its value, or the gradient flowing
    /// back to its input, holds NaN or an infinity (default false).
    /// </summary>
    public static bool ThrowOnNonFinite
    {
        get => _throwOnNonFinite;
        set => _throwOnNonFinite = value;
    }

    /// <summary>True when the check is on for the calling thread (process-wide or in a thread scope).</summary>
    public static bool ThrowOnNonFiniteEnabledOnThisThread => _throwOnNonFinite || _onThisThread > 0;

    /// <summary>
    /// Turns the non-finite check on for the calling thread until the returned object is disposed (scopes nest). Dispose it
    /// on the same thread.
    /// </summary>
    public static IDisposable ThrowOnNonFiniteOnThisThread() => new ThreadScope();

    private sealed class ThreadScope : IDisposable
    {
        private readonly int _threadId = Environment.CurrentManagedThreadId;
        private bool _done;

        public ThreadScope()
        {
            _onThisThread++;
            Interlocked.Increment(ref _threadScopes);
        }

        public void Dispose()
        {
            if (_done) return;
            if (Environment.CurrentManagedThreadId != _threadId)
                throw new InvalidOperationException(
                    "LossChecks.ThrowOnNonFiniteOnThisThread: the scope must be disposed on the thread that created it.");
            _done = true;
            _onThisThread--;
            Interlocked.Decrement(ref _threadScopes);
        }
    }

    /// <summary>Whether the calling thread's losses check (one static read when no check is on anywhere).</summary>
    internal static bool Active
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (_throwOnNonFinite || Volatile.Read(ref _threadScopes) != 0) && ThrowOnNonFiniteEnabledOnThisThread;
    }

    /// <summary>
    /// Runs <paramref name="compute"/> on <paramref name="input"/> behind a gradient check (when it requires grad and grad
    /// mode is on), then checks the value it returns.
    /// </summary>
    internal static Tensor Checked<TState>(string loss, Tensor input, TState state, Func<Tensor, TState, Tensor> compute, string argument = "input")
    {
        Validate.Alive(loss, input, argument);
        using var scope = NewDisposeScope();
        var guarded = input.requires_grad && is_grad_enabled() ? autograd.check_grad_finite(input, loss, argument) : input;
        var value = compute(guarded, state);
        CheckValue(loss, value);
        return value.MoveToOuterDisposeScope();
    }

    /// <summary>Throws <see cref="NonFiniteLossException"/> when <paramref name="value"/> has an element that is NaN or infinite.</summary>
    internal static void CheckValue(string loss, Tensor value)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var v = value.detach();
        if (v.numel() == 0 || !is_floating_point(v.dtype)) return;
        var bad = v.isfinite().logical_not().flatten();
        if (!bad.any().item<bool>()) return;
        var count = bad.sum().item<long>();
        var index = bad.to(ScalarType.Int64).argmax().item<long>();
        var first = v.flatten()[index].ToDouble();
        throw new NonFiniteLossException(loss, NonFiniteKind.LossValue, "loss", count, v.numel(), index, first);
    }
}
