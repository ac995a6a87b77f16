using System.Runtime.InteropServices;

namespace LossKit.Torch.Interop;

/// <summary>
/// The LibraryImport declarations of the C ABI (src/LossKit.Native/include/losskit.h), one partial file per area.
/// Each declaration carries the name of its native entry point.
/// </summary>
/// <remarks>
/// Return-value protocol (see losskit.h): a returned <see cref="TensorHandle"/> is invalid only on failure, and
/// an <c>int</c> status is 0 only on success. <see cref="NativeError"/> turns failures into .NET exceptions.
/// </remarks>
internal static unsafe partial class NativeMethods
{
    internal const string Lib = NativeLibraryResolver.LibraryName;

    /// <summary>The C ABI version this assembly was written against (LK_ABI_VERSION).</summary>
    internal const int AbiVersion = 2;

    // The resolver must be in place before the first native call; a static constructor runs exactly then.
    static NativeMethods() => NativeLibraryResolver.Register(typeof(NativeMethods).Assembly);

    // errors.cpp
    [LibraryImport(Lib)] internal static partial int lk_abi_version();
    [LibraryImport(Lib)] internal static partial IntPtr lk_torch_version();
    [LibraryImport(Lib)] internal static partial int lk_last_error_kind();
    [LibraryImport(Lib)] internal static partial IntPtr lk_last_error_message();
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int lk_debug_raise(int kind, string message);
    [LibraryImport(Lib)] internal static partial int lk_last_non_finite(out IntPtr loss, out IntPtr argument, out long count, out long numel, out long index, out double value);

    // runtime.cpp
    [LibraryImport(Lib)] internal static partial int lk_manual_seed(ulong seed);
    [LibraryImport(Lib)] internal static partial int lk_set_num_threads(int n);
    [LibraryImport(Lib)] internal static partial int lk_get_num_threads();
    [LibraryImport(Lib)] internal static partial int lk_cuda_is_available();
    [LibraryImport(Lib)] internal static partial int lk_cuda_device_count();
    [LibraryImport(Lib)] internal static partial int lk_set_grad_enabled(int enabled);
    [LibraryImport(Lib)] internal static partial int lk_is_grad_enabled();

    // cpu_allocator.cpp
    [LibraryImport(Lib)] internal static partial int lk_cpu_huge_pages();
    [LibraryImport(Lib)] internal static partial int lk_set_cpu_huge_pages(int enabled);
    [LibraryImport(Lib)] internal static partial long lk_cpu_cache_limit();
    [LibraryImport(Lib)] internal static partial long lk_set_cpu_cache_limit(long bytes);
    [LibraryImport(Lib)] internal static partial long lk_cpu_cached_bytes();
    [LibraryImport(Lib)] internal static partial long lk_cpu_empty_cache();
}
