using LossKit.Tests.Infrastructure;
using LossKit.Tests.References;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Overlap;

/// <summary>Seeded random inputs for the overlap losses in every mode, and their reference values.</summary>
public sealed class OverlapData
{
    public required OverlapMode Mode { get; init; }
    public required long[] Shape { get; init; }
    public required bool FromLogits { get; init; }
    public required long IgnoreIndex { get; init; }
    public required double[] X { get; init; }
    public long[]? ClassTarget { get; init; }
    public double[]? FloatTarget { get; init; }

    public int N => Mode == OverlapMode.Binary ? 1 : (int)Shape[0];
    public int C => Mode == OverlapMode.Binary ? 1 : Shape.Length == 1 ? (int)Shape[0] : (int)Shape[1];
    public int L => Mode == OverlapMode.Binary ? X.Length : (int)Shape.Skip(2).Aggregate(1L, (a, b) => a * b);

    public long[] TargetShape => Mode == OverlapMode.Multiclass ? Shape.Take(1).Concat(Shape.Skip(2)).ToArray() : Shape;

    public Tensor Input(ScalarType dtype = ScalarType.Float64, bool requiresGrad = false) => Rng.Tensor(X, Shape, dtype, requiresGrad);

    public Tensor Target(ScalarType dtype = ScalarType.Float64) =>
        ClassTarget is not null ? tensor(ClassTarget, TargetShape) : Rng.Tensor(FloatTarget!, Shape, dtype);

    public OverlapReference.Result Reference(OverlapAverage average, double eps, Reduction reduction) =>
        OverlapReference.Evaluate(X, N, C, L, ClassTarget, FloatTarget, Mode == OverlapMode.Multiclass, FromLogits,
            average == OverlapAverage.Micro, eps, IgnoreIndex, reduction);

    /// <summary>
    /// The named configurations: "mc4d" multiclass (4, 4, 2, 3) whose class 3 never occurs, with ignored positions;
    /// "mc2d" multiclass (7, 3); "mcprob" multiclass probabilities (6, 3); "bin" binary (3, 5) with soft and ignored labels;
    /// "binprob" binary probabilities; "ml" multilabel (5, 3, 2) with an all-negative class; "mlprob" multilabel probabilities.
    /// </summary>
    public static OverlapData Make(string name, int seed = 21)
    {
        var rng = new Rng(seed + name.Length);
        switch (name)
        {
            case "mc4d":
            {
                var t = rng.Integers(4 * 6, 0, 3); // class 3 is absent
                t[2] = -100;
                t[9] = -100;
                t[17] = -100;
                return new OverlapData { Mode = OverlapMode.Multiclass, Shape = [4, 4, 2, 3], FromLogits = true, IgnoreIndex = -100, X = rng.Normal(96, 1.5), ClassTarget = t };
            }
            case "mc2d":
            {
                var t = rng.Integers(7, 0, 3);
                t[0] = 0;
                t[1] = 1;
                t[2] = 2;
                t[5] = 7; // ignore_index 7 here
                return new OverlapData { Mode = OverlapMode.Multiclass, Shape = [7, 3], FromLogits = true, IgnoreIndex = 7, X = rng.Normal(21, 2.0), ClassTarget = t };
            }
            case "mcprob":
            {
                var t = rng.Integers(6, 0, 3);
                t[0] = 0;
                t[1] = 1;
                return new OverlapData { Mode = OverlapMode.Multiclass, Shape = [6, 3], FromLogits = false, IgnoreIndex = -100, X = rng.ProbabilityRows(6, 3), ClassTarget = t };
            }
            case "bin":
            case "binprob":
            {
                var y = rng.Integers(15, 0, 2).Select(v => (double)v).ToArray();
                y[0] = 1;
                y[3] = 0.3; // a soft label
                y[7] = -100;
                y[11] = -100;
                var x = name == "bin" ? rng.Normal(15, 2.0) : rng.Uniform(15, 0.02, 0.98);
                return new OverlapData { Mode = OverlapMode.Binary, Shape = [3, 5], FromLogits = name == "bin", IgnoreIndex = -100, X = x, FloatTarget = y };
            }
            case "ml":
            case "mlprob":
            {
                var y = rng.Integers(30, 0, 2).Select(v => (double)v).ToArray();
                for (var i = 0; i < 5; i++)
                    for (var j = 0; j < 2; j++) y[(i * 3 + 2) * 2 + j] = 0; // class 2 is all negative
                y[0] = 1;
                y[2] = 1;
                y[3] = -1; // ignore_index -1 here
                var x = name == "ml" ? rng.Normal(30, 2.0) : rng.Uniform(30, 0.02, 0.98);
                return new OverlapData { Mode = OverlapMode.Multilabel, Shape = [5, 3, 2], FromLogits = name == "ml", IgnoreIndex = -1, X = x, FloatTarget = y };
            }
            default:
                throw new ArgumentException(name);
        }
    }

    public static readonly string[] Names = ["mc4d", "mc2d", "mcprob", "bin", "binprob", "ml", "mlprob"];
}
