using static LossKit.Torch.Interop.NativeMethods;

namespace LossKit.Torch;

/// <summary>
/// How libtorch allocates large CPU tensors in this process. A LossKit extension (TorchSharp has nothing like it; the
/// closest PyTorch knobs are <c>THP_MEM_ALLOC_ENABLE</c> and, for CUDA, the caching allocator's <c>empty_cache</c>).
/// </summary>
/// <remarks>
/// <para>
/// When its native library loads, LossKit puts a layer over libtorch's CPU allocator for blocks of 2 MiB or more (on
/// Linux and macOS; on Windows libtorch's allocator is left as it is). Two things make a fresh large tensor, such as
/// the N x C gradient of a cross-entropy over a 32000-class vocabulary, expensive: the C allocator maps it afresh each
/// time, and its first touch costs a page fault and a zeroed page per 4 KiB. Measured here, one 512 x 32000 NLL
/// forward + backward takes 30-40 ms that way, of which the kernel's own work is about 3 ms. So:
/// </para>
/// <list type="bullet">
/// <item>freed large blocks are kept, up to <see cref="CacheLimit"/> bytes (default 256 MiB), and handed out again for
/// a request of the same size (rounded up to 2 MiB): a training loop allocates the same sizes every step;</item>
/// <item>fresh large blocks are 2 MiB-aligned and advised <c>MADV_HUGEPAGE</c> (<see cref="HugePages"/>, Linux), one
/// fault per 2 MiB, what PyTorch 2.1 and later do with <c>THP_MEM_ALLOC_ENABLE=1</c>.</item>
/// </list>
/// <para>
/// Values never depend on it. The memory comes from and returns to the C allocator (<c>posix_memalign</c> /
/// <c>free</c>), like libtorch's own. The price: up to <see cref="CacheLimit"/> bytes stay resident after the tensors
/// that used them are gone (<see cref="EmptyCache"/> returns them; a lower limit empties the cache), a large block's
/// size rounds up to a multiple of 2 MiB, and large blocks are not reported to libtorch's memory profiler.
/// </para>
/// <para>
/// Environment variables read at load: <c>LOSSKIT_HUGE_PAGES=0</c> (or <c>off</c>, <c>false</c>) turns huge pages off;
/// <c>LOSSKIT_CPU_CACHE_MB</c> sets the cache limit in MiB (0: no cache). Huge pages are also off where the kernel's
/// THP mode is <c>never</c>. All members are safe to use from any thread.
/// </para>
/// </remarks>
public static class CpuAllocator
{
    /// <summary>
    /// Whether fresh CPU blocks of 2 MiB or more are allocated for transparent huge pages (Linux), process-wide.
    /// Applies to blocks allocated after the change.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">Set to true where transparent huge pages are unavailable (not
    /// Linux, or the kernel's THP mode is <c>never</c>).</exception>
    public static bool HugePages
    {
        get => lk_cpu_huge_pages() != 0;
        set
        {
            lk_set_cpu_huge_pages(value ? 1 : 0);
            if (value && lk_cpu_huge_pages() == 0)
                throw new PlatformNotSupportedException(
                    "CpuAllocator.HugePages: transparent huge pages are unavailable here (Linux only, with the kernel's THP mode 'always' or 'madvise').");
        }
    }

    /// <summary>
    /// The most bytes of freed CPU blocks (each of 2 MiB or more) kept for reuse; 0 turns the cache off. Lowering it
    /// empties the cache at once. Always 0 on Windows.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    /// <exception cref="PlatformNotSupportedException">Set above 0 on Windows.</exception>
    public static long CacheLimit
    {
        get => lk_cpu_cache_limit();
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(CacheLimit));
            lk_set_cpu_cache_limit(value);
            if (value > 0 && lk_cpu_cache_limit() != value)
                throw new PlatformNotSupportedException("CpuAllocator.CacheLimit: LossKit's large-block cache is not available on this platform.");
        }
    }

    /// <summary>Bytes of freed large blocks held for reuse right now.</summary>
    public static long CachedBytes => lk_cpu_cached_bytes();

    /// <summary>Frees every cached block (tensors in use are not affected) and returns the bytes released.</summary>
    public static long EmptyCache() => lk_cpu_empty_cache();
}
