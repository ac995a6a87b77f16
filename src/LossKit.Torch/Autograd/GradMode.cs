using LossKit.Torch.Interop;
using static LossKit.Torch.Interop.NativeMethods;

namespace LossKit.Torch;

public static partial class torch
{
    /// <summary>
    /// Disables gradient recording on the calling thread until the returned object is disposed:
    /// <c>using (torch.no_grad()) { ... }</c>. Scopes nest; disposing restores the previous mode.
    /// </summary>
    public static IDisposable no_grad() => new GradModeScope(false);

    /// <summary>Enables (or, with false, disables) gradient recording on the calling thread until disposed.</summary>
    public static IDisposable enable_grad(bool enabled = true) => new GradModeScope(enabled);

    /// <summary>Sets gradient recording on the calling thread until disposed.</summary>
    public static IDisposable set_grad_enabled(bool mode = true) => new GradModeScope(mode);

    /// <summary>Whether operations on the calling thread are recorded for autograd.</summary>
    public static bool is_grad_enabled() => lk_is_grad_enabled() == 1;

    private sealed class GradModeScope : IDisposable
    {
        private readonly bool _previous;
        private readonly int _threadId = Environment.CurrentManagedThreadId;
        private bool _disposed;

        public GradModeScope(bool enabled)
        {
            var previous = lk_set_grad_enabled(enabled ? 1 : 0);
            NativeError.Check((long)previous, enabled ? "enable_grad" : "no_grad");
            _previous = previous == 1;
        }

        public void Dispose()
        {
            if (_disposed) return;
            // Grad mode is thread-local: restoring it from another thread would change that thread's mode. Check before
            // marking the scope disposed, so that the owning thread can still dispose it and restore its mode.
            if (Environment.CurrentManagedThreadId != _threadId)
                throw new InvalidOperationException("A no_grad/enable_grad scope must be disposed on the thread that created it (grad mode is per thread).");
            _disposed = true;
            lk_set_grad_enabled(_previous ? 1 : 0);
        }
    }
}
