using System.Diagnostics;
using System.Runtime.InteropServices;
using LossKit.Torch;
using static LossKit.Torch.torch;

namespace LossKit.Bench;

/// <summary>Timing and memory measurements of the LossKit side (the PyTorch side mirrors them in pytorch_side.py).</summary>
internal static partial class Measure
{
    /// <summary>Per-iteration milliseconds of forward + backward (+ clearing the gradient), each in its own dispose scope.</summary>
    public static double[] Iterations(Tensor input, Func<Tensor> loss, int iterations)
    {
        var ms = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            Step(input, loss);
            ms[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return ms;
    }

    public static void Step(Tensor input, Func<Tensor> loss)
    {
        using var scope = NewDisposeScope();
        loss().backward();
        input.grad = null;
    }

    /// <summary>
    /// Peak resident memory one step adds over what is resident before it: freed heap is returned to the system first
    /// (LossKit's large-block cache emptied, malloc_trim), then the kernel's high-water mark is reset (/proc/self/clear_refs) and read after the step.
    /// </summary>
    public static long ExtraPeakBytes(Action step)
    {
        if (!OperatingSystem.IsLinux()) return -1;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        CpuAllocator.EmptyCache(); // a cached block would already be resident and hide the step's allocation
        malloc_trim(0);
        File.WriteAllText("/proc/self/clear_refs", "5");
        var baseline = StatusKiB("VmRSS");
        step();
        return (StatusKiB("VmHWM") - baseline) * 1024;
    }

    /// <summary>Copy bandwidth (GB/s, read + write) of libtorch's copy_ over 64 MB, measured now.</summary>
    public static double CopyBandwidth()
    {
        const long n = 16L * 1024 * 1024;
        using var src = rand(n);
        using var dst = empty(n);
        dst.copy_(src);
        var samples = new List<double>();
        for (var i = 0; i < 15; i++)
        {
            var start = Stopwatch.GetTimestamp();
            dst.copy_(src);
            samples.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return 2.0 * n * sizeof(float) / Median(samples) / 1e9;
    }

    /// <summary>Microseconds per call of <paramref name="call"/> (after a warm-up).</summary>
    public static double MicrosecondsPerCall(Action call, int iterations)
    {
        for (var i = 0; i < Math.Min(iterations, 1000); i++) call();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < iterations; i++) call();
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds / iterations;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return double.NaN;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static long StatusKiB(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        return 0;
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int malloc_trim(nuint pad);
}
