using System.Globalization;
using System.Text;
using System.Text.Json;
using LossKit.Torch;

namespace LossKit.Bench;

internal sealed record CaseResult(string Name, string Loss, string Size, string PyTorchForm, double LossKitMs, double PyTorchMs,
    double CompulsoryBytes, double InputBytes, long LossKitExtraPeak, long PyTorchExtraPeak)
{
    public double Ratio => PyTorchMs / LossKitMs;
    public double LossKitGBs => CompulsoryBytes / (LossKitMs / 1e3) / 1e9;
    public double PyTorchGBs => CompulsoryBytes / (PyTorchMs / 1e3) / 1e9;
}

internal sealed record OverheadResult(string Call, double LossKitUs, double PyTorchUs);

internal sealed record BenchRun(string Date, string Machine, int Threads, string Capability, string Torch, string Python, double CopyGBs,
    int Repetitions, int Iterations, string Allocator, List<CaseResult> Cases, List<OverheadResult> Overheads);

internal static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>LossKit's CPU allocator settings, in words (PyTorch's side is glibc malloc as is).</summary>
    public static string Allocator() =>
        CpuAllocator.CacheLimit == 0 && !CpuAllocator.HugePages
            ? "plain (glibc malloc, as PyTorch)"
            : string.Create(Inv, $"large-block cache up to {CpuAllocator.CacheLimit >> 20} MiB, huge pages {(CpuAllocator.HugePages ? "on" : "off")}");

    public static string Markdown(BenchRun run)
    {
        var s = new StringBuilder();
        s.AppendLine(Inv, $"Measured {run.Date} on {run.Machine}; {run.Threads} thread(s) on both sides; LossKit kernels: {run.Capability}; " +
                          $"PyTorch {run.Torch} (Debian python3-torch, Python {run.Python}) on the same libtorch. " +
                          $"LossKit's CPU allocator: {run.Allocator} (see CpuAllocator); PyTorch's: glibc malloc as is. " +
                          $"Forward + backward, median of {run.Repetitions} alternating rounds x {run.Iterations} iterations per side. " +
                          $"Copy bandwidth measured in the same run: {run.CopyGBs:F1} GB/s.");
        s.AppendLine();
        s.AppendLine("| loss | size | PyTorch computes it with | LossKit ms | PyTorch ms | speed-up | LossKit GB/s (% of copy) | PyTorch GB/s | extra peak memory LossKit / PyTorch (x input) |");
        s.AppendLine("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var c in run.Cases)
        {
            s.AppendLine(Inv,
                $"| {c.Loss} | {c.Size} | {c.PyTorchForm} | {c.LossKitMs:F2} | {c.PyTorchMs:F2} | {c.Ratio:F2}x | " +
                $"{c.LossKitGBs:F1} ({100 * c.LossKitGBs / run.CopyGBs:F0}%) | {c.PyTorchGBs:F1} | {Peak(c.LossKitExtraPeak, c.InputBytes)} / {Peak(c.PyTorchExtraPeak, c.InputBytes)} |");
        }
        if (run.Overheads.Count > 0)
        {
            s.AppendLine();
            s.AppendLine(Inv, $"Per-call overhead: median of {run.Repetitions} alternating rounds per side.");
            s.AppendLine();
            s.AppendLine("| per-call overhead | LossKit µs | PyTorch (from Python) µs | speed-up |");
            s.AppendLine("| --- | ---: | ---: | ---: |");
            foreach (var o in run.Overheads)
                s.AppendLine(Inv, $"| {o.Call} | {o.LossKitUs:F2} | {o.PyTorchUs:F2} | {o.PyTorchUs / o.LossKitUs:F2}x |");
        }
        return s.ToString();
    }

    private static string Peak(long bytes, double inputBytes) =>
        bytes < 0 ? "n/a" : (bytes / inputBytes).ToString("F1", Inv);

    public static void Write(BenchRun run, string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "latest.json"),
            JsonSerializer.Serialize(run, new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(Path.Combine(directory, "latest.md"), Markdown(run));
    }
}
