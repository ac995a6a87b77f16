using LossKit.Torch.Modules;
using Xunit.Abstractions;

namespace LossKit.Torch.Tests.Optim;

/// <summary>
/// Every optimizer option against the plain float64 reference implementations of <see cref="RefOptimizer"/>: the same
/// problem, LossKit's gradients from autograd and the reference's from the analytic formula, compared after each of
/// 10 steps (the learning rate is halved before step 6, as a scheduler or a user would between steps).
/// </summary>
public class OptimizerReferenceTests(ITestOutputHelper output)
{
    private const int Steps = 10;
    private const int LrChangeStep = 5;

    private static readonly Dictionary<string, (string Kind, RefOptions Options)> Cases = new()
    {
        ["SGD"] = ("SGD", new RefOptions { Lr = 0.1 }),
        ["SGD momentum"] = ("SGD", new RefOptions { Lr = 0.05, Momentum = 0.9 }),
        ["SGD momentum dampening"] = ("SGD", new RefOptions { Lr = 0.05, Momentum = 0.9, Dampening = 0.3 }),
        ["SGD nesterov"] = ("SGD", new RefOptions { Lr = 0.05, Momentum = 0.8, Nesterov = true }),
        ["SGD weight_decay"] = ("SGD", new RefOptions { Lr = 0.05, WeightDecay = 0.1 }),
        ["SGD momentum weight_decay"] = ("SGD", new RefOptions { Lr = 0.05, Momentum = 0.5, WeightDecay = 0.1 }),
        ["SGD maximize"] = ("SGD", new RefOptions { Lr = 0.01, Maximize = true }),
        ["SGD nesterov weight_decay maximize"] = ("SGD", new RefOptions { Lr = 0.02, Momentum = 0.7, WeightDecay = 0.2, Nesterov = true, Maximize = true }),
        ["SGD dampening weight_decay maximize"] = ("SGD", new RefOptions { Lr = 0.02, Momentum = 0.6, Dampening = 0.5, WeightDecay = 0.05, Maximize = true }),
        ["Adam"] = ("Adam", new RefOptions { Lr = 1e-3 }),
        ["Adam betas"] = ("Adam", new RefOptions { Lr = 0.05, Beta1 = 0.8, Beta2 = 0.95 }),
        ["Adam weight_decay"] = ("Adam", new RefOptions { Lr = 0.01, WeightDecay = 0.1 }),
        ["Adam amsgrad"] = ("Adam", new RefOptions { Lr = 0.1, Beta2 = 0.9, Amsgrad = true }),
        ["Adam maximize"] = ("Adam", new RefOptions { Lr = 0.01, Maximize = true }),
        ["Adam eps"] = ("Adam", new RefOptions { Lr = 0.02, Eps = 0.01 }),
        ["Adam all options"] = ("Adam", new RefOptions { Lr = 0.03, Beta1 = 0.85, Beta2 = 0.9, Eps = 1e-6, WeightDecay = 0.2, Amsgrad = true, Maximize = true }),
        ["AdamW"] = ("AdamW", new RefOptions { Lr = 1e-3, WeightDecay = 0.01 }),
        ["AdamW strong decoupled decay"] = ("AdamW", new RefOptions { Lr = 0.05, WeightDecay = 0.5 }),
        ["AdamW no weight_decay"] = ("AdamW", new RefOptions { Lr = 0.05 }),
        ["AdamW amsgrad"] = ("AdamW", new RefOptions { Lr = 0.1, Beta2 = 0.9, WeightDecay = 0.1, Amsgrad = true }),
        ["AdamW maximize"] = ("AdamW", new RefOptions { Lr = 0.01, WeightDecay = 0.05, Maximize = true }),
        ["RMSprop"] = ("RMSprop", new RefOptions { Lr = 0.01 }),
        ["RMSprop alpha"] = ("RMSprop", new RefOptions { Lr = 0.02, Alpha = 0.9 }),
        ["RMSprop centered"] = ("RMSprop", new RefOptions { Lr = 0.01, Centered = true }),
        ["RMSprop momentum"] = ("RMSprop", new RefOptions { Lr = 0.01, Momentum = 0.9 }),
        ["RMSprop centered momentum"] = ("RMSprop", new RefOptions { Lr = 0.01, Centered = true, Momentum = 0.5 }),
        ["RMSprop weight_decay"] = ("RMSprop", new RefOptions { Lr = 0.01, WeightDecay = 0.1 }),
        ["RMSprop maximize"] = ("RMSprop", new RefOptions { Lr = 0.01, Maximize = true }),
        ["RMSprop eps"] = ("RMSprop", new RefOptions { Lr = 0.01, Eps = 0.1 }),
        ["RMSprop all options"] = ("RMSprop", new RefOptions { Lr = 0.005, Alpha = 0.95, Eps = 1e-6, WeightDecay = 0.1, Momentum = 0.8, Centered = true, Maximize = true }),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    internal static torch.optim.Optimizer Build(string kind, RefOptions o, IEnumerable<Parameter> ps) => kind switch
    {
        "SGD" => torch.optim.SGD(ps, o.Lr, o.Momentum, o.Dampening, o.WeightDecay, o.Nesterov, o.Maximize),
        "Adam" => torch.optim.Adam(ps, o.Lr, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, o.Amsgrad, o.Maximize),
        "AdamW" => torch.optim.AdamW(ps, o.Lr, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, o.Amsgrad, o.Maximize),
        "RMSprop" => torch.optim.RMSprop(ps, o.Lr, o.Alpha, o.Eps, o.WeightDecay, o.Momentum, o.Centered, o.Maximize),
        _ => throw new ArgumentException(kind),
    };

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Matches_the_float64_reference_implementation_step_by_step(string name)
    {
        var (kind, options) = Cases[name];
        var refOptions = options with { };
        var reference = RefOptimizer.Create(kind, refOptions);
        var expected = OptimProblem.InitialValues();

        using var problem = new ProblemParameters();
        using var optimizer = Build(kind, options, problem.Parameters);

        var worst = 0.0;
        for (var step = 0; step < Steps; step++)
        {
            if (step == LrChangeStep)
            {
                refOptions.Lr /= 2;
                optimizer.ParamGroups[0].LearningRate /= 2;
            }
            optimizer.zero_grad();
            problem.Backward();
            optimizer.step();
            reference.Step(expected, OptimProblem.Gradients(expected));

            for (var i = 0; i < expected.Count; i++)
            {
                var actual = problem.Values(i);
                worst = Math.Max(worst, Close.RelativeError(actual, expected[i]));
                Close.Assert(actual, expected[i], 1e-12, $"{name}: parameter {i} after step {step + 1}");
            }
        }
        // p2 has no gradient: it must be exactly where it started.
        problem.Values(2).Should().Equal(OptimProblem.Init[2]);
        output.WriteLine($"{name}: largest relative difference from the reference over {Steps} steps: {worst:E2}");
    }
}
