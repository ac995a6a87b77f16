using LossKit.Tests.Infrastructure;
using LossKit.Tests.References;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Classification;

public sealed class SigmoidFocalLossTests : BinaryLossContract
{
    protected override string Name => "SigmoidFocalLoss";
    protected override Tensor Function(Tensor input, Tensor target, Reduction reduction) => losses.sigmoid_focal_loss(input, target, reduction: reduction);
    protected override Loss<Tensor, Tensor, Tensor> Module(Reduction reduction) => losses.SigmoidFocalLoss(reduction: reduction);
    protected override double[] Inputs(Rng rng, int n) => rng.Normal(n, 2.5);
    protected override double[] Targets(Rng rng, int n) => BCELossTests.HardAndSoft(rng, n);
    protected override (double[] loss, double[] grad) Reference(double[] x, double[] y)
    {
        var (loss, dx, _) = BinaryReference.Focal(x, y, 0.25, 2.0);
        return (loss, dx);
    }

    [Fact]
    public void Hand_computed_case()
    {
        using var scope = NewDisposeScope();
        // x = ln 4: p = σ(x) = 0.8. γ = 2, α = 0.25.
        // y = 1: pₜ = 0.8, (1 - pₜ)² = 0.04, -log pₜ = -ln 0.8 = 0.22314355; αₜ = 0.25 → FL = 0.25·0.04·0.22314355 = 0.0022314355.
        // y = 0: pₜ = 0.2, (1 - pₜ)² = 0.64, -log pₜ = ln 5 = 1.60943791; αₜ = 0.75 → FL = 0.75·0.64·ln 5 = 0.77253020.
        // The easy example (pₜ = 0.8) is down-weighted 16 times more than the hard one (0.04 vs 0.64).
        // Gradient, hard labels with s = +1 (y = 1) / -1 (y = 0): αₜ s (1 - pₜ)^γ (γ pₜ log pₜ + pₜ - 1):
        // y = 1: 0.25·0.04·(2·0.8·ln 0.8 - 0.2); y = 0: -0.75·0.64·(2·0.2·ln 0.2 - 0.8).
        var x = tensor(new double[] { Math.Log(4), Math.Log(4) }, requires_grad: true);
        var y = tensor(new double[] { 1, 0 });
        var loss = losses.sigmoid_focal_loss(x, y, 0.25, 2.0, Reduction.None);
        TensorAssert.Close(loss, [0.25 * 0.04 * -Math.Log(0.8), 0.75 * 0.64 * Math.Log(5)], [2]);
        loss.sum().backward();
        TensorAssert.Close(x.grad!, [0.25 * 0.04 * (2 * 0.8 * Math.Log(0.8) - 0.2), -0.75 * 0.64 * (2 * 0.2 * Math.Log(0.2) - 0.8)]);
        TensorAssert.Close(losses.sigmoid_focal_loss(x, y, 0.25, 2.0), (0.25 * 0.04 * -Math.Log(0.8) + 0.75 * 0.64 * Math.Log(5)) / 2);
    }

