using LossKit.Tests.Infrastructure;
using LossKit.Tests.References;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Classification;

public sealed class BCELossTests : BinaryLossContract
{
    protected override string Name => "BCELoss";
    protected override Tensor Function(Tensor input, Tensor target, Reduction reduction) => losses.binary_cross_entropy(input, target, reduction: reduction);
    protected override Loss<Tensor, Tensor, Tensor> Module(Reduction reduction) => losses.BCELoss(reduction: reduction);
    protected override double[] Inputs(Rng rng, int n) => rng.Uniform(n, 0.03, 0.97);
    protected override double[] Targets(Rng rng, int n) => HardAndSoft(rng, n);
    protected override (double[] loss, double[] grad) Reference(double[] x, double[] y) => BinaryReference.Bce(x, y, null);

    /// <summary>Even positions hard 0/1 labels, odd positions soft labels in (0, 1).</summary>
    internal static double[] HardAndSoft(Rng rng, int n) =>
        rng.Uniform(n, 0, 1).Select((v, i) => i % 2 == 0 ? Math.Round(v) : v).ToArray();

    [Fact]
    public void Hand_computed_case()
    {
        using var scope = NewDisposeScope();
        // p = 0.8, y = 1: -ln 0.8 = 0.2231435513...; p = 0.8, y = 0: -ln 0.2 = 1.6094379124...;
        // p = 0.5, y = 0.25 (soft): -(0.25 ln 0.5 + 0.75 ln 0.5) = ln 2 = 0.6931471805...
        // d/dp = (p - y) / (p (1 - p)): (0.8 - 1) / 0.16 = -1.25; 0.8 / 0.16 = 5; 0.25 / 0.25 = 1.
        var p = tensor(new double[] { 0.8, 0.8, 0.5 }, requires_grad: true);
        var y = tensor(new double[] { 1, 0, 0.25 });
        var expected = new[] { -Math.Log(0.8), -Math.Log(0.2), Math.Log(2) };
        TensorAssert.Close(losses.binary_cross_entropy(p, y, reduction: Reduction.None), expected, [3]);
        TensorAssert.Close(losses.binary_cross_entropy(p, y, reduction: Reduction.Sum), expected.Sum());
        var mean = losses.binary_cross_entropy(p, y);
        TensorAssert.Close(mean, expected.Sum() / 3);
        mean.backward();
        TensorAssert.Close(p.grad!, [-1.25 / 3, 5.0 / 3, 1.0 / 3]);
    }

