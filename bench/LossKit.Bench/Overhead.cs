using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LossKit.Torch;
using static LossKit.Torch.torch;

namespace LossKit.Bench;

/// <summary>
/// The per-operation overhead of the binding, for the reliability work (GC memory pressure): nanoseconds per element-wise
/// add of two 1-element tensors (the new handle's size is queried and is under the reporting threshold), inside and
/// outside a dispose scope, and of two 16K-element tensors (64 KB: reported to the GC on creation, removed on release).
/// Median of several rounds.
/// </summary>
internal static class Overhead
{
    public static Command Command()
    {
        var iterations = new Option<int>("--iterations") { Description = "Adds per round.", DefaultValueFactory = _ => 1_000_000 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds (the median is reported).", DefaultValueFactory = _ => 7 };
        var command = new Command("overhead", "Measures the binding's per-operation overhead (ns per add of 1-element and 64 KB tensors).")
        {
            iterations, rounds,
        };
        command.SetAction(parse => Run(parse.GetValue(iterations), parse.GetValue(rounds)));
        return command;
    }

    private static int Run(int iterations, int rounds)
    {
        set_num_threads(1);
        using var a = ones(1);
        using var b = ones(1);
        using var big1 = ones(16 * 1024);
        using var big2 = ones(16 * 1024);
        Report("add, 1 element, outside dispose scopes", rounds, () =>
        {
            for (var i = 0; i < iterations; i++)
            {
                using var r = a + b;
            }
        }, iterations);
        Report("add, 1 element, in a dispose scope (disposed at once)", rounds, () =>
        {
            using var scope = NewDisposeScope();
            for (var i = 0; i < iterations; i++)
            {
                using var r = a + b;
            }
        }, iterations);
        var bigIterations = Math.Max(1, iterations / 10);
        Report("add, 16K elements (64 KB), outside dispose scopes", rounds, () =>
        {
            for (var i = 0; i < bigIterations; i++)
            {
                using var r = big1 + big2;
            }
        }, bigIterations);
        return 0;
    }

    private static void Report(string what, int rounds, Action round, int iterations)
    {
        round(); // warm-up (JIT, allocator)
        var ns = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            var start = Stopwatch.GetTimestamp();
            round();
            ns.Add(Stopwatch.GetElapsedTime(start).TotalNanoseconds / iterations);
        }
        ns.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what,-55} median {ns[ns.Count / 2],7:F1} ns/op   (min {ns[0]:F1}, max {ns[^1]:F1}, {rounds} rounds of {iterations})"));
    }
}
