using System.CommandLine;
using System.Globalization;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Samples;

/// <summary>
/// Draws LossKit's losses and their slopes into one SVG file: the regression losses against the error e, the
/// classification losses against the true-class probability p. Every value and every slope comes from LossKit's own
/// functions and libtorch's autograd (an input that requires grad, then backward), not from hand-written formulas.
/// </summary>
public static class LossCurvesSample
{
    /// <summary>A regression loss of (input, target) with per-element results (reduction None).</summary>
    private sealed record RegressionLoss(string Name, Func<Tensor, Tensor, Tensor> Compute, string Color, string? Dash = null);

    /// <summary>A classification loss of (logits (N, C), class indices (N)) with per-row results (reduction None).</summary>
    private sealed record ClassificationLoss(string Name, string Short, Func<Tensor, Tensor, Tensor> Compute, string Color, string? Dash = null);

    private const int Classes = 10;
    private const double Smoothing = 0.1;

    private static readonly RegressionLoss[] RegressionLosses =
    [
        new("MSE", (x, y) => losses.mse_loss(x, y, Reduction.None), "#1f77b4"),
        new("MAE (L1)", (x, y) => losses.l1_loss(x, y, Reduction.None), "#ff7f0e"),
        new("Huber, δ = 1", (x, y) => losses.huber_loss(x, y, delta: 1.0, Reduction.None), "#2ca02c"),
        new("SmoothL1, β = 0.5", (x, y) => losses.smooth_l1_loss(x, y, Reduction.None, beta: 0.5), "#d62728"),
        // With reduction None RMSE is √(e² + ε) per element, that is |e| (up to ε): drawn dashed over MAE.
        new("RMSE of one element", (x, y) => losses.rmse_loss(x, y, Reduction.None), "#9467bd", "7 5"),
        new("SmoothLoss, δ = 1, α = 2", (x, y) => losses.smooth_loss(x, y, delta: 1.0, alpha: 2.0, Reduction.None), "#222222"),
    ];

    private static readonly ClassificationLoss[] ClassificationLosses =
    [
        new("cross-entropy, −log p", "cross-entropy", (x, t) => losses.cross_entropy(x, t, reduction: Reduction.None), "#1f77b4"),
        new("focal, γ = 2", "focal, γ = 2", (x, t) => losses.focal_loss(x, t, gamma: 2.0, reduction: Reduction.None), "#d62728"),
        new("LabelSmoothingLoss(10, ε = 0.1)", "LabelSmoothingLoss", (x, t) => losses.label_smoothing_loss(x, t, Classes, Smoothing, reduction: Reduction.None), "#2ca02c"),
        new("CrossEntropy, label_smoothing = 0.1", "CE label_smoothing", (x, t) => losses.cross_entropy(x, t, reduction: Reduction.None, label_smoothing: Smoothing),
            "#9467bd", "7 5"),
    ];

    /// <summary>The name of every curve the SVG holds (each is one path with a data-loss attribute).</summary>
    public static IReadOnlyList<string> CurveNames => RegressionLosses.Select(l => l.Name).Concat(ClassificationLosses.Select(l => l.Name)).ToArray();

    public static int Run(string[] args)
    {
        var output = new Option<string>("--out") { Description = "The SVG file to write", DefaultValueFactory = _ => "loss-curves.svg" };
        var range = new Option<double>("--range") { Description = "The regression panels show the error e in [-range, range]", DefaultValueFactory = _ => 4.0 };
        var root = new RootCommand("Draws each LossKit loss and its slope (computed with LossKit and autograd) into an SVG file.") { output, range };
        root.SetAction(parse => Execute(parse.GetValue(output)!, parse.GetValue(range)));
        return root.Parse(args).Invoke();
    }

