using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests;

/// <summary>
/// The layer over libtorch's CPU allocator for blocks of 2 MiB or more: defaults read independently of the native
/// library, 2 MiB alignment, reuse of a freed block of the same size up to the cache limit, eviction, and values that
/// never depend on any of it. Serial: it changes process-wide settings and counts cached bytes.
/// </summary>
[Collection(SerialCollection.Name)]
public class CpuAllocatorTests
{
    private const long MiB = 1L << 20;

    private static bool EnvironmentTurnsOff(string name) => Environment.GetEnvironmentVariable(name) is "0" or "off" or "false";

    private static bool KernelAllowsHugePages()
    {
        const string mode = "/sys/kernel/mm/transparent_hugepage/enabled";
        return OperatingSystem.IsLinux() && File.Exists(mode) && !File.ReadAllText(mode).Contains("[never]", StringComparison.Ordinal);
    }

    /// <summary>Runs a test body with the allocator's settings restored afterwards.</summary>
    private static void WithSettings(bool hugePages, long cacheLimit, Action body)
    {
        var (huge, limit) = (CpuAllocator.HugePages, CpuAllocator.CacheLimit);
        try
        {
            if (hugePages != CpuAllocator.HugePages) CpuAllocator.HugePages = hugePages;
            CpuAllocator.CacheLimit = cacheLimit;
            // Tensors other tests left to their finalizers would otherwise be freed into the cache in the middle of
            // the body (and hand their blocks out instead of the ones the body expects): finalize them all first.
            // (Twice: a finalizer can drop the last reference to other finalizable objects, e.g. a module's tensors.)
            for (var round = 0; round < 2; round++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
            CpuAllocator.EmptyCache();
            body();
        }
        finally
        {
            CpuAllocator.EmptyCache();
            CpuAllocator.CacheLimit = limit;
            if (huge != CpuAllocator.HugePages) CpuAllocator.HugePages = huge;
        }
    }

    [Fact]
    public void The_defaults_follow_the_platform_the_kernel_mode_and_the_environment()
    {
        CpuAllocator.HugePages.Should().Be(KernelAllowsHugePages() && !EnvironmentTurnsOff("LOSSKIT_HUGE_PAGES"));
        var mb = Environment.GetEnvironmentVariable("LOSSKIT_CPU_CACHE_MB");
        var expected = OperatingSystem.IsWindows() ? 0 : mb is not null && long.TryParse(mb, out var m) && m >= 0 ? m * MiB : 256 * MiB;
        CpuAllocator.CacheLimit.Should().Be(expected);
    }

    [Fact]
    public void A_freed_large_block_is_reused_for_the_same_size_and_its_bytes_are_counted()
    {
        if (OperatingSystem.IsWindows()) return; // no layer there (see CpuAllocator)
        WithSettings(hugePages: KernelAllowsHugePages(), cacheLimit: 64 * MiB, () =>
        {
            long address;
            using (var a = zeros(3 * MiB / 4))                // 3 MiB of float32: rounds up to a 4 MiB block
            {
                address = a.DataAddress;
                (address % (2 * MiB)).Should().Be(0, "a large block starts on a 2 MiB boundary");
            }
            CpuAllocator.CachedBytes.Should().Be(4 * MiB);
            using (var b = empty(3 * MiB / 4 + 100))          // a different request of the same rounded size
            {
                b.DataAddress.Should().Be(address, "the cached block is handed out again");
                CpuAllocator.CachedBytes.Should().Be(0);
                // A reused block holds the old bytes until written, like any malloc'd memory; fill_ writes them all.
                b.fill_(2.5);
                b.sum().item<float>().Should().Be(2.5f * (3 * MiB / 4 + 100));
            }
            using (var small = ones(1000))                    // 4000 bytes: libtorch's own allocator, never cached
                small.sum().item<float>().Should().Be(1000f);
            CpuAllocator.CachedBytes.Should().Be(4 * MiB);
            CpuAllocator.EmptyCache().Should().Be(4 * MiB);
            CpuAllocator.CachedBytes.Should().Be(0);
        });
    }

    [Fact]
    public void The_cache_never_holds_more_than_its_limit_and_evicts_the_oldest_block()
    {
        if (OperatingSystem.IsWindows()) return;
        WithSettings(hugePages: false, cacheLimit: 10 * MiB, () =>
        {
            var first = zeros(MiB);        // 4 MiB
            var second = zeros(MiB);       // 4 MiB
            var third = zeros(3 * MiB / 2); // 6 MiB
            var secondAddress = second.DataAddress;
            first.Dispose();
            second.Dispose();
            CpuAllocator.CachedBytes.Should().Be(8 * MiB);
            third.Dispose();               // 8 + 6 > 10: the oldest (first) goes, then 4 + 6 = 10 fits
            CpuAllocator.CachedBytes.Should().Be(10 * MiB);
            using var big = zeros(4 * MiB); // 16 MiB, above the limit: freed outright when disposed
            big.Dispose();
            CpuAllocator.CachedBytes.Should().Be(10 * MiB);
            using var again = zeros(MiB);   // the cached 4 MiB block is second's (first's was evicted)
            again.DataAddress.Should().Be(secondAddress);
            CpuAllocator.CachedBytes.Should().Be(6 * MiB);
            again.sum().item<float>().Should().Be(0);
            CpuAllocator.CacheLimit = 0;    // lowering the limit empties the cache
            CpuAllocator.CachedBytes.Should().Be(0);
        });
    }

    [Fact]
    public void Threads_allocating_and_freeing_large_blocks_at_once_never_share_a_block()
    {
        if (OperatingSystem.IsWindows()) return;
        WithSettings(hugePages: KernelAllowsHugePages(), cacheLimit: 24 * MiB, () =>
        {
            // Each thread holds two large tensors at a time, fills each with a value no other tensor has, and checks
            // it after the other threads have had time to allocate and free: a block handed out twice, or freed while
            // live, would show another thread's value. Sizes differ so blocks are both reused and evicted.
            const int threads = 4, steps = 150;
            long[] sizes = [MiB / 2 + 1, MiB, 3 * MiB / 2, 2 * MiB]; // float32: 4, 4, 6 and 8 MiB blocks
            var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, th =>
            {
                var rng = new Random(th);
                for (var step = 0; step < steps; step++)
                {
                    using var scope = NewDisposeScope();
                    float v1 = th * 10_000 + 2 * step, v2 = v1 + 1;
                    var a = empty(sizes[rng.Next(sizes.Length)]).fill_(v1);
                    var b = empty(sizes[rng.Next(sizes.Length)]).fill_(v2);
                    Thread.Yield();
                    // min and max of each tensor are its own value: nobody else wrote into its block.
                    foreach (var (t, v) in new[] { (a, v1), (b, v2) })
                        if (t.min().item<float>() != v || t.max().item<float>() != v)
                            failures.Add($"thread {th}, step {step}: a block holding {v} was written by someone else");
                }
            });
            failures.Should().BeEmpty();
            CpuAllocator.CachedBytes.Should().BeInRange(0, 24 * MiB);
        });
    }

    [Fact]
    public void Values_and_gradients_do_not_depend_on_the_settings()
    {
        if (OperatingSystem.IsWindows()) return;
        double[] Run()
        {
            using var scope = NewDisposeScope();
            manual_seed(11);
            var x = randn(512, 2048, dtype: ScalarType.Float64).requires_grad_(); // 8 MiB: through the layer
            var loss = x.mul(x).sum();
            loss.backward();
            return [loss.item<double>(), x.grad!.sum().item<double>(), x.grad!.abs().sum().item<double>()];
        }
        double[] plain = [], layered = [];
        WithSettings(hugePages: false, cacheLimit: 0, () => plain = Run());
        WithSettings(hugePages: KernelAllowsHugePages(), cacheLimit: 256 * MiB, () => { Run(); layered = Run(); });
        // Σ x² and its gradient 2x: the same numbers whichever allocator held them.
        layered.Should().Equal(plain);
        if (!KernelAllowsHugePages())
            FluentActions.Invoking(() => CpuAllocator.HugePages = true).Should().Throw<PlatformNotSupportedException>();
        FluentActions.Invoking(() => CpuAllocator.CacheLimit = -1).Should().Throw<ArgumentOutOfRangeException>();
    }
}
