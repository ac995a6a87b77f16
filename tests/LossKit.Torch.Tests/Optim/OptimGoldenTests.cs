using LossKit.Torch.Modules;
using Xunit.Abstractions;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.optim.lr_scheduler;

namespace LossKit.Torch.Tests.Optim;

/// <summary>
/// LossKit against PyTorch 1.13 itself: parameter trajectories and learning-rate sequences from Golden/optim.json
/// (tools/golden/gen_optim_golden.py), replayed with the same inputs.
/// </summary>
public class OptimGoldenTests(ITestOutputHelper output)
{
    private static GoldenOptimFile Golden => GoldenOptimFile.Instance;

    public static TheoryData<string> OptimizerNames => new(GoldenOptimFile.Instance.Optimizers.Select(o => o.Name));

    public static TheoryData<string> SchedulerNames => new(GoldenOptimFile.Instance.Schedulers.Select(o => o.Name));

    public static TheoryData<string> PlateauNames => new(GoldenOptimFile.Instance.Plateaus.Select(o => o.Name));

    [Fact]
    public void The_golden_file_describes_the_problem_the_tests_use()
    {
        Golden.TorchVersion.Should().StartWith("1.13");
        Golden.Problem.Shapes.Should().BeEquivalentTo(OptimProblem.Shapes, o => o.WithStrictOrdering());
        Golden.Problem.Init.Should().BeEquivalentTo(OptimProblem.Init, o => o.WithStrictOrdering());
        Golden.Problem.A.Should().BeEquivalentTo(OptimProblem.A, o => o.WithStrictOrdering());
        Golden.Problem.B.Should().BeEquivalentTo(OptimProblem.B, o => o.WithStrictOrdering());
        Golden.Problem.InLoss.Should().Equal(true, true, false);
    }

    // ----- optimizers ------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void Optimizer_trajectory_matches_PyTorch(string name)
    {
        var c = Golden.Optimizers.Single(o => o.Name == name);
        var dtype = c.Dtype == "float32" ? ScalarType.Float32 : ScalarType.Float64;
        // float64: 1e-12 relative, as asked; float32: the same kernels give the same floats, 1e-6 leaves room for none.
        var rel = dtype == ScalarType.Float64 ? 1e-12 : 1e-6;

        using var problem = new ProblemParameters(dtype);
        using var optimizer = Build(c, problem.Parameters);
        optimizer.ParamGroups.Should().HaveCount(c.Groups.Count);

        var worst = 0.0;
        for (var step = 0; step < c.Steps; step++)
        {
            if (c.LrChanges?.TryGetValue(step.ToString(System.Globalization.CultureInfo.InvariantCulture), out var lrs) == true)
                for (var g = 0; g < lrs.Length; g++) optimizer.ParamGroups[g].LearningRate = lrs[g];
            optimizer.zero_grad();
            problem.Backward(Golden.Problem.InLoss);
            optimizer.step();
            for (var i = 0; i < problem.Parameters.Length; i++)
            {
                var actual = problem.Values(i);
                var expected = c.Trajectory[step][i];
                worst = Math.Max(worst, Close.RelativeError(actual, expected));
                Close.Assert(actual, expected, rel, $"{name}: parameter {i} after step {step + 1}");
            }
        }
        output.WriteLine($"{name}: largest relative difference from PyTorch: {worst:E2}");
    }

