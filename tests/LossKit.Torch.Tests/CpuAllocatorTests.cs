using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests;

/// <summary>
/// The huge-page layer over libtorch's CPU allocator: on by default where the kernel allows it, large blocks 2 MiB
/// aligned, small ones untouched, and blocks from either setting freed and used alike. Serial: it flips a
/// process-wide setting.
/// </summary>
[Collection(SerialCollection.Name)]
public class CpuAllocatorTests
{
    private const long TwoMiB = 2L << 20;

    /// <summary>What the native library should have chosen at load, read independently of it.</summary>
    private static bool ExpectedDefault()
    {
        if (!OperatingSystem.IsLinux()) return false;
        var env = Environment.GetEnvironmentVariable("LOSSKIT_HUGE_PAGES");
        if (env is "0" or "off" or "false") return false;
        const string mode = "/sys/kernel/mm/transparent_hugepage/enabled";
        return File.Exists(mode) && !File.ReadAllText(mode).Contains("[never]", StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_follows_the_platform_the_kernel_mode_and_the_environment() =>
        CpuAllocator.HugePages.Should().Be(ExpectedDefault());

    [Fact]
    public void Large_blocks_are_two_MiB_aligned_and_hold_the_right_values_with_the_setting_on_and_off()
    {
        if (!OperatingSystem.IsLinux())
        {
            FluentActions.Invoking(() => CpuAllocator.HugePages = true).Should().Throw<PlatformNotSupportedException>();
            return;
        }
        var before = CpuAllocator.HugePages;
        try
        {
            CpuAllocator.HugePages = true;
            using var large = arange(1 << 20, dtype: ScalarType.Float64); // 8 MiB
            (large.DataAddress % TwoMiB).Should().Be(0, "a block of 2 MiB or more starts on a huge page");
            // Σ_{k<2^20} k = 2^20 (2^20 - 1) / 2 = 549755289600, exact in float64.
            large.sum().item<double>().Should().Be(549755289600.0);
            using var small = ones(1000);                                  // 4000 bytes: libtorch's own allocator
            (small.DataAddress % 64).Should().Be(0);
            small.sum().item<float>().Should().Be(1000f);

            CpuAllocator.HugePages = false;
            CpuAllocator.HugePages.Should().BeFalse();
            using var plain = ones(1 << 20);                                // 4 MiB, allocated without the advice
            plain.sum().item<float>().Should().Be(1 << 20);
            // The huge-page block is still read, and later freed by libtorch's own deleter, after the setting changed.
            using var copy = large.mul(2);
            copy.sum().item<double>().Should().Be(2 * 549755289600.0);
        }
        finally
        {
            CpuAllocator.HugePages = before;
        }
        CpuAllocator.HugePages.Should().Be(before);
    }
}
