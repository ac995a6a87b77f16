using System.Runtime.InteropServices;

namespace LossKit.Torch.Interop;

/// <summary>
/// Owns one native tensor reference (an <c>lk_tensor</c>). <see cref="SafeHandle"/> gives three guarantees the
/// binding relies on: the reference is released exactly once (by <c>Dispose</c>, or by the finalizer as a safety
/// net for tensors nobody disposed), a native call in flight keeps it alive, and release cannot race a call.
/// </summary>
internal sealed class TensorHandle : SafeHandle
{
    // Bytes reported to the GC as memory pressure for this handle (0 when none was reported).
    private long _pressure;

    /// <summary>
    /// The handle passed for an absent optional tensor argument (the C ABI's NULL). It is invalid, so it is
    /// never released, and the marshaller can still add and release references on it like on any handle.
    /// </summary>
    internal static readonly TensorHandle Null = new();

    public TensorHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    internal TensorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Tells the GC that this handle keeps <paramref name="bytes"/> of native memory alive.</summary>
    internal void AddMemoryPressure(long bytes)
    {
        if (bytes <= 0) return;
        _pressure = bytes;
        GC.AddMemoryPressure(bytes);
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.lk_tensor_free(handle);
        var pressure = Interlocked.Exchange(ref _pressure, 0);
        if (pressure > 0) GC.RemoveMemoryPressure(pressure);
        return true;
    }
}