    /// <summary>Builds the optimizer of a golden configuration through the factory overload it calls for.</summary>
    private static optim.Optimizer Build(GoldenOptimizer c, Parameter[] ps)
    {
        var d = c.Defaults;
        var single = c.Groups.Count == 1 && c.Groups[0].Options.Count == 0;
        IEnumerable<Parameter> Params(GoldenGroup g) => g.Params.Select(i => ps[i]);
        switch (c.Optimizer)
        {
            case "SGD":
                {
                    var (lr, momentum, dampening, wd, nesterov, maximize) = (d.Double("lr")!.Value, d.Double("momentum") ?? 0, d.Double("dampening") ?? 0,
                        d.Double("weight_decay") ?? 0, d.Bool("nesterov") ?? false, d.Bool("maximize") ?? false);
                    if (single) return optim.SGD(ps, lr, momentum, dampening, wd, nesterov, maximize);
                    var groups = c.Groups.Select(g => new SGD.ParamGroup(Params(g), g.Options.Double("lr"), g.Options.Double("momentum"),
                        g.Options.Double("dampening"), g.Options.Double("weight_decay"), g.Options.Bool("nesterov"), g.Options.Bool("maximize")));
                    return optim.SGD(groups.ToList(), lr, momentum, dampening, wd, nesterov, maximize);
                }
            case "Adam":
            case "AdamW":
                {
                    var adamW = c.Optimizer == "AdamW";
                    var (lr, beta1, beta2, eps, wd, amsgrad, maximize) = (d.Double("lr") ?? 1e-3, d.Double("beta1") ?? 0.9, d.Double("beta2") ?? 0.999,
                        d.Double("eps") ?? 1e-8, d.Double("weight_decay") ?? (adamW ? 0.01 : 0), d.Bool("amsgrad") ?? false, d.Bool("maximize") ?? false);
                    if (single && d.Count == 0)
                        return adamW ? optim.AdamW(ps) : optim.Adam(ps); // PyTorch's defaults are the factories' defaults
                    if (single)
                        return adamW ? optim.AdamW(ps, lr, beta1, beta2, eps, wd, amsgrad, maximize) : optim.Adam(ps, lr, beta1, beta2, eps, wd, amsgrad, maximize);
                    if (adamW)
                        return optim.AdamW(c.Groups.Select(g => new AdamW.ParamGroup(Params(g), g.Options.Double("lr"), g.Options.Double("beta1"), g.Options.Double("beta2"),
                            g.Options.Double("eps"), g.Options.Double("weight_decay"), g.Options.Bool("amsgrad"), g.Options.Bool("maximize"))).ToList(),
                            lr, beta1, beta2, eps, wd, amsgrad, maximize);
                    return optim.Adam(c.Groups.Select(g => new Adam.ParamGroup(Params(g), g.Options.Double("lr"), g.Options.Double("beta1"), g.Options.Double("beta2"),
                        g.Options.Double("eps"), g.Options.Double("weight_decay"), g.Options.Bool("amsgrad"), g.Options.Bool("maximize"))).ToList(),
                        lr, beta1, beta2, eps, wd, amsgrad, maximize);
                }
            case "RMSprop":
                {
                    var (lr, alpha, eps, wd, momentum, centered, maximize) = (d.Double("lr") ?? 0.01, d.Double("alpha") ?? 0.99, d.Double("eps") ?? 1e-8,
                        d.Double("weight_decay") ?? 0, d.Double("momentum") ?? 0, d.Bool("centered") ?? false, d.Bool("maximize") ?? false);
                    if (single && d.Count == 0) return optim.RMSprop(ps);
                    if (single) return optim.RMSprop(ps, lr, alpha, eps, wd, momentum, centered, maximize);
                    return optim.RMSProp(c.Groups.Select(g => new RMSProp.ParamGroup(Params(g), g.Options.Double("lr"), g.Options.Double("alpha"), g.Options.Double("eps"),
                        g.Options.Double("weight_decay"), g.Options.Double("momentum"), g.Options.Bool("centered"), g.Options.Bool("maximize"))).ToList(),
                        lr, alpha, eps, wd, momentum, centered, maximize);
                }
            default:
                throw new ArgumentException($"unknown optimizer {c.Optimizer}");
        }
    }

    // ----- chainable schedulers ----------------------------------------------------------------------------

    /// <summary>An SGD optimizer with one one-element parameter per group, at the given learning rates.</summary>
    internal sealed class ScheduledOptimizer : IDisposable
    {
        public ScheduledOptimizer(IReadOnlyList<double> lrs)
        {
            Parameters = lrs.Select(_ =>
            {
                using var z = zeros(1, ScalarType.Float64);
                return new Parameter(z);
            }).ToArray();
            Optimizer = optim.SGD(Parameters.Select((p, i) => new SGD.ParamGroup([p], lr: lrs[i])).ToList(), learningRate: lrs[0]);
        }

        public Parameter[] Parameters { get; }

        public SGD Optimizer { get; }

        public double[] LearningRates => Optimizer.ParamGroups.Select(g => g.LearningRate).ToArray();

        public void Dispose()
        {
            Optimizer.Dispose();
            foreach (var p in Parameters) p.Dispose();
        }
    }

