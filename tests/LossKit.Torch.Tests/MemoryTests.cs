using System.Diagnostics;
using System.Globalization;
using LossKit.Torch.Interop;
using Xunit.Abstractions;
using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests;

/// <summary>
/// A long loop of small training steps must not grow the process's resident memory: every tensor a step creates is
/// released by its dispose scope, and nothing accumulates on the native side. Runs in the serial collection so that
/// no other test allocates while memory is measured.
/// </summary>
[Collection(SerialCollection.Name)]
public class MemoryTests(ITestOutputHelper output)
{
    // After warm-up the loop below moves resident memory by under 2 MiB. A leak is far larger: keeping just the
    // (1, 8) weight gradient of every step (a DetachFromDisposeScope too many) grows it by ~16 MiB every 40,000 steps.
    private const long AllowedGrowthBytes = 6L << 20;

    /// <summary>VmRSS from /proc/self/status in bytes, or null where there is no procfs (not Linux).</summary>
    private static long? ResidentBytes()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return null;
        foreach (var line in File.ReadLines(path))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            var kb = line["VmRSS:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
        }
        return null;
    }

    /// <summary>A measurement after letting the managed heap settle.</summary>
    private readonly record struct Sample(long? Resident, long ManagedCommitted)
    {
        /// <summary>Resident memory not accounted for by the GC's own heap: libtorch, the shim, the C allocator.</summary>
        public long? Native => Resident - ManagedCommitted;

        public override string ToString() =>
            $"VmRSS {Resident / 1024} KiB (GC heap {ManagedCommitted / 1024} KiB, rest {Native / 1024} KiB)";
    }

    private static Sample Measure()
    {
        // Collect so that what remains is what the loop kept, not garbage that is merely not collected yet.
        for (var i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        GC.Collect();
        return new Sample(ResidentBytes(), GC.GetGCMemoryInfo().TotalCommittedBytes);
    }

    /// <summary>
    /// A training-like loop WITHOUT dispose scopes and without a single Dispose: every step leaves about 5 MB of tensors
    /// (a 4 MB batch, activations, gradients) to the finalizers. The managed objects are a few hundred bytes per step, far
    /// too little for the GC to run on its own; it is the memory pressure reported for the native storages that makes it
    /// collect, so the finalizers free them. Resident memory stays bounded; without the pressure it would grow by about
    /// 5 MB per step (the loop stops as soon as it exceeds the bound, before it can exhaust the machine).
    /// </summary>
    [Fact]
    public void undisposed_tensors_are_freed_by_their_finalizers_because_the_GC_is_told_their_size()
    {
        const int steps = 2000;
        const long bound = 300L << 20; // vs. ~10 GB if nothing were freed
        var model = nn.Linear(256, 4);
        var before = Measure();
        var gen2 = GC.CollectionCount(2);
        long peak = 0;
        var clock = Stopwatch.StartNew();
        for (var step = 0; step < steps; step++)
        {
            var x = full([4096, 256], 1e-3 * (step % 11)); // 4 MB
            var loss = model.call(x).square().mean();
            loss.backward();
            using (no_grad())
                foreach (var p in model.parameters())
                    p.sub_(p.grad!, alpha: 1e-6);
            model.zero_grad();
            if (step % 50 != 0 || ResidentBytes() is not { } rss) continue;
            peak = Math.Max(peak, rss);
            (rss - before.Resident!.Value).Should().BeLessThan(bound,
                $"after {step} undisposed steps of ~5 MB, resident memory must stay bounded ({before})");
        }
        clock.Stop();
        var after = Measure();
        output.WriteLine($"{steps} undisposed steps in {clock.Elapsed.TotalSeconds:F1} s: {GC.CollectionCount(2) - gen2} gen2 collections; " +
                         $"before {before}; peak VmRSS {peak / 1024} KiB; after a full collection {after}");
        GC.CollectionCount(2).Should().BeGreaterThan(gen2, "the reported memory pressure made the GC collect");
        model.Dispose();
    }

    [Fact]
    public void memory_pressure_is_reported_only_for_large_storages_outside_dispose_scopes_and_only_once()
    {
        static bool Reports(Tensor t) => t.NativeHandle.ReportsMemoryPressure;

        using var big = zeros(1024, 4);          // 16 KiB, outside any scope
        Reports(big).Should().BeTrue();
        using var small = zeros(16);             // 64 bytes: under the threshold
        Reports(small).Should().BeFalse();
        using (var view = big.view(-1)) Reports(view).Should().BeFalse("a view shares the storage: counted once");
        using (var alias = big.alias()) Reports(alias).Should().BeFalse();

        Tensor kept, detached;
        using (var scope = NewDisposeScope())
        {
            var inScope = zeros(1024, 4);
            Reports(inScope).Should().BeFalse("a scope frees it deterministically (and keeps it alive until then)");
            kept = zeros(1024, 4).MoveToOuterDisposeScope();
            detached = zeros(1024, 4).DetachFromDisposeScope();
            Reports(kept).Should().BeTrue("it left the last scope: only the caller or the finalizer frees it now");
            Reports(detached).Should().BeTrue();
        }
        kept.Dispose();
        detached.Dispose();

        using var outer = NewDisposeScope();
        using (NewDisposeScope())
        {
            var moved = zeros(1024, 4).MoveToOuterDisposeScope();
            Reports(moved).Should().BeFalse("it moved to another scope");
        }
    }

    [Fact]
    public void a_hundred_thousand_training_steps_in_dispose_scopes_keep_memory_flat()
    {
        using var model = nn.Linear(8, 1);
        Tensor x, y;
        using (var data = NewDisposeScope())
        {
            x = randn(16, 8).DetachFromDisposeScope();
            y = randn(16, 1).DetachFromDisposeScope();
        }

        void Step()
        {
            using var scope = NewDisposeScope();
            model.zero_grad();
            var loss = nn.functional.mse_loss(model.call(x), y);
            loss.backward();
            using (no_grad())
                foreach (var p in model.parameters())
                    p.sub_(p.grad!, alpha: 1e-3);
        }

        // Three samples: a leak grows memory in both later intervals in proportion to the steps taken; the C allocator's
        // one-off growth (a new heap segment, fragmentation while another test process loads the machine) does not.
        // So the test fails only when BOTH intervals grew beyond the allowance.
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 20_000; i++) Step();
        var warm = Measure();
        for (var i = 20_000; i < 60_000; i++) Step();
        var middle = Measure();
        for (var i = 60_000; i < 100_000; i++) Step();
        var end = Measure();
        clock.Stop();
        output.WriteLine($"100,000 steps in {clock.Elapsed.TotalSeconds:F1} s");
        // The model still works and trained a little (the loss is finite).
        using (NewDisposeScope())
            double.IsFinite(nn.functional.mse_loss(model.call(x), y).ToDouble()).Should().BeTrue();
        x.Dispose();
        y.Dispose();

        output.WriteLine($"after warm-up {warm}; after 60,000 steps {middle}; at the end {end}");
        if (warm.Native is not { } a || middle.Native is not { } b || end.Native is not { } c) return; // no /proc here
        Math.Min(b - a, c - b).Should().BeLessThan(AllowedGrowthBytes / 2,
            $"40,000 training steps in dispose scopes must not grow resident memory, twice in a row (after warm-up: {warm}; after 60,000: {middle}; at the end: {end})");
    }
}