    public static TheoryData<Reduction, double?, double> Options
    {
        get
        {
            var data = new TheoryData<Reduction, double?, double>();
            foreach (var r in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
                foreach (var alpha in new double?[] { 0.25, null, 0.75 })
                    foreach (var gamma in new[] { 0.0, 0.5, 2.0, 5.0 })
                        data.Add(r, alpha, gamma);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void Matches_the_reference_for_every_alpha_and_gamma_with_input_and_target_gradients(Reduction reduction, double? alpha, double gamma)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(51);
        var x = Inputs(rng, 60);
        var y = Targets(rng, 60); // hard labels at even positions, soft ones at odd positions
        var input = Rng.Tensor(x, [12, 5], requiresGrad: true);
        var target = Rng.Tensor(y, [12, 5], requiresGrad: true);
        var loss = losses.sigmoid_focal_loss(input, target, alpha, gamma, reduction);
        var (elements, dx, dy) = BinaryReference.Focal(x, y, alpha, gamma);
        var (values, gradX) = BinaryReference.Reduce(elements, dx, reduction);
        var (_, gradY) = BinaryReference.Reduce(elements, dy, reduction);
        TensorAssert.Close(loss, values, reduction == Reduction.None ? [12, 5] : []);
        loss.sum().backward();
        TensorAssert.Close(input.grad!, gradX, [12, 5], because: "(analytic input gradient)");
        TensorAssert.Close(target.grad!, gradY, [12, 5], because: "(analytic target gradient, hard and soft targets)");
    }

    [Fact]
    public void Gradcheck_in_float64_for_input_and_soft_target()
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(52);
        var input = Rng.Tensor(Inputs(rng, 10), [2, 5], requiresGrad: true);
        var target = Rng.Tensor(rng.Uniform(10, 0.05, 0.95), [2, 5], requiresGrad: true);
        foreach (var (alpha, gamma) in new (double?, double)[] { (0.25, 2.0), (null, 0.5), (0.6, 3.0), (null, 0.0) })
            foreach (var reduction in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
                GradCheck.gradcheck(a => losses.sigmoid_focal_loss(a[0], a[1], alpha, gamma, reduction), [input, target]).Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Gamma_zero_without_alpha_reproduces_BCE_with_logits_exactly(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(53);
        // Moderate and extreme logits, hard and soft targets.
        var x = rng.Normal(20, 4).Concat(new[] { 1e4, -1e4, 1e4, -1e4, 50 }).ToArray();
        var y = Targets(rng, 20).Concat(new[] { 1.0, 1.0, 0.0, 0.3, 0.5 }).ToArray();
        foreach (var dtype in new[] { ScalarType.Float64, ScalarType.Float32 })
        {
            var a = Rng.Tensor(x, [5, 5], dtype, requiresGrad: true);
            var b = Rng.Tensor(x, [5, 5], dtype, requiresGrad: true);
            var focal = losses.sigmoid_focal_loss(a, Rng.Tensor(y, [5, 5], dtype), alpha: null, gamma: 0, reduction);
            var bce = losses.binary_cross_entropy_with_logits(b, Rng.Tensor(y, [5, 5], dtype), reduction: reduction);
            focal.Equals(bce).Should().BeTrue($"γ = 0 without α is BCE with logits, bit for bit ({dtype})");
            focal.sum().backward();
            bce.sum().backward();
            a.grad!.Equals(b.grad!).Should().BeTrue($"and so are the gradients ({dtype})");
        }
    }

    [Fact]
    public void Gamma_zero_with_alpha_is_BCE_with_logits_weighted_by_alpha_over_one_minus_alpha()
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(54);
        const double alpha = 0.25;
        var x = Rng.Tensor(rng.Normal(30, 3), [6, 5]);
        var hard = Rng.Tensor(rng.Integers(30, 0, 2).Select(v => (double)v).ToArray(), [6, 5]);
        // Hard labels: αₜ is α for positives and 1 - α for negatives, so FL = (1 - α) · BCE with pos_weight α / (1 - α).
        var focal = losses.sigmoid_focal_loss(x, hard, alpha, 0, Reduction.None);
        var weighted = losses.binary_cross_entropy_with_logits(x, hard, reduction: Reduction.None,
            pos_weights: tensor(new[] { alpha / (1 - alpha) })).mul(1 - alpha);
        TensorAssert.Close(focal, weighted);
        // Any labels: FL = BCE with logits with the element weight αₜ = α y + (1 - α)(1 - y).
        var soft = Rng.Tensor(rng.Uniform(30, 0, 1), [6, 5]);
        var alphaT = soft.mul(alpha).add(soft.neg().add(1).mul(1 - alpha));
        TensorAssert.Close(losses.sigmoid_focal_loss(x, soft, alpha, 0, Reduction.Sum),
            losses.binary_cross_entropy_with_logits(x, soft, alphaT, Reduction.Sum));
    }

    [Fact]
    public void Extreme_logits_give_finite_losses_and_gradients()
    {
        using var scope = NewDisposeScope();
        // Certain right answers cost 0 with gradient 0; certain wrong ones cost αₜ·1e4 (the factor (1 - pₜ)^γ is 1)
        // with gradient ±αₜ, for every γ, also γ < 1 where (1 - pₜ)^(γ-1) would be infinite in probability space.
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
            foreach (var gamma in new[] { 0.5, 1.0, 2.0, 5.0 })
            {
                var x = tensor(new double[] { 1e4, -1e4, 1e4, -1e4 }).to(dtype);
                x.requires_grad = true;
                var y = tensor(new double[] { 1, 1, 0, 0 }).to(dtype);
                y.requires_grad = true;
                var loss = losses.sigmoid_focal_loss(x, y, 0.25, gamma, Reduction.None);
                TensorAssert.Values(loss).Should().Equal(0, 2500, 7500, 0);
                loss.sum().backward();
                TensorAssert.Values(x.grad!).Should().Equal(0, -0.25, 0.75, 0);
                TensorAssert.Values(y.grad!).Should().OnlyContain(v => double.IsFinite(v), $"target gradients stay finite (γ = {gamma})");
            }
        // Soft targets at ±1e4: finite too.
        var xs = tensor(new double[] { 1e4, -1e4, 30, -30 }, requires_grad: true);
        var ys = tensor(new double[] { 0.3, 0.9, 0.5, 0.01 });
        var soft = losses.sigmoid_focal_loss(xs, ys, 0.25, 2.0);
        double.IsFinite(soft.ToDouble()).Should().BeTrue();
        soft.backward();
        xs.grad!.ToArray<double>().Should().OnlyContain(v => double.IsFinite(v));
    }

    [Fact]
    public void Reduces_after_multiplying_by_the_focal_term_unlike_TorchSharp()
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(55);
        var x = Rng.Tensor(rng.Normal(20, 2), [4, 5]);
        var y = Rng.Tensor(rng.Integers(20, 0, 2).Select(v => (double)v).ToArray(), [4, 5]);
        var perElement = losses.sigmoid_focal_loss(x, y, 0.25, 2.0, Reduction.None);
        var mean = losses.sigmoid_focal_loss(x, y, 0.25, 2.0);
        TensorAssert.Close(mean, perElement.mean().ToDouble());
        // TorchSharp's overload: mean(αₜ · BCE_mean · (1 - pₜ)^γ), the inner BCE already reduced. A different number.
        var p = x.sigmoid();
        var pt = p.mul(y).add(p.neg().add(1).mul(y.neg().add(1)));
        var alphaT = y.mul(0.25).add(y.neg().add(1).mul(0.75));
        var torchSharp = alphaT.mul(losses.binary_cross_entropy_with_logits(x, y)).mul(pt.neg().add(1).pow(2)).mean().ToDouble();
        Math.Abs(torchSharp - mean.ToDouble()).Should().BeGreaterThan(1e-3);
    }

    [Fact]
    public void Options_are_validated()
    {
        using var scope = NewDisposeScope();
        var x = zeros(3);
        var y = zeros(3);
        foreach (var alpha in new[] { -0.1, 1.5, double.NaN })
        {
            FluentActions.Invoking(() => losses.sigmoid_focal_loss(x, y, alpha)).Should().Throw<LossArgumentOutOfRangeException>()
                .Where(e => e.Loss == "SigmoidFocalLoss" && e.ParamName == "alpha").WithMessage("SigmoidFocalLoss: alpha must be in [0, 1]*");
            FluentActions.Invoking(() => losses.SigmoidFocalLoss(alpha)).Should().Throw<LossArgumentOutOfRangeException>().Where(e => e.ParamName == "alpha");
        }
        foreach (var gamma in new[] { -1.0, double.NaN, double.PositiveInfinity })
        {
            FluentActions.Invoking(() => losses.sigmoid_focal_loss(x, y, gamma: gamma)).Should().Throw<LossArgumentOutOfRangeException>()
                .Where(e => e.ParamName == "gamma").WithMessage("SigmoidFocalLoss: gamma must be a finite number >= 0*");
            FluentActions.Invoking(() => losses.SigmoidFocalLoss(gamma: gamma)).Should().Throw<LossArgumentOutOfRangeException>();
        }
        FluentActions.Invoking(() => losses.sigmoid_focal_loss(x, tensor(new float[] { 0, 1.5f, 1 }))).Should().Throw<LossArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "target").WithMessage("SigmoidFocalLoss: target must lie in [0, 1], but element 1 (flat index) is 1.5*");
        FluentActions.Invoking(() => losses.sigmoid_focal_loss(x, y, reduction: Reduction.BatchMean)).Should().Throw<LossArgumentException>()
            .WithMessage("SigmoidFocalLoss: reduction BatchMean is only defined for KL divergence*");
        FluentActions.Invoking(() => losses.sigmoid_focal_loss(x, y, alpha: 0)).Should().NotThrow();
        FluentActions.Invoking(() => losses.sigmoid_focal_loss(x, y, alpha: 1, gamma: 0)).Should().NotThrow();
    }

    [Fact]
    public void The_module_keeps_its_options()
    {
        using var module = losses.SigmoidFocalLoss(null, 3.0, Reduction.Sum);
        module.alpha.Should().BeNull();
        module.gamma.Should().Be(3.0);
        module.reduction.Should().Be(Reduction.Sum);
        using var defaults = new SigmoidFocalLoss();
        defaults.alpha.Should().Be(0.25);
        defaults.gamma.Should().Be(2.0);
        defaults.reduction.Should().Be(Reduction.Mean);
    }

    [Fact]
    public void NaN_logits_propagate()
    {
        using var scope = NewDisposeScope();
        var loss = losses.sigmoid_focal_loss(tensor(new double[] { 0, double.NaN }), tensor(new double[] { 1, 0.5 }), reduction: Reduction.None);
        var v = loss.ToArray<double>();
        v[0].Should().BeApproximately(0.25 * 0.25 * Math.Log(2), 1e-15, "x = 0, y = 1: αₜ (1 - 0.5)² ln 2");
        double.IsNaN(v[1]).Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void Matches_torchvision_composed_in_PyTorch(string name) => GoldenBinary.Check(name);

    public static TheoryData<string> GoldenCases => GoldenBinary.Names("focal_");
}
