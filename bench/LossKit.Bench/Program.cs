using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using LossKit.Bench;
using LossKit.Torch;
using static LossKit.Torch.torch;

// LossKit's side-by-side benchmark against PyTorch (same libtorch, same thread count, same inputs), and the soak test.
var threads = new Option<int>("--threads") { Description = "Intra-op threads on both sides.", DefaultValueFactory = _ => 1 };
var reps = new Option<int>("--reps") { Description = "Alternating rounds per case (LossKit, then PyTorch).", DefaultValueFactory = _ => 7 };
var iters = new Option<int>("--iters") { Description = "Timed iterations per side per round.", DefaultValueFactory = _ => 5 };
var filter = new Option<string?>("--filter") { Description = "Only cases whose name contains this text (e.g. ce, smooth, 512x)." };
var output = new Option<string>("--out") { Description = "Folder for latest.json and latest.md.", DefaultValueFactory = _ => "bench/results" };
var python = new Option<string>("--python") { Description = "Python with Debian's python3-torch.", DefaultValueFactory = _ => "/usr/bin/python3" };
var noPeak = new Option<bool>("--no-peak") { Description = "Skip the extra-peak-memory measurement." };
var plainAllocator = new Option<bool>("--plain-allocator")
{
    Description = "Turn off LossKit's large-block cache and huge pages (CpuAllocator), so both sides allocate through glibc malloc alone: kernels compared on equal allocators.",
};

var root = new RootCommand("LossKit vs PyTorch: forward + backward of every loss, measured side by side in one run.")
{
    threads, reps, iters, filter, output, python, noPeak, plainAllocator,
};
root.SetAction(parse =>
{
    var options = new BenchOptions(parse.GetValue(threads), parse.GetValue(reps), parse.GetValue(iters), parse.GetValue(filter),
        parse.GetValue(output)!, parse.GetValue(python)!, !parse.GetValue(noPeak), !parse.GetValue(plainAllocator));
    return SideBySide.Run(options);
});
root.Subcommands.Add(Soak.Command());
root.Subcommands.Add(Overhead.Command());
return root.Parse(args).Invoke();

internal sealed record BenchOptions(int Threads, int Reps, int Iters, string? Filter, string Output, string Python, bool MeasurePeak, bool LossKitAllocator);

internal static class SideBySide
{
    public static int Run(BenchOptions o)
    {
        set_num_threads(o.Threads);
        if (!o.LossKitAllocator)
        {
            CpuAllocator.HugePages = false;
            CpuAllocator.CacheLimit = 0;
        }
        using var py = PyTorchSide.Start(o.Python, o.Threads);
        var version = py.Request(new JsonObject { ["op"] = "version" });
        var copy = Measure.CopyBandwidth();
        var run = new BenchRun(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture), Machine(), get_num_threads(),
            FusedKernels.Capability.ToString(), version["torch"]!.GetValue<string>(), version["python"]!.GetValue<string>(), copy,
            o.Reps, o.Iters, Report.Allocator(), [], []);
        Console.WriteLine($"copy bandwidth {copy:F1} GB/s; {run.Machine}; threads {run.Threads}; kernels {run.Capability}; LossKit allocator: {run.Allocator}");

        foreach (var c in Cases.All().Where(c => o.Filter is null || c.Name.Contains(o.Filter, StringComparison.OrdinalIgnoreCase)))
        {
            var (input, loss) = c.Build();
            try
            {
                var setup = py.Request(new JsonObject { ["op"] = "setup", ["case"] = c.Name, ["threads"] = o.Threads });
                Measure.Step(input, loss); // warm-up (the PyTorch side warms up in setup)
                var lk = new List<double>();
                var pt = new List<double>();
                for (var r = 0; r < o.Reps; r++)
                {
                    lk.AddRange(Measure.Iterations(input, loss, o.Iters));
                    pt.AddRange(PyTorchSide.Doubles(py.Request(new JsonObject { ["op"] = "time", ["iters"] = o.Iters })["ms"]));
                }
                var inputBytes = (double)input.numel() * input.element_size();
                var lkPeak = o.MeasurePeak ? Measure.ExtraPeakBytes(() => Measure.Step(input, loss)) : -1;
                var ptPeak = o.MeasurePeak ? py.Request(new JsonObject { ["op"] = "peak" })["extra_bytes"]!.GetValue<long>() : -1;
                var result = new CaseResult(c.Name, c.Loss, c.Size, c.PyTorchForm, Measure.Median(lk), Measure.Median(pt),
                    c.CompulsoryBytesPerElement * input.numel(), inputBytes, lkPeak, ptPeak);
                run.Cases.Add(result);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{c.Name,-34} LossKit {result.LossKitMs,8:F2} ms   PyTorch {result.PyTorchMs,8:F2} ms   {result.Ratio,6:F2}x"));
                _ = setup;
            }
            finally
            {
                input.Dispose();
            }
        }

        if (o.Filter is null || "overhead".Contains(o.Filter, StringComparison.OrdinalIgnoreCase))
            run.Overheads.AddRange(Overheads(py, o.Reps));

        Report.Write(run, o.Output);
        Console.WriteLine();
        Console.WriteLine(Report.Markdown(run));
        Console.WriteLine($"written to {Path.GetFullPath(o.Output)}/latest.md and latest.json");
        return 0;
    }

    // Per-call costs are a microsecond or so: like the cases, each is the median of alternating rounds (LossKit, then
    // PyTorch), so a burst of noise on the shared machine lands in one round on one side, not in the result.
    private static IEnumerable<OverheadResult> Overheads(PyTorchSide py, int rounds)
    {
        OverheadResult Alternate(string what, string kind, int n, Action call)
        {
            var lk = new List<double>();
            var pt = new List<double>();
            for (var r = 0; r < rounds; r++)
            {
                lk.Add(Measure.MicrosecondsPerCall(call, n));
                pt.Add(py.Request(new JsonObject { ["op"] = "overhead", ["kind"] = kind, ["iters"] = n })["us"]!.GetValue<double>());
            }
            return new OverheadResult(what, Measure.Median(lk), Measure.Median(pt));
        }

        using var a = ones(1);
        using var b = ones(1);
        yield return Alternate("tiny op: add of two 1-element tensors", "add", 200_000, () => { using var r = a + b; });

        manual_seed(0);
        using var x = randn(8, 10).requires_grad_();
        using var y = randint(0, 10, [8]);
        using var t = randn(8, 10);
        yield return Alternate("small loss: cross-entropy 8x10, forward + backward", "small_ce", 20_000,
            () => Measure.Step(x, () => LossKit.losses.cross_entropy(x, y)));
        yield return Alternate("small loss: MSE 8x10, forward + backward", "small_mse", 20_000,
            () => Measure.Step(x, () => LossKit.losses.mse_loss(x, t)));
    }

    private static string Machine()
    {
        var model = "unknown CPU";
        try
        {
            model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? model;
        }
        catch (IOException)
        {
        }
        return $"{model}, {Environment.ProcessorCount} cores visible";
    }
}
