using System.Runtime.CompilerServices;
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

    /// <summary>
    /// Storages smaller than this are not reported to the GC: the two GC calls a report costs (add now, remove on release)
    /// would dominate the cost of creating a tiny tensor, and the managed objects of small tensors are a large enough
    /// share of their footprint for the GC's own allocation budget to collect them in time.
    /// </summary>
    internal const long PressureThresholdBytes = 4096;

    /// <summary>True once this handle's storage has been reported to the GC (it is then removed again on release).</summary>
    internal bool ReportsMemoryPressure => Volatile.Read(ref _pressure) > 0;

    /// <summary>Tells the GC that this handle keeps <paramref name="bytes"/> of native memory alive (at most once per handle).</summary>
    internal void AddMemoryPressure(long bytes)
    {
        if (bytes <= 0 || Interlocked.CompareExchange(ref _pressure, bytes, 0) != 0) return;
        GC.AddMemoryPressure(bytes);
    }

    /// <summary>
    /// Reports the tensor's CPU storage to the GC as memory pressure when it is at least <see cref="PressureThresholdBytes"/>
    /// and this tensor is its only user (views, aliases and storages autograd also holds are not counted again), so that
    /// undisposed tensors holding much native memory are collected, and their finalizers run, in time. The native query
    /// is a few loads without a GC transition: a couple of nanoseconds when nothing is reported.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void TrackMemoryPressure()
    {
        if (_pressure != 0 || IsInvalid || IsClosed) return;
        var bytes = NativeMethods.lk_tensor_pressure_nbytes(handle, PressureThresholdBytes);
        if (bytes > 0) AddMemoryPressure(bytes);
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.lk_tensor_free(handle);
        var pressure = Interlocked.Exchange(ref _pressure, 0);
        if (pressure > 0) GC.RemoveMemoryPressure(pressure);
        return true;
    }
}
