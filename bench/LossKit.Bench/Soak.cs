using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Bench;

/// <summary>
/// The soak test (reliability): a long run of forward + backward steps cycling over every loss on small realistic
/// tensors (batch 32), each step in its own dispose scope, taking the fused kernels, the composed path and the non-finite
/// check in turn. It prints resident memory (VmRSS) and the GC heap every <c>--report-every</c> steps, and at the end the
/// growth since the first report (after warm-up); it fails (exit code 1) when VmRSS grew by more than <c>--max-growth</c>
/// percent. Not part of CI: run it by hand (a million steps take a few minutes).
/// </summary>
internal static class Soak
{
    public static Command Command()
    {
        var steps = new Option<int>("--steps") { Description = "Forward + backward steps in all.", DefaultValueFactory = _ => 1_000_000 };
        var every = new Option<int>("--report-every") { Description = "Steps between memory reports.", DefaultValueFactory = _ => 100_000 };
        var maxGrowth = new Option<double>("--max-growth") { Description = "Largest VmRSS growth after warm-up, in percent.", DefaultValueFactory = _ => 5.0 };
        var command = new Command("soak", "Runs many forward + backward steps over every loss and reports resident memory.") { steps, every, maxGrowth };
        command.SetAction(parse => Run(parse.GetValue(steps), parse.GetValue(every), parse.GetValue(maxGrowth)));
        return command;
    }

    private const int Batch = 32, Classes = 10;

    /// <summary>One step of one loss: creates its tensors (in the caller's scope), returns the loss to differentiate.</summary>
    private sealed record Case(string Name, Func<Tensor> Step);

    private static List<Case> Cases(List<IDisposable> modules)
    {
        T Keep<T>(T module) where T : IDisposable
        {
            modules.Add(module);
            return module;
        }

        Tensor X(int columns = Classes) => randn(Batch, columns, requires_grad: true);
        Tensor Y(int columns = Classes) => randn(Batch, columns);
        Tensor P(int columns = Classes) => rand(Batch, columns);
        Tensor Labels() => randint(0, Classes, [Batch]);

        var mse = Keep(losses.MSELoss());
        var l1 = Keep(losses.L1Loss());
        var huber = Keep(losses.HuberLoss(0.5));
        var smoothL1 = Keep(losses.SmoothL1Loss(beta: 0.5));
        var rmse = Keep(losses.RMSELoss());
        var smooth = Keep(losses.SmoothLoss());
        var bce = Keep(losses.BCELoss(weight: linspace(0.5, 1.5, Classes)));
        var bceLogits = Keep(losses.BCEWithLogitsLoss(pos_weights: linspace(0.5, 2, Classes)));
        var sigmoidFocal = Keep(losses.SigmoidFocalLoss());
        var kl = Keep(losses.KLDivLoss(Reduction.BatchMean));
        var ce = Keep(losses.CrossEntropyLoss(linspace(0.5, 2, Classes), label_smoothing: 0.1));
        var nll = Keep(losses.NLLLoss(ignore_index: 3));
        var focal = Keep(losses.FocalLoss());
        var labelSmoothing = Keep(losses.LabelSmoothingLoss(Classes, 0.1));
        var f1 = Keep(losses.F1Loss());
        var dice = Keep(losses.DiceLoss(OverlapMode.Multilabel));
        var ctc = Keep(losses.CTCLoss(zero_infinity: true));
        var combined = Keep(losses.Combine((losses.CrossEntropyLoss(), 1.0), (losses.DiceLoss(), 0.5)));
        long[] targetLengths = [.. Enumerable.Range(0, Batch).Select(n => (long)(1 + n % 5))];
        long[] inputLengths = [.. Enumerable.Range(0, Batch).Select(n => (long)(20 - n % 4))];

        return
        [
            new("MSE", () => mse.call(X(), Y())),
            new("L1", () => l1.call(X(), Y())),
            new("Huber", () => huber.call(X(), Y())),
            new("SmoothL1", () => smoothL1.call(X(), Y())),
            new("RMSE", () => rmse.call(X(), Y())),
            new("SmoothLoss", () => smooth.call(X(), Y())),
            new("BCE", () =>
            {
                var p = rand(Batch, Classes).mul(0.98).add(0.01).requires_grad_();
                return bce.call(p, P());
            }),
            new("BCEWithLogits", () => bceLogits.call(X(), P())),
            new("SigmoidFocal", () => sigmoidFocal.call(X(), P())),
            new("KLDiv", () => kl.call(X().log_softmax(1), P().softmax(1))),
            new("CrossEntropy", () => ce.call(X(), Labels())),
            new("NLL", () => nll.call(X().log_softmax(1), Labels())),
            new("Focal", () => focal.call(X(), Labels())),
            new("LabelSmoothing", () => labelSmoothing.call(X(), Labels())),
            new("F1", () => f1.call(X(), Labels())),
            new("Dice (multilabel)", () => dice.call(X(), P().round())),
            new("CTC", () =>
            {
                var logits = randn(20, Batch, 6, requires_grad: true);
                var targets = randint(1, 6, [Batch, 5]);
                return ctc.call(logits.log_softmax(2), targets, inputLengths, targetLengths);
            }),
            new("CombinedLoss", () => combined.call(X(), Labels())),
        ];
    }