    private static int Execute(string output, double range)
    {
        if (!(range > 0) || double.IsInfinity(range))
        {
            Console.Error.WriteLine("error: --range must be a positive number");
            return 1;
        }

        // (a), (b): regression losses over e = prediction - target, target 0.
        var e = Grid(-range, range, 401);
        var regression = RegressionLosses.Select(l => RegressionCurve(l.Compute, e)).ToArray();

        // (c), (d): classification losses against the true-class probability p, from logits (z, 0, ..., 0) with
        // z = log(C - 1) + logit(p), so that softmax gives p to class 0 and (1 - p) / (C - 1) to each other class.
        var p = Grid(0.005, 0.995, 199);
        var classification = ClassificationLosses.Select(l => ClassificationCurve(l.Compute, p)).ToArray();

        var smooth = regression[^1].slope;
        var peak = Enumerable.Range(0, e.Length).Where(i => e[i] > 0).MaxBy(i => smooth[i]);
        var regressionSeries = RegressionLosses.Select((l, i) => (Func<double[], Series>)(y => new Series(l.Name, e, y, l.Color, l.Dash))).ToArray();
        var classificationSeries = ClassificationLosses.Select((l, i) => (Func<double[], Series>)(y => new Series(l.Name, p, y, l.Color, l.Dash))).ToArray();
        var rows = new[]
        {
            new PanelRow(
            [
                new Panel("(a) Regression losses ℓ(e)", "error e = prediction − target", "loss ℓ(e)", (-range, range), (0, 1.25 * range),
                    regression.Select((c, i) => regressionSeries[i](c.loss)).ToArray(),
                    (range * range > 1.25 * range ? "MSE = e² leaves the frame; " : "") + "one element's RMSE is √(e² + ε) ≈ |e|"),
                new Panel("(b) Their slopes dℓ/de, from autograd", "error e = prediction − target", "slope dℓ/de", (-range, range), (-2.5, 2.5),
                    regression.Select((c, i) => regressionSeries[i](c.slope)).ToArray(),
                    peak < e.Length - 1
                        ? $"SmoothLoss's slope peaks at {F(smooth[peak], 3)} (e = {F(e[peak], 2)}), then settles at 1"
                        : "slopes from backward() on LossKit's per-element losses"),
            ], regression.Select((c, i) => regressionSeries[i](c.loss)).ToArray()),
            new PanelRow(
            [
                new Panel($"(c) Classification losses, C = {Classes}", "probability p of the true class", "loss ℓ(p)", (0, 1),
                    Padded(classification.SelectMany(c => c.loss), floorAtZero: true),
                    classification.Select((c, i) => classificationSeries[i](c.loss)).ToArray(),
                    "logits (z, 0, …, 0): the other nine classes share 1 − p"),
                new Panel("(d) Slope on the true-class logit ∂ℓ/∂z", "probability p of the true class", "slope ∂ℓ/∂z", (0, 1),
                    Padded(classification.SelectMany(c => c.slope), floorAtZero: false),
                    classification.Select((c, i) => classificationSeries[i](c.slope)).ToArray(),
                    "slope 0 at p = 0.9 (LabelSmoothingLoss) and 0.91 (label_smoothing)"),
            ], classification.Select((c, i) => classificationSeries[i](c.loss)).ToArray()),
        };

        var path = Path.GetFullPath(output);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, SvgPlot.Render("LossKit losses and their slopes (values and autograd gradients from LossKit)", rows));
        Console.WriteLine($"Wrote {path} ({new FileInfo(path).Length / 1024} KB): open it in a browser.");

        // Sampled values: a sanity check against the formulas in the losses' documentation.
        double[] errors = [0.5, 2, 4];
        SampleConsole.PrintTable("Regression losses at a few errors: loss / slope dℓ/de",
            ["loss", .. errors.Select(v => $"e = {F(v, 1)}")],
            RegressionLosses.Select(l =>
            {
                var (loss, slope) = RegressionCurve(l.Compute, errors);
                return (IReadOnlyList<string>)[l.Name, .. errors.Select((_, i) => $"{F(loss[i], 3)} / {F(slope[i], 3)}")];
            }));
        double[] probabilities = [0.1, 0.5, 0.9];
        SampleConsole.PrintTable($"Classification (C = {Classes}, ε = {F(Smoothing, 1)}): loss / slope ∂ℓ/∂z",
            ["loss", .. probabilities.Select(v => $"p = {F(v, 1)}")],
            ClassificationLosses.Select(l =>
            {
                var (loss, slope) = ClassificationCurve(l.Compute, probabilities);
                return (IReadOnlyList<string>)[l.Short, .. probabilities.Select((_, i) => $"{F(loss[i], 3)} / {F(slope[i], 3)}")];
            }));
        return 0;
    }

    /// <summary>Per-element loss and slope at each error: the input requires grad, the summed loss is backpropagated,
    /// and since element i's loss depends on element i only, input.grad[i] is dℓ(eᵢ)/deᵢ.</summary>
    private static (double[] loss, double[] slope) RegressionCurve(Func<Tensor, Tensor, Tensor> compute, double[] errors)
    {
        using var scope = NewDisposeScope();
        var input = tensor(errors, requires_grad: true); // float64
        var target = zeros(errors.Length, ScalarType.Float64);
        var loss = compute(input, target);
        loss.sum().backward();
        return (loss.detach().ToArray<double>(), input.grad!.ToArray<double>());
    }

    /// <summary>Per-row loss and slope on the true-class logit, one row of C logits per probability.</summary>
    private static (double[] loss, double[] slope) ClassificationCurve(Func<Tensor, Tensor, Tensor> compute, double[] probabilities)
    {
        using var scope = NewDisposeScope();
        var values = new double[probabilities.Length * Classes];
        for (var i = 0; i < probabilities.Length; i++)
        {
            var q = probabilities[i];
            values[i * Classes] = Math.Log(Classes - 1) + Math.Log(q / (1 - q));
        }
        var logits = tensor(values, [probabilities.Length, Classes], requires_grad: true);
        var target = zeros(probabilities.Length, ScalarType.Int64);
        var loss = compute(logits, target);
        loss.sum().backward();
        var grad = logits.grad!.ToArray<double>();
        return (loss.detach().ToArray<double>(), Enumerable.Range(0, probabilities.Length).Select(i => grad[i * Classes]).ToArray());
    }

    /// <summary>The values' range with 5% room on each side (from 0 when <paramref name="floorAtZero"/>).</summary>
    private static (double min, double max) Padded(IEnumerable<double> values, bool floorAtZero)
    {
        var list = values.Where(double.IsFinite).ToList();
        var (min, max) = (floorAtZero ? 0 : list.Min(), list.Max());
        var room = 0.05 * (max - min);
        return (floorAtZero ? 0 : min - room, max + room);
    }

    private static double[] Grid(double from, double to, int count) =>
        Enumerable.Range(0, count).Select(i => from + (to - from) * i / (count - 1)).ToArray();

    // Rounded first, so that a tiny negative value prints as 0.000 rather than -0.000.
    private static string F(double value, int digits) => (Math.Round(value, digits) + 0.0).ToString("F" + digits, CultureInfo.InvariantCulture);
}
