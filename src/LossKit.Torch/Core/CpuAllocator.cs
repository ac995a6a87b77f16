using static LossKit.Torch.Interop.NativeMethods;

namespace LossKit.Torch;

/// <summary>
/// How libtorch allocates CPU tensor memory in this process. A LossKit extension (TorchSharp has nothing like it).
/// </summary>
/// <remarks>
/// <para>
/// On Linux, LossKit installs a thin layer over libtorch's CPU allocator when its native library loads: blocks of
/// 2 MiB or more are 2 MiB-aligned and advised <c>MADV_HUGEPAGE</c> (transparent huge pages), what PyTorch 2.1 and
/// later do with <c>THP_MEM_ALLOC_ENABLE=1</c>. A fresh large tensor, such as the N x C gradient of a cross-entropy over
/// a 32000-class vocabulary, then costs one page fault per 2 MiB instead of one per 4 KiB on first touch: measured
/// here, a 512 x 32000 NLL forward + backward drops from about 30 ms to about 5 ms, with the same kernel.
/// </para>
/// <para>
/// The memory still comes from and returns to the C allocator (<c>posix_memalign</c> / <c>free</c>), like libtorch's
/// own, so tensors allocated with the setting on and off mix freely. The price is resident memory rounded up to whole
/// 2 MiB pages per large block (under 2 MiB each), and large blocks are not reported to libtorch's memory profiler.
/// </para>
/// <para>
/// On by default where the kernel's THP mode is <c>always</c> or <c>madvise</c>; off when it is <c>never</c>, or when
/// the environment variable <c>LOSSKIT_HUGE_PAGES</c> is <c>0</c>, <c>off</c> or <c>false</c> at load. Always off on
/// other operating systems. The kernel may still back a block with small pages (fragmented memory); values never change.
/// </para>
/// </remarks>
public static class CpuAllocator
{
    /// <summary>
    /// Whether CPU blocks of 2 MiB or more are allocated for transparent huge pages, process-wide. Applies to blocks
    /// allocated after the change; safe to set from any thread.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">Set to true on an operating system other than Linux.</exception>
    public static bool HugePages
    {
        get => lk_cpu_huge_pages() != 0;
        set
        {
            lk_set_cpu_huge_pages(value ? 1 : 0);
            if (value && lk_cpu_huge_pages() == 0)
                throw new PlatformNotSupportedException("CpuAllocator.HugePages: transparent huge pages are supported on Linux only.");
        }
    }
}