    [Fact]
    public void Hand_computed_case_with_per_class_weights_and_a_plain_mean()
    {
        using var scope = NewDisposeScope();
        // (N, C) = (2, 2), weight per class [2, 0.5] along the last dimension.
        // Row 0: p = [0.8, 0.2], y = [1, 0]: losses -ln 0.8 and -ln 0.8, weighted 2·0.2231 and 0.5·0.2231.
        // Row 1: p = [0.5, 0.5], y = [0, 1]: ln 2 each, weighted 2·ln 2 and 0.5·ln 2.
        // Mean = (2.5·(-ln 0.8) + 2.5·ln 2) / 4 elements (a plain mean, not divided by Σw = 5).
        var p = tensor(new double[] { 0.8, 0.2, 0.5, 0.5 }, [2, 2]);
        var y = tensor(new double[] { 1, 0, 0, 1 }, [2, 2]);
        var w = tensor(new double[] { 2, 0.5 });
        TensorAssert.Close(losses.binary_cross_entropy(p, y, w, Reduction.None),
            [-2 * Math.Log(0.8), -0.5 * Math.Log(0.8), 2 * Math.Log(2), 0.5 * Math.Log(2)], [2, 2]);
        TensorAssert.Close(losses.binary_cross_entropy(p, y, w), (2.5 * -Math.Log(0.8) + 2.5 * Math.Log(2)) / 4);
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Matches_the_reference_with_per_element_and_per_class_weights(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(31);
        var x = Inputs(rng, 60);
        var y = Targets(rng, 60);
        var perElement = rng.Uniform(60, 0, 2);
        var perClass = rng.Uniform(5, 0, 2);
        foreach (var (weight, shape, expanded) in new[]
                 {
                     (perElement, new long[] { 3, 4, 5 }, perElement),
                     (perClass, new long[] { 5 }, BinaryReference.PerClass(perClass, 60)),
                     (perClass[..1], new long[] { 1, 1 }, BinaryReference.PerClass(perClass[..1], 60)),
                 })
        {
            var input = Rng.Tensor(x, [3, 4, 5], requiresGrad: true);
            var loss = losses.binary_cross_entropy(input, Rng.Tensor(y, [3, 4, 5]), Rng.Tensor(weight, shape), reduction);
            var (elements, derivative) = BinaryReference.Bce(x, y, expanded);
            var (values, grad) = BinaryReference.Reduce(elements, derivative, reduction);
            TensorAssert.Close(loss, values, because: $"(weight shape [{string.Join(", ", shape)}])");
            loss.sum().backward();
            TensorAssert.Close(input.grad!, grad, [3, 4, 5], because: $"(gradient, weight shape [{string.Join(", ", shape)}])");
        }
    }

    [Fact]
    public void Weighted_gradcheck_in_float64()
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(32);
        var input = Rng.Tensor(Inputs(rng, 10), [2, 5], requiresGrad: true);
        var target = Rng.Tensor(Targets(rng, 10), [2, 5]);
        var weight = Rng.Tensor(rng.Uniform(5, 0.1, 2), [5]);
        foreach (var reduction in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
            GradCheck.gradcheck(t => losses.binary_cross_entropy(t, target, weight, reduction), input).Should().BeTrue();
    }

    [Fact]
    public void Certain_predictions_are_clamped_at_100_and_keep_finite_gradients()
    {
        using var scope = NewDisposeScope();
        // p = 0 with y = 1 and p = 1 with y = 0: log 0 = -∞ clamped to -100, so the loss is 100 (times the weight).
        // Correct certain predictions cost 0. Gradient (p - y) / max(p (1 - p), 1e-12): ±1e12 for the wrong ones
        // (libtorch's epsilon is 1e-12 rounded to float32, hence the tolerance), 0 for the right ones.
        var p = tensor(new double[] { 0, 1, 0, 1 }, requires_grad: true);
        var y = tensor(new double[] { 1, 0, 0, 1 });
        var w = tensor(new double[] { 1, 3, 1, 1 });
        var loss = losses.binary_cross_entropy(p, y, w, Reduction.None);
        loss.ToArray<double>().Should().Equal(100, 300, 0, 0);
        loss.sum().backward();
        var g = p.grad!.ToArray<double>();
        g[0].Should().BeApproximately(-1e12, 1e4);
        g[1].Should().BeApproximately(3e12, 3e4);
        g[2].Should().Be(0);
        g[3].Should().Be(0);
    }

    [Fact]
    public void Mean_is_not_normalised_by_the_weights()
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(33);
        var p = Rng.Tensor(Inputs(rng, 20), [4, 5]);
        var y = Rng.Tensor(Targets(rng, 20), [4, 5]);
        var plain = losses.binary_cross_entropy(p, y).ToDouble();
        var doubled = losses.binary_cross_entropy(p, y, full(new long[] { 5 }, 2.0, ScalarType.Float64)).ToDouble();
        doubled.Should().BeApproximately(2 * plain, 1e-14, "mean = Σ w·ℓ / n, so a constant weight scales it");
    }

    [Fact]
    public void Float32_weights_with_float64_input_are_converted()
    {
        using var scope = NewDisposeScope();
        var p = tensor(new double[] { 0.8, 0.5 });
        var y = tensor(new double[] { 1, 0 });
        var loss = losses.binary_cross_entropy(p, y, tensor(new float[] { 2, 0.5f }), Reduction.None);
        loss.dtype.Should().Be(ScalarType.Float64);
        TensorAssert.Close(loss, [-2 * Math.Log(0.8), 0.5 * Math.Log(2)]);
    }

    [Fact]
    public void NaN_propagates_into_the_loss_and_its_gradient_instead_of_throwing()
    {
        using var scope = NewDisposeScope();
        // Documented choice: NaN gives NaN at that element (PyTorch's CPU kernel throws "not between 0 and 1").
        var p = tensor(new double[] { 0.8, double.NaN, 0.5 }, requires_grad: true);
        var y = tensor(new double[] { 1, 0, double.NaN });
        var w = tensor(new double[] { 2, 1, 1 });
        var none = losses.binary_cross_entropy(p, y, w, Reduction.None).ToArray<double>();
        none[0].Should().BeApproximately(-2 * Math.Log(0.8), 1e-15);
        double.IsNaN(none[1]).Should().BeTrue();
        double.IsNaN(none[2]).Should().BeTrue();
        var mean = losses.binary_cross_entropy(p, y, w);
        double.IsNaN(mean.ToDouble()).Should().BeTrue();
        double.IsNaN(losses.binary_cross_entropy(p, y, w, Reduction.Sum).ToDouble()).Should().BeTrue();
        mean.backward();
        var g = p.grad!.ToArray<double>();
        g[0].Should().BeApproximately(2 * (0.8 - 1) / (0.8 * 0.2) / 3, 1e-14, "finite elements keep their exact gradient");
        double.IsNaN(g[1]).Should().BeTrue();
        double.IsNaN(g[2]).Should().BeTrue();
    }

