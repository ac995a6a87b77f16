using LossKit.Tests.Infrastructure;
using LossKit.Tests.References;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Classification;

public sealed class FocalLossTests : ClassIndexLossContract
{
    private const double Gamma = 2.0;

    protected override string Name => "FocalLoss";

    protected override Tensor Function(Tensor input, Tensor target, Tensor? weight, long ignoreIndex, Reduction reduction) =>
        losses.focal_loss(input, target, Gamma, weight, ignoreIndex, reduction);

    protected override Loss<Tensor, Tensor, Tensor> Module(Tensor? weight, long ignoreIndex, Reduction reduction) =>
        losses.FocalLoss(Gamma, weight, ignoreIndex, reduction);

    protected override ClassificationReference.Row[] Reference(double[][] x, long[] y, double[]? w, long ignoreIndex) =>
        ClassificationReference.Focal(x, y, w, ignoreIndex, Gamma);

    [Fact]
    public void Hand_computed_case()
    {
        using var scope = NewDisposeScope();
        // softmax = [0.2, 0.7, 0.1], y = 1, γ = 2: p = 0.7, q = 0.3.
        // ℓ = -q² ln p = 0.09 · 0.356674943938732 = 0.0321007449544859.
        // g = q² - 2 q p ln p = 0.09 + 0.42 · 0.356674943938732 = 0.239803476454268; dℓ/dx = g (p - onehot) = g · [0.2, -0.3, 0.1].
        var x = tensor(new[] { Math.Log(0.2), Math.Log(0.7), Math.Log(0.1) }, requires_grad: true);
        var loss = losses.focal_loss(x, tensor(1L));
        loss.ToDouble().Should().BeApproximately(0.09 * -Math.Log(0.7), 1e-15);
        loss.ToDouble().Should().BeApproximately(0.0321007449544859, 1e-15);
        loss.backward();
        const double g = 0.239803476454268;
        TensorAssert.Close(x.grad!, [0.2 * g, -0.3 * g, 0.1 * g], rtol: 1e-13, atol: 1e-15);
        // With class weight 4 on class 1, value and gradient scale by 4; the mean divides by that weight again.
        var w = tensor(new[] { 1.0, 4.0, 1.0 });
        losses.focal_loss(x, tensor(1L), weight: w, reduction: Reduction.Sum).ToDouble().Should().BeApproximately(4 * 0.0321007449544859, 1e-15);
        losses.focal_loss(x, tensor(1L), weight: w).ToDouble().Should().BeApproximately(0.0321007449544859, 1e-15);
    }

    [Fact]
    public void An_easy_example_at_p_09_weighs_100_times_less_than_in_cross_entropy()
    {
        using var scope = NewDisposeScope();
        // (1 - 0.9)² = 0.01: the documented example.
        var x = tensor(new[] { Math.Log(0.9), Math.Log(0.1) });
        var focal = losses.focal_loss(x, tensor(0L), gamma: 2).ToDouble();
        var ce = losses.cross_entropy(x, tensor(0L)).ToDouble();
        (focal / ce).Should().BeApproximately(0.01, 1e-12);
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Gamma_zero_is_cross_entropy_exactly(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(71);
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
            foreach (var (shape, targetShape) in new[] { (new long[] { 10, C }, new long[] { 10 }), (new long[] { 2, C, 3, 2 }, new long[] { 2, 3, 2 }) })
                foreach (var (weighted, ignoreIndex) in new[] { (false, -100L), (true, -100L), (true, 3L) })
                {
                    using var inner = NewDisposeScope();
                    var count = (int)targetShape.Aggregate(1L, (a, b) => a * b);
                    var x = rng.Normal(count * C, 3.0);
                    x[0] = 1e4; // a row with p = 1 exactly (where the focal factor is clamped) ...
                    x[C] = -1e4; // ... and logits far apart
                    var y = Indices(Targets(rng, count, ignoreIndex, ignoreSome: true), targetShape);
                    var weight = weighted ? tensor(Weights()).to(dtype) : null;
                    var a = Rng.Tensor(x, shape, dtype, requiresGrad: true);
                    var b = Rng.Tensor(x, shape, dtype, requiresGrad: true);
                    var focal = losses.focal_loss(a, y, 0.0, weight, ignoreIndex, reduction);
                    var ce = losses.cross_entropy(b, y, weight, ignoreIndex, reduction);
                    var because = $"({dtype}, shape [{string.Join(", ", shape)}], weights {weighted}, ignore_index {ignoreIndex})";
                    focal.Equals(ce).Should().BeTrue($"the values must be identical {because}");
                    focal.sum().backward();
                    ce.sum().backward();
                    a.grad!.Equals(b.grad!).Should().BeTrue($"the gradients must be identical {because}");
                }
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(3.5)]
    public void Matches_the_reference_for_other_gammas(double gamma)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(72);
        const int n = 12;
        var x = rng.Normal(n * C, 2.0);
        var y = Targets(rng, n, -100, ignoreSome: true);
        foreach (var reduction in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
        {
            using var inner = NewDisposeScope();
            var input = Rng.Tensor(x, [n, C], requiresGrad: true);
            var loss = losses.focal_loss(input, Indices(y, n), gamma, tensor(Weights()), -100, reduction);
            var (values, grad) = ClassificationReference.Reduce(ClassificationReference.Focal(ClassificationReference.ToRows(x, n, C), y, Weights(), -100, gamma), reduction);
            TensorAssert.Close(loss, values, reduction == Reduction.None ? [n] : []);
            loss.sum().backward();
            TensorAssert.Close(input.grad!, grad.SelectMany(g => g).ToArray(), [n, C], because: "(analytic gradient)");
        }
    }

    [Fact]
    public void Is_at_most_cross_entropy_and_decreases_as_gamma_grows()
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(73);
        var input = Rng.Tensor(rng.Normal(20 * C, 2.0), [20, C]);
        var target = Indices(Targets(rng, 20, -100, ignoreSome: false), 20);
        var previous = losses.cross_entropy(input, target, reduction: Reduction.None).ToArray<double>();
        foreach (var gamma in new[] { 0.25, 0.5, 1.0, 2.0, 5.0 })
        {
            var current = losses.focal_loss(input, target, gamma, reduction: Reduction.None).ToArray<double>();
            for (var i = 0; i < current.Length; i++)
            {
                current[i].Should().BeGreaterThan(0);
                current[i].Should().BeLessThan(previous[i], $"row {i}, γ {gamma}");
            }
            previous = current;
        }
    }