    private static int Run(int steps, int reportEvery, double maxGrowth)
    {
        if (steps < 1 || reportEvery < 1)
        {
            Console.Error.WriteLine("soak: --steps and --report-every must be positive.");
            return 2;
        }
        set_num_threads(1);
        manual_seed(1);
        var modules = new List<IDisposable>();
        var cases = Cases(modules);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"soak: {steps:N0} forward + backward steps cycling over {cases.Count} losses (batch {Batch}), each in a dispose scope; " +
            $"fused kernels, composed path and LossChecks.ThrowOnNonFinite in turn; a report every {reportEvery:N0} steps"));
        Console.WriteLine($"losses: {string.Join(", ", cases.Select(c => c.Name))}");
        Console.WriteLine();
        // VmRSS includes the memory the GC has committed (its heap plus allocation budget); "native" is the rest: libtorch,
        // the shim and the C allocator, where a leak of tensors would show.
        Console.WriteLine("     steps        VmRSS      GC heap   GC committed       native    µs/step");

        (long step, long rss, long heap, long committed)? first = null;
        (long step, long rss, long heap, long committed) last = default;
        var clock = Stopwatch.StartNew();
        var sinceReport = Stopwatch.StartNew();
        var nonFinite = 0L;
        for (var step = 1; step <= steps; step++)
        {
            var c = cases[(step - 1) % cases.Count];
            var variant = (step - 1) / cases.Count % 3; // 0: fused, 1: composed, 2: fused with the non-finite check
            using (var scope = NewDisposeScope())
            using (variant == 1 ? FusedKernels.DisableOnThisThread() : null)
            using (variant == 2 ? LossChecks.ThrowOnNonFiniteOnThisThread() : null)
            {
                try
                {
                    c.Step().backward();
                }
                catch (NonFiniteLossException)
                {
                    nonFinite++; // random data never produces one; counted, not hidden
                }
            }
            if (step % reportEvery != 0 && step != steps) continue;

            var perStep = sinceReport.Elapsed.TotalMicroseconds / (step % reportEvery == 0 ? reportEvery : step % reportEvery);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var sample = (step: (long)step, rss: ResidentBytes(), heap: GC.GetTotalMemory(false), committed: GC.GetGCMemoryInfo().TotalCommittedBytes);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{step,10:N0} {Mib(sample.rss),10:F1} MiB {Mib(sample.heap),8:F1} MiB {Mib(sample.committed),10:F1} MiB " +
                $"{Mib(sample.rss - sample.committed),8:F1} MiB {perStep,10:F1}"));
            first ??= sample;
            last = sample;
            sinceReport.Restart();
        }
        clock.Stop();
        foreach (var m in modules) m.Dispose();

        var (step0, rss0, heap0, committed0) = first!.Value;
        var growth = 100.0 * (last.rss - rss0) / rss0;
        var native0 = rss0 - committed0;
        var nativeGrowth = 100.0 * (last.rss - last.committed - native0) / native0;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{steps:N0} steps in {clock.Elapsed.TotalSeconds:F0} s; {nonFinite} non-finite losses."));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"growth after warm-up ({step0:N0} -> {last.step:N0} steps): VmRSS {growth:+0.00;-0.00;0.00} % ({Mib(last.rss - rss0):+0.0;-0.0;0.0} MiB), " +
            $"GC heap {Mib(last.heap - heap0):+0.0;-0.0;0.0} MiB, GC committed {Mib(last.committed - committed0):+0.0;-0.0;0.0} MiB, " +
            $"native {nativeGrowth:+0.00;-0.00;0.00} % ({Mib(last.rss - last.committed - native0):+0.0;-0.0;0.0} MiB)"));
        if (rss0 <= 0)
        {
            Console.WriteLine("VmRSS is not available here (no /proc/self/status): nothing to judge.");
            return 0;
        }
        var ok = growth <= maxGrowth;
        Console.WriteLine(ok ? $"OK: within {maxGrowth} %." : $"FAILED: VmRSS grew by more than {maxGrowth} % after warm-up.");
        return ok ? 0 : 1;
    }

    private static double Mib(long bytes) => bytes / (1024.0 * 1024.0);

    /// <summary>VmRSS from /proc/self/status in bytes, or -1 where there is none.</summary>
    private static long ResidentBytes()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return -1;
        foreach (var line in File.ReadLines(path))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        return -1;
    }
}
