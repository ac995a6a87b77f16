using LossKit.Tests.Infrastructure;
using LossKit.Tests.References;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Classification;

public sealed class LabelSmoothingLossTests : ClassIndexLossContract
{
    private const double Eps = 0.2;

    protected override string Name => "LabelSmoothingLoss";

    protected override Tensor Function(Tensor input, Tensor target, Tensor? weight, long ignoreIndex, Reduction reduction) =>
        losses.label_smoothing_loss(input, target, C, Eps, weight, ignoreIndex, reduction);

    protected override Loss<Tensor, Tensor, Tensor> Module(Tensor? weight, long ignoreIndex, Reduction reduction) =>
        losses.LabelSmoothingLoss(C, Eps, weight, ignoreIndex, reduction);

    protected override ClassificationReference.Row[] Reference(double[][] x, long[] y, double[]? w, long ignoreIndex) =>
        ClassificationReference.SeedLabelSmoothing(x, y, w, ignoreIndex, Eps);

    [Fact]
    public void Hand_computed_case()
    {
        using var scope = NewDisposeScope();
        // C = 3, ε = 0.2: t = [0.2/2, 1 - 0.2, 0.2/2] = [0.1, 0.8, 0.1] on logits with softmax [0.2, 0.7, 0.1], y = 1:
        // ℓ = -(0.1 ln 0.2 + 0.8 ln 0.7 + 0.1 ln 0.1) = 0.160944 + 0.285340 + 0.230259 = 0.676542...; dℓ/dx = p - t = [0.1, -0.1, 0].
        var x = tensor(new[] { Math.Log(0.2), Math.Log(0.7), Math.Log(0.1) }, requires_grad: true);
        var loss = losses.label_smoothing_loss(x, tensor(1L), classes: 3, smoothing: 0.2);
        loss.ToDouble().Should().BeApproximately(-(0.1 * Math.Log(0.2) + 0.8 * Math.Log(0.7) + 0.1 * Math.Log(0.1)), 1e-15);
        loss.backward();
        TensorAssert.Close(x.grad!, [0.1, -0.1, 0.0], atol: 1e-15);
        // The same distribution in PyTorch's convention is label_smoothing = 0.2 · 3 / 2 = 0.3 (0.3 / 3 = 0.1 on each class).
        losses.cross_entropy(x, tensor(1L), label_smoothing: 0.3).ToDouble().Should().BeApproximately(loss.ToDouble(), 1e-15);
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Smoothing_zero_is_cross_entropy_exactly(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(61);
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
            foreach (var (shape, targetShape) in new[] { (new long[] { 10, C }, new long[] { 10 }), (new long[] { 2, C, 3, 2 }, new long[] { 2, 3, 2 }) })
                foreach (var weighted in new[] { false, true })
                {
                    using var inner = NewDisposeScope();
                    var count = (int)targetShape.Aggregate(1L, (a, b) => a * b);
                    var x = rng.Normal(count * C, 3.0);
                    var y = Indices(Targets(rng, count, -100, ignoreSome: true), targetShape);
                    var weight = weighted ? tensor(Weights()).to(dtype) : null;
                    var a = Rng.Tensor(x, shape, dtype, requiresGrad: true);
                    var b = Rng.Tensor(x, shape, dtype, requiresGrad: true);
                    var ls = losses.label_smoothing_loss(a, y, C, 0.0, weight, -100, reduction);
                    var ce = losses.cross_entropy(b, y, weight, -100, reduction);
                    var because = $"({dtype}, shape [{string.Join(", ", shape)}], weights {weighted})";
                    ls.Equals(ce).Should().BeTrue($"the values must be identical {because}");
                    ls.sum().backward();
                    ce.sum().backward();
                    a.grad!.Equals(b.grad!).Should().BeTrue($"the gradients must be identical {because}");
                }
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Maps_onto_PyTorch_label_smoothing_with_eps_times_C_over_C_minus_1(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(62);
        const int n = 9;
        var x = rng.Normal(n * C, 2.0);
        var y = Targets(rng, n, -100, ignoreSome: true);
        foreach (var eps in new[] { 0.05, 0.2, 0.5, 0.8 })
        {
            using var inner = NewDisposeScope();
            var pytorchEps = eps * C / (C - 1);
            // The documented identity of the two target distributions, on plain arrays...
            for (var k = 0; k < C; k++)
                ClassificationReference.SeedSmoothedTarget(2, C, eps)[k].Should()
                    .BeApproximately(ClassificationReference.PyTorchSmoothedTarget(2, C, pytorchEps)[k], 1e-15);
            // ... and of the two losses, with weights and ignored rows.
            var a = Rng.Tensor(x, [n, C], requiresGrad: true);
            var b = Rng.Tensor(x, [n, C], requiresGrad: true);
            var weight = tensor(Weights());
            var seed = losses.label_smoothing_loss(a, Indices(y, n), C, eps, weight, -100, reduction);
            var pytorch = losses.cross_entropy(b, Indices(y, n), weight, -100, reduction, pytorchEps);
            TensorAssert.Close(seed, pytorch, because: $"(ε {eps} ↔ {pytorchEps})");
            seed.sum().backward();
            pytorch.sum().backward();
            TensorAssert.Close(a.grad!, b.grad!, because: $"(gradient, ε {eps} ↔ {pytorchEps})");
        }
    }

    [Fact]
    public void Smoothing_beyond_C_minus_1_over_C_has_no_PyTorch_counterpart_but_is_defined()
    {
        using var scope = NewDisposeScope();
        // ε = 0.9 with C = 5: 0.1 on the true class, 0.225 on each other; PyTorch's ε would be 1.125 > 1.
        var rng = new Rng(63);
        var x = rng.Normal(6 * C, 2.0);
        var y = Targets(rng, 6, -100, ignoreSome: false);
        var input = Rng.Tensor(x, [6, C], requiresGrad: true);
        var loss = losses.label_smoothing_loss(input, Indices(y, 6), C, 0.9);
        var (values, grad) = ClassificationReference.Reduce(ClassificationReference.SeedLabelSmoothing(ClassificationReference.ToRows(x, 6, C), y, null, -100, 0.9), Reduction.Mean);
        TensorAssert.Close(loss, values, []);
        loss.backward();
        TensorAssert.Close(input.grad!, grad.SelectMany(g => g).ToArray(), [6, C]);
        var pytorch = () => losses.cross_entropy(input, Indices(y, 6), label_smoothing: 0.9 * C / (C - 1));
        pytorch.Should().Throw<LossArgumentOutOfRangeException>();
    }

    [Fact]
    public void Smoothing_one_with_two_classes_targets_the_other_class()
    {
        using var scope = NewDisposeScope();
        // C = 2, ε = 1: all mass on the class that is not the target, so the loss is cross-entropy with the labels swapped.
        var x = Rng.Tensor(new Rng(64).Normal(8, 2.0), [4, 2]);
        var y = tensor(new long[] { 0, 1, 1, 0 });
        TensorAssert.Close(losses.label_smoothing_loss(x, y, 2, 1.0, reduction: Reduction.None),
            losses.cross_entropy(x, tensor(new long[] { 1, 0, 0, 1 }), reduction: Reduction.None));
    }

    [Fact]
    public void Rejects_a_class_count_that_differs_from_the_input()
    {
        using var scope = NewDisposeScope();
        var act = () => losses.label_smoothing_loss(zeros(3, C), tensor(new long[] { 0, 1, 2 }), classes: 4);
        act.Should().Throw<LossArgumentException>().Where(e => e.Loss == Name && e.ParamName == "input")
            .WithMessage($"LabelSmoothingLoss: the loss was created with classes = 4, but input [3, {C}] has {C} classes in dimension 1.*");
        using var module = losses.LabelSmoothingLoss(classes: 6);
        var viaModule = () => module.call(zeros(2, C, 3), tensor(new long[] { 0, 1, 2, 3, 4, 0 }, [2, 3]));
        viaModule.Should().Throw<LossArgumentException>().WithMessage("*classes = 6*has 5 classes*");
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(0L)]
    [InlineData(-3L)]
    public void Rejects_fewer_than_two_classes(long classes)
    {
        using var scope = NewDisposeScope();
        var module = () => losses.LabelSmoothingLoss(classes);
        module.Should().Throw<LossArgumentOutOfRangeException>().Where(e => e.Loss == Name && e.ParamName == "classes")
            .WithMessage($"LabelSmoothingLoss: classes must be at least 2*got {classes}.*");
        var function = () => losses.label_smoothing_loss(zeros(2, 1), tensor(new long[] { 0, 0 }), classes);
        function.Should().Throw<LossArgumentOutOfRangeException>().Where(e => e.ParamName == "classes");
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Rejects_smoothing_outside_0_1(double eps)
    {
        using var scope = NewDisposeScope();
        var module = () => losses.LabelSmoothingLoss(C, eps);
        module.Should().Throw<LossArgumentOutOfRangeException>().Where(e => e.Loss == Name && e.ParamName == "smoothing")
            .WithMessage("LabelSmoothingLoss: smoothing must be in [0, 1]*");
        var function = () => losses.label_smoothing_loss(zeros(2, C), tensor(new long[] { 0, 1 }), C, eps);
        function.Should().Throw<LossArgumentOutOfRangeException>().Where(e => e.ParamName == "smoothing");
    }

    [Fact]
    public void Rejects_probability_targets_and_points_to_cross_entropy()
    {
        using var scope = NewDisposeScope();
        var act = () => losses.label_smoothing_loss(zeros(3, C), full(new long[] { 3, C }, 0.2f), C);
        act.Should().Throw<LossArgumentException>().Where(e => e.ParamName == "target")
            .WithMessage("LabelSmoothingLoss: LabelSmoothingLoss takes class indices*use CrossEntropyLoss*");
    }

    [Fact]
    public void Module_holds_its_options()
    {
        using var scope = NewDisposeScope();
        using var module = losses.LabelSmoothingLoss(7, 0.05, tensor(new double[7]), 3, Reduction.None);
        module.classes.Should().Be(7);
        module.smoothing.Should().Be(0.05);
        module.ignore_index.Should().Be(3);
        module.reduction.Should().Be(Reduction.None);
        module.weight!.shape.Should().Equal(7);
        using var defaults = new LabelSmoothingLoss(4);
        defaults.smoothing.Should().Be(0.1);
        defaults.weight.Should().BeNull();
        defaults.ignore_index.Should().Be(-100);
        defaults.reduction.Should().Be(Reduction.Mean);
    }

    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void Matches_the_definition_composed_in_PyTorch(string name) => GoldenClassification.Check(name);

    public static TheoryData<string> GoldenCases => Golden.Names(GoldenClassification.Family, "lsseed_");
}