    [Theory]
    [InlineData(ScalarType.Float32, 0.5)]
    [InlineData(ScalarType.Float32, 2.0)]
    [InlineData(ScalarType.Float64, 0.5)]
    [InlineData(ScalarType.Float64, 2.0)]
    public void A_certain_right_answer_gives_zero_loss_and_zero_gradient(ScalarType dtype, double gamma)
    {
        using var scope = NewDisposeScope();
        // p = 1 exactly (log p = 0): the focal factor's 1 - p is clamped, and (1 - p)^(γ - 1) never becomes ∞ · 0.
        var input = Rng.Tensor([1e4, -1e4, 0, 0, 0, 30, 0, 0, 0, 0], [2, C], dtype, requiresGrad: true);
        var loss = losses.focal_loss(input, Indices([0, 0], 2), gamma, reduction: Reduction.Sum);
        var value = loss.ToDouble();
        value.Should().BeInRange(0, 1e-15);
        loss.backward();
        var grad = TensorAssert.Values(input.grad!);
        grad.Should().OnlyContain(v => double.IsFinite(v));
        grad.Take(C).Should().OnlyContain(v => v == 0, "the first row is certain");
    }

    [Fact]
    public void Gamma_below_one_passes_gradcheck_close_to_p_equals_one()
    {
        using var scope = NewDisposeScope();
        // p ≈ 0.9999 and p ≈ 0.3 rows: (1 - p)^(γ - 1) is large but finite in the first.
        var input = Rng.Tensor([10, 0.5, -1, 0, 0, 0.3, -0.2, 1.1, 0.4, -0.7], [2, C], requiresGrad: true);
        var target = Indices([0, 2], 2);
        GradCheck.gradcheck(t => losses.focal_loss(t, target, 0.5, reduction: Reduction.None), input).Should().BeTrue();
    }

    [Theory]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Rejects_a_gamma_that_is_not_a_finite_number_at_least_zero(double gamma)
    {
        using var scope = NewDisposeScope();
        var module = () => losses.FocalLoss(gamma);
        module.Should().Throw<LossArgumentOutOfRangeException>().Where(e => e.Loss == Name && e.ParamName == "gamma")
            .WithMessage("FocalLoss: gamma must be a finite number >= 0*");
        var function = () => losses.focal_loss(zeros(2, C), tensor(new long[] { 0, 1 }), gamma);
        function.Should().Throw<LossArgumentOutOfRangeException>().Where(e => e.ParamName == "gamma");
    }

    [Fact]
    public void Rejects_probability_targets_and_points_to_cross_entropy()
    {
        using var scope = NewDisposeScope();
        var act = () => losses.focal_loss(zeros(3, C), full(new long[] { 3, C }, 0.2f));
        act.Should().Throw<LossArgumentException>().Where(e => e.ParamName == "target")
            .WithMessage("FocalLoss: FocalLoss takes class indices*use CrossEntropyLoss*");
    }

    [Fact]
    public void Module_holds_its_options()
    {
        using var scope = NewDisposeScope();
        using var module = losses.FocalLoss(1.5, tensor(Weights()), 2, Reduction.Sum);
        module.gamma.Should().Be(1.5);
        module.ignore_index.Should().Be(2);
        module.reduction.Should().Be(Reduction.Sum);
        module.weight!.ToArray<double>().Should().Equal(Weights());
        using var defaults = new FocalLoss();
        defaults.gamma.Should().Be(2.0);
        defaults.weight.Should().BeNull();
        defaults.ignore_index.Should().Be(-100);
        defaults.reduction.Should().Be(Reduction.Mean);
    }

    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void Matches_the_definition_composed_in_PyTorch(string name) => GoldenClassification.Check(name);

    public static TheoryData<string> GoldenCases => Golden.Names(GoldenClassification.Family, "focal_");
}

/// <summary>The whole class-index contract again for γ = 0.5, where (1 - p)^(γ - 1) in the gradient grows near p = 1.</summary>
public sealed class FocalLossGammaHalfContractTests : ClassIndexLossContract
{
    protected override string Name => "FocalLoss";

    protected override Tensor Function(Tensor input, Tensor target, Tensor? weight, long ignoreIndex, Reduction reduction) =>
        losses.focal_loss(input, target, 0.5, weight, ignoreIndex, reduction);

    protected override Loss<Tensor, Tensor, Tensor> Module(Tensor? weight, long ignoreIndex, Reduction reduction) =>
        losses.FocalLoss(0.5, weight, ignoreIndex, reduction);

    protected override ClassificationReference.Row[] Reference(double[][] x, long[] y, double[]? w, long ignoreIndex) =>
        ClassificationReference.Focal(x, y, w, ignoreIndex, 0.5);
}
