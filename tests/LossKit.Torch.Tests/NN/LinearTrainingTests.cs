using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests.NN;

/// <summary>
/// Full-batch gradient descent on a Linear(1, 1) model of y = 3x - 2 + noise, with the update written by hand
/// (p -= lr · grad under no_grad), checked step by step against the same descent computed in plain C# doubles.
/// </summary>
public class LinearTrainingTests
{
    private const double LearningRate = 0.1;

    /// <summary>x ~ U[-1, 1), y = 3x - 2 + N(0, 0.1²), from System.Random (independent of libtorch's generator).</summary>
    private static (double[] x, double[] y) Data(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new double[n];
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            x[i] = 2 * rng.NextDouble() - 1;
            // Box-Muller: sqrt(-2 ln u1) cos(2π u2) is N(0, 1).
            var noise = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            y[i] = 3 * x[i] - 2 + 0.1 * noise;
        }
        return (x, y);
    }

    /// <summary>One step of the reference: returns the loss before the step and updates (w, b).</summary>
    private static double ReferenceStep(double[] x, double[] y, ref double w, ref double b)
    {
        // L = mean((w x + b - y)²); dL/dw = 2 mean((w x + b - y) x); dL/db = 2 mean(w x + b - y).
        double loss = 0, dw = 0, db = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var e = w * x[i] + b - y[i];
            loss += e * e;
            dw += 2 * e * x[i];
            db += 2 * e;
        }
        w -= LearningRate * dw / x.Length;
        b -= LearningRate * db / x.Length;
        return loss / x.Length;
    }

    private static List<double> Train(Modules.Linear model, Tensor x, Tensor y, int steps, Action<int, double>? afterStep = null)
    {
        var losses = new List<double>();
        for (var step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            model.zero_grad();
            var loss = nn.functional.mse_loss(model.call(x), y);
            loss.backward();
            using (no_grad())
            {
                foreach (var p in model.parameters())
                    p.sub_(p.grad!, alpha: LearningRate);
            }
            losses.Add(loss.ToDouble());
            afterStep?.Invoke(step, losses[^1]);
        }
        return losses;
    }

    [Fact]
    public void sgd_in_float64_follows_the_reference_descent_and_finds_the_line()
    {
        using var scope = NewDisposeScope();
        const int n = 200, steps = 150;
        var (xv, yv) = Data(n, seed: 42);
        var x = tensor(xv, [n, 1]);
        var y = tensor(yv, [n, 1]);
        using var model = nn.Linear(1, 1, dtype: ScalarType.Float64);
        var w = model.weight.Values()[0];
        var b = model.bias!.Values()[0];

        var losses = Train(model, x, y, steps, (step, loss) =>
        {
            var expectedLoss = ReferenceStep(xv, yv, ref w, ref b);
            loss.Should().BeApproximately(expectedLoss, 1e-12 * Math.Max(1, expectedLoss), $"loss at step {step}");
            model.weight.Values()[0].Should().BeApproximately(w, 1e-12, $"weight after step {step}");
            model.bias!.Values()[0].Should().BeApproximately(b, 1e-12, $"bias after step {step}");
        });

        for (var i = 1; i < losses.Count; i++)
            losses[i].Should().BeLessThan(losses[i - 1], $"the loss decreases at every step (step {i})");

        // Gradient descent converges to the least-squares line: w* = cov(x, y) / var(x), b* = mean(y) - w* mean(x).
        double mx = xv.Average(), my = yv.Average();
        double cov = 0, var = 0;
        for (var i = 0; i < n; i++) { cov += (xv[i] - mx) * (yv[i] - my); var += (xv[i] - mx) * (xv[i] - mx); }
        var wStar = cov / var;
        var bStar = my - wStar * mx;
        var wFinal = model.weight.Values()[0];
        var bFinal = model.bias!.Values()[0];
        wFinal.Should().BeApproximately(wStar, 1e-3);
        bFinal.Should().BeApproximately(bStar, 1e-3);
        // ... which is close to the true line (3, -2): the noise (σ = 0.1, n = 200) moves it by ~0.01.
        wFinal.Should().BeApproximately(3, 0.05);
        bFinal.Should().BeApproximately(-2, 0.05);
        // The final loss is about the noise variance, 0.01.
        losses[^1].Should().BeApproximately(0.01, 0.005);
    }

    [Fact]
    public void sgd_in_float32_decreases_the_loss_monotonically_and_tracks_the_reference()
    {
        using var scope = NewDisposeScope();
        const int n = 100, steps = 60;
        var (xv, yv) = Data(n, seed: 7);
        var x = tensor(xv, [n, 1], ScalarType.Float32);
        var y = tensor(yv, [n, 1], ScalarType.Float32);
        using var model = nn.Linear(1, 1);
        var w = model.weight.Values()[0];
        var b = model.bias!.Values()[0];
        // The reference runs in float64 on the float32-rounded data.
        var xf = x.Values();
        var yf = y.Values();
        var startDistance = Math.Abs(w - 3) + Math.Abs(b + 2);

        var losses = Train(model, x, y, steps, (step, loss) =>
        {
            var expectedLoss = ReferenceStep(xf, yf, ref w, ref b);
            loss.Should().BeApproximately(expectedLoss, 1e-5 * Math.Max(1, expectedLoss), $"loss at step {step}");
        });
        model.weight.Values()[0].Should().BeApproximately(w, 1e-4);
        model.bias!.Values()[0].Should().BeApproximately(b, 1e-4);

        for (var i = 1; i < losses.Count; i++)
            losses[i].Should().BeLessThan(losses[i - 1], $"the loss decreases at every step (step {i})");
        losses[^1].Should().BeLessThan(losses[0] / 10);
        var endDistance = Math.Abs(model.weight.Values()[0] - 3) + Math.Abs(model.bias!.Values()[0] + 2);
        endDistance.Should().BeLessThan(startDistance, "the weights approach (3, -2)");
        endDistance.Should().BeLessThan(0.2);
    }
}
