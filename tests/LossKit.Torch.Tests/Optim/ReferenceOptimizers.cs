namespace LossKit.Torch.Tests.Optim;

// Plain float64 implementations of PyTorch 1.13's update rules (torch/optim/sgd.py, adam.py, adamw.py, rmsprop.py,
// the single-tensor versions), written from the formulas with arrays of doubles and loops: no LossKit call, no tensor.
// The tests run them side by side with LossKit's optimizers on the same problem and compare after every step.

/// <summary>The hyperparameters of one reference run (one parameter group).</summary>
internal sealed record RefOptions
{
    public double Lr { get; set; } = 1e-3;
    public double Momentum { get; init; }
    public double Dampening { get; init; }
    public double WeightDecay { get; init; }
    public bool Nesterov { get; init; }
    public bool Maximize { get; init; }
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Eps { get; init; } = 1e-8;
    public bool Amsgrad { get; init; }
    public double Alpha { get; init; } = 0.99;
    public bool Centered { get; init; }
}

/// <summary>A reference optimizer over several parameters (arrays), each with its own state.</summary>
internal abstract class RefOptimizer
{
    protected RefOptimizer(RefOptions options) => Options = options;

    public RefOptions Options { get; }

    /// <summary>One step: parameter <c>i</c> is updated in place from <c>grads[i]</c>; a null gradient skips it.</summary>
    public void Step(IList<double[]> parameters, IList<double[]?> grads)
    {
        for (var i = 0; i < parameters.Count; i++)
            if (grads[i] is { } g) Update(i, parameters[i], g);
    }

    protected abstract void Update(int index, double[] p, double[] grad);

    public static RefOptimizer Create(string kind, RefOptions o) => kind switch
    {
        "SGD" => new RefSgd(o),
        "Adam" => new RefAdam(o, decoupled: false),
        "AdamW" => new RefAdam(o, decoupled: true),
        "RMSprop" => new RefRmsprop(o),
        _ => throw new ArgumentException(kind),
    };
}

internal sealed class RefSgd(RefOptions o) : RefOptimizer(o)
{
    private readonly Dictionary<int, double[]> _buf = new();

    protected override void Update(int index, double[] p, double[] grad)
    {
        var o = Options;
        var first = !_buf.TryGetValue(index, out var buf);
        if (first && o.Momentum != 0) _buf[index] = buf = new double[p.Length];
        for (var j = 0; j < p.Length; j++)
        {
            var d = o.Maximize ? -grad[j] : grad[j];
            if (o.WeightDecay != 0) d += o.WeightDecay * p[j];
            if (o.Momentum != 0)
            {
                // The first step copies d into the buffer (no dampening), later steps decay it.
                buf![j] = first ? d : o.Momentum * buf[j] + (1 - o.Dampening) * d;
                d = o.Nesterov ? d + o.Momentum * buf[j] : buf[j];
            }
            p[j] -= o.Lr * d;
        }
    }
}

internal sealed class RefAdam(RefOptions o, bool decoupled) : RefOptimizer(o)
{
    private readonly Dictionary<int, (double[] m, double[] v, double[] vmax)> _state = new();
    private readonly Dictionary<int, int> _t = new();

    protected override void Update(int index, double[] p, double[] grad)
    {
        var o = Options;
        if (!_state.TryGetValue(index, out var s))
            _state[index] = s = (new double[p.Length], new double[p.Length], new double[p.Length]);
        var t = _t[index] = _t.GetValueOrDefault(index) + 1;
        var bc1 = 1 - Math.Pow(o.Beta1, t);
        var bc2 = 1 - Math.Pow(o.Beta2, t);
        for (var j = 0; j < p.Length; j++)
        {
            var g = o.Maximize ? -grad[j] : grad[j];
            if (decoupled) p[j] *= 1 - o.Lr * o.WeightDecay;        // AdamW: shrink θ, leave g alone
            else if (o.WeightDecay != 0) g += o.WeightDecay * p[j]; // Adam: L2 term in the gradient
            s.m[j] = o.Beta1 * s.m[j] + (1 - o.Beta1) * g;
            s.v[j] = o.Beta2 * s.v[j] + (1 - o.Beta2) * g * g;
            double second = s.v[j];
            if (o.Amsgrad) second = s.vmax[j] = Math.Max(s.vmax[j], s.v[j]);
            var denom = Math.Sqrt(second) / Math.Sqrt(bc2) + o.Eps;
            p[j] -= o.Lr / bc1 * s.m[j] / denom;
        }
    }
}

internal sealed class RefRmsprop(RefOptions o) : RefOptimizer(o)
{
    private readonly Dictionary<int, (double[] v, double[] a, double[] b)> _state = new();

    protected override void Update(int index, double[] p, double[] grad)
    {
        var o = Options;
        if (!_state.TryGetValue(index, out var s))
            _state[index] = s = (new double[p.Length], new double[p.Length], new double[p.Length]);
        for (var j = 0; j < p.Length; j++)
        {
            var g = o.Maximize ? -grad[j] : grad[j];
            if (o.WeightDecay != 0) g += o.WeightDecay * p[j];
            s.v[j] = o.Alpha * s.v[j] + (1 - o.Alpha) * g * g;
            double avg;
            if (o.Centered)
            {
                s.a[j] = o.Alpha * s.a[j] + (1 - o.Alpha) * g;
                avg = Math.Sqrt(s.v[j] - s.a[j] * s.a[j]) + o.Eps;
            }
            else
            {
                avg = Math.Sqrt(s.v[j]) + o.Eps;
            }
            if (o.Momentum > 0)
            {
                s.b[j] = o.Momentum * s.b[j] + g / avg;
                p[j] -= o.Lr * s.b[j];
            }
            else
            {
                p[j] -= o.Lr * g / avg;
            }
        }
    }
}

/// <summary>
/// The test problem shared by the reference tests and the golden file: parameters p0 [4], p1 [2, 3], p2 [2] and
/// loss = Σ a0·p0² + b0·p0 + Σ a1·p1² + b1·p1 (p2 is not in the loss, so it never has a gradient).
/// </summary>
internal static class OptimProblem
{
    public static readonly long[][] Shapes = [[4], [2, 3], [2]];

    public static readonly double[][] Init =
    [
        [0.5, -1.5, 2.0, -0.25],
        [0.3, -0.7, 1.1, -2.0, 0.05, 0.9],
        [1.25, -0.75],
    ];

    public static readonly double[][] A =
    [
        [1.0, 0.5, 2.0, 3.0],
        [0.2, 1.5, 0.7, 1.0, 2.5, 0.4],
    ];

    public static readonly double[][] B =
    [
        [0.3, -0.2, 0.1, 0.05],
        [-0.4, 0.25, 0.0, 0.6, -0.1, 0.35],
    ];

    /// <summary>The analytic gradient 2·a·p + b of the loss, or null for p2.</summary>
    public static double[]?[] Gradients(IList<double[]> p) =>
        [Grad(p[0], A[0], B[0]), Grad(p[1], A[1], B[1]), null];

    private static double[] Grad(double[] p, double[] a, double[] b) => p.Select((x, j) => 2 * a[j] * x + b[j]).ToArray();

    /// <summary>Copies of the initial values, for a reference run.</summary>
    public static List<double[]> InitialValues() => Init.Select(v => (double[])v.Clone()).ToList();
}