    [Fact]
    public void A_probability_outside_zero_one_is_rejected_with_its_value_and_position()
    {
        using var scope = NewDisposeScope();
        var act = () => losses.binary_cross_entropy(tensor(new double[] { 0.2, 0.5, 1.5, -0.1 }), tensor(new double[] { 0, 1, 1, 0 }));
        act.Should().Throw<LossArgumentOutOfRangeException>()
            .Where(e => e.Loss == "BCELoss" && e.ParamName == "input")
            .WithMessage("BCELoss: input must lie in [0, 1], but element 2 (flat index) is 1.5*");
        var inf = () => losses.binary_cross_entropy(tensor(new float[] { 0.5f, float.PositiveInfinity }), tensor(new float[] { 0, 1 }));
        inf.Should().Throw<LossArgumentOutOfRangeException>().WithMessage("*element 1 (flat index) is Infinity*", "±∞ is not a probability");
        // A NaN elsewhere must not hide an out-of-range value.
        var withNaN = () => losses.binary_cross_entropy(tensor(new double[] { double.NaN, -0.5 }), tensor(new double[] { 0, 1 }));
        withNaN.Should().Throw<LossArgumentOutOfRangeException>().WithMessage("BCELoss: input must lie in [0, 1], but element 1 (flat index) is -0.5*");
    }

    [Fact]
    public void A_target_outside_zero_one_is_rejected_but_soft_labels_are_fine()
    {
        using var scope = NewDisposeScope();
        var p = tensor(new double[] { 0.2, 0.5, 0.7 });
        var act = () => losses.binary_cross_entropy(p, tensor(new double[] { 0, 2, 1 }));
        act.Should().Throw<LossArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "target")
            .WithMessage("BCELoss: target must lie in [0, 1], but element 1 (flat index) is 2*");
        FluentActions.Invoking(() => losses.binary_cross_entropy(p, tensor(new double[] { 0.1, 0.5, 0.99 }))).Should().NotThrow();
    }

    [Fact]
    public void A_weight_that_does_not_broadcast_to_the_input_is_rejected()
    {
        using var scope = NewDisposeScope();
        var p = full(new long[] { 4, 5 }, 0.5);
        var y = zeros(4, 5);
        foreach (var shape in new[] { new long[] { 4 }, new long[] { 3, 5 }, new long[] { 2, 4, 5 } })
        {
            var act = () => losses.binary_cross_entropy(p, y, ones(shape));
            act.Should().Throw<LossArgumentException>()
                .Where(e => e.Loss == "BCELoss" && e.ParamName == "weight")
                .WithMessage($"BCELoss: weight of shape [{string.Join(", ", shape)}] does not broadcast to input [4, 5]*per-class weight along the last dimension: shape [5]*");
        }
        var ints = () => losses.binary_cross_entropy(p, y, ones(5, ScalarType.Int64));
        ints.Should().Throw<LossArgumentException>().WithMessage("BCELoss: weight must be a floating-point tensor*");
        FluentActions.Invoking(() => losses.BCELoss(ones(5, ScalarType.Int32))).Should().Throw<LossArgumentException>().Where(e => e.ParamName == "weight");
    }

    [Fact]
    public void Rejects_batchmean()
    {
        using var scope = NewDisposeScope();
        var act = () => losses.binary_cross_entropy(full(2, 0.5), zeros(2), reduction: Reduction.BatchMean);
        act.Should().Throw<LossArgumentException>().WithMessage("BCELoss: reduction BatchMean is only defined for KL divergence*");
        FluentActions.Invoking(() => losses.BCELoss(reduction: Reduction.BatchMean)).Should().Throw<LossArgumentException>();
    }

    [Fact]
    public void The_module_owns_its_weight()
    {
        using var scope = NewDisposeScope();
        var p = tensor(new double[] { 0.8, 0.5 });
        var y = tensor(new double[] { 1, 0 });
        var w = tensor(new double[] { 2, 0.5 });
        using var module = losses.BCELoss(w, Reduction.Sum);
        var expected = losses.binary_cross_entropy(p, y, w, Reduction.Sum).ToDouble();
        w.Dispose();
        module.call(p, y).ToDouble().Should().Be(expected, "the module keeps its own reference to the weights");
        module.weight!.requires_grad.Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void Matches_PyTorch(string name) => GoldenBinary.Check(name);

    public static TheoryData<string> GoldenCases => GoldenBinary.Names("bce_");
}