    private static LRScheduler BuildScheduler(optim.Optimizer optimizer, Dictionary<string, System.Text.Json.JsonElement> spec)
    {
        var lastEpoch = spec.Int("last_epoch") ?? -1;
        return spec.String("type") switch
        {
            "StepLR" => spec.Double("gamma") is { } g
                ? StepLR(optimizer, spec.Int("step_size")!.Value, g, lastEpoch)
                : StepLR(optimizer, spec.Int("step_size")!.Value, last_epoch: lastEpoch),
            "MultiStepLR" => spec.Double("gamma") is { } g
                ? MultiStepLR(optimizer, spec["milestones"].EnumerateArray().Select(e => e.GetInt32()).ToList(), g, lastEpoch)
                : MultiStepLR(optimizer, spec["milestones"].EnumerateArray().Select(e => e.GetInt32()).ToList(), last_epoch: lastEpoch),
            "ExponentialLR" => ExponentialLR(optimizer, spec.Double("gamma")!.Value, lastEpoch),
            var t => throw new ArgumentException($"unknown scheduler {t}"),
        };
    }

    [Theory]
    [MemberData(nameof(SchedulerNames))]
    public void Scheduler_learning_rates_match_PyTorch(string name)
    {
        var c = Golden.Schedulers.Single(s => s.Name == name);
        using var setup = new ScheduledOptimizer(c.InitialLrs);
        if (c.InitialLr is { } initial)
            for (var g = 0; g < initial.Length; g++) setup.Optimizer.ParamGroups[g].InitialLearningRate = initial[g];
        var schedulers = c.Schedulers.Select(s => BuildScheduler(setup.Optimizer, s)).ToList();

        var worst = 0.0;
        void Check(int epoch)
        {
            worst = Math.Max(worst, Close.RelativeError(setup.LearningRates, c.Lrs[epoch], floor: 0));
            Close.Assert(setup.LearningRates, c.Lrs[epoch], 1e-12, $"{name}: learning rates after epoch {epoch}", floor: 0);
            Close.Assert(schedulers[^1].get_last_lr().ToArray(), c.LastLr[epoch], 1e-12, $"{name}: get_last_lr() after epoch {epoch}", floor: 0);
            schedulers.Select(s => s.last_epoch).Should().Equal(c.LastEpochs[epoch], $"{name}: last_epoch after epoch {epoch}");
        }

        Check(0);
        for (var step = 0; step < c.Steps; step++)
        {
            if (c.LrChanges?.TryGetValue(step.ToString(System.Globalization.CultureInfo.InvariantCulture), out var lrs) == true)
                for (var g = 0; g < lrs.Length; g++) setup.Optimizer.ParamGroups[g].LearningRate = lrs[g];
            setup.Optimizer.step();
            foreach (var s in schedulers) s.step();
            Check(step + 1);
        }
        output.WriteLine($"{name}: largest relative difference from PyTorch: {worst:E2}");
    }

    // ----- ReduceLROnPlateau -----------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(PlateauNames))]
    public void ReduceLROnPlateau_matches_PyTorch(string name)
    {
        var c = Golden.Plateaus.Single(s => s.Name == name);
        using var setup = new ScheduledOptimizer(c.InitialLrs);
        var k = c.Kwargs;
        var (mode, factor, patience, threshold, thresholdMode, cooldown, eps) = (k.String("mode") ?? "min", k.Double("factor") ?? 0.1,
            k.Int("patience") ?? 10, k.Double("threshold") ?? 1e-4, k.String("threshold_mode") ?? "rel", k.Int("cooldown") ?? 0, k.Double("eps") ?? 1e-8);
        var scheduler = k.TryGetValue("min_lr", out var minLr) && minLr.ValueKind == System.Text.Json.JsonValueKind.Array
            ? ReduceLROnPlateau(setup.Optimizer, min_lr: minLr.EnumerateArray().Select(e => e.GetDouble()).ToList(), mode, factor, patience, threshold, thresholdMode, cooldown, eps)
            : ReduceLROnPlateau(setup.Optimizer, mode, factor, patience, threshold, thresholdMode, cooldown, k.Double("min_lr") ?? 0, eps);

        for (var step = 0; step < c.Metrics.Length; step++)
        {
            setup.Optimizer.step();
            scheduler.step(c.Metrics[step]);
            var because = $"{name}: after metric {step} ({c.Metrics[step]})";
            setup.LearningRates.Should().Equal(c.Lrs[step], because);
            scheduler.get_last_lr().Should().Equal(c.Lrs[step], because);
            scheduler.num_bad_epochs.Should().Be(c.NumBadEpochs[step], because);
            scheduler.cooldown_counter.Should().Be(c.CooldownCounter[step], because);
            scheduler.last_epoch.Should().Be(c.LastEpoch[step], because);
            if (c.Best[step] is { } best) scheduler.best.Should().Be(best, because);
            else double.IsInfinity(scheduler.best).Should().BeTrue(because);
        }
    }
}
