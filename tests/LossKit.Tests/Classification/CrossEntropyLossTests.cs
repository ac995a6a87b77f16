using LossKit.Tests.Infrastructure;
using LossKit.Tests.References;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Classification;

public sealed class CrossEntropyLossTests : ClassIndexLossContract
{
    protected override string Name => "CrossEntropyLoss";

    protected override Tensor Function(Tensor input, Tensor target, Tensor? weight, long ignoreIndex, Reduction reduction) =>
        losses.cross_entropy(input, target, weight, ignoreIndex, reduction);

    protected override Loss<Tensor, Tensor, Tensor> Module(Tensor? weight, long ignoreIndex, Reduction reduction) =>
        losses.CrossEntropyLoss(weight, ignoreIndex, reduction: reduction);

    protected override ClassificationReference.Row[] Reference(double[][] x, long[] y, double[]? w, long ignoreIndex) =>
        ClassificationReference.CrossEntropy(x, y, w, ignoreIndex);

    /// <summary>Logits whose softmax is [0.2, 0.7, 0.1].</summary>
    private static Tensor HandLogits(bool requiresGrad = true) =>
        tensor(new[] { Math.Log(0.2), Math.Log(0.7), Math.Log(0.1) }, requires_grad: requiresGrad);

    [Fact]
    public void Hand_computed_case()
    {
        using var scope = NewDisposeScope();
        // softmax(ln [0.2, 0.7, 0.1]) = [0.2, 0.7, 0.1]; target 1: ℓ = -ln 0.7 = 0.356674943938732...
        // dℓ/dx = p - onehot(1) = [0.2, -0.3, 0.1].
        var x = HandLogits();
        var loss = losses.cross_entropy(x, tensor(1L));
        loss.ToDouble().Should().BeApproximately(-Math.Log(0.7), 1e-15);
        loss.ToDouble().Should().BeApproximately(0.35667494393873238, 1e-15);
        loss.backward();
        TensorAssert.Close(x.grad!, [0.2, -0.3, 0.1], atol: 1e-15);
    }

    [Fact]
    public void Hand_computed_weighted_mean()
    {
        using var scope = NewDisposeScope();
        // Rows softmax [0.2, 0.7, 0.1] with y = 1 and [0.5, 0.25, 0.25] with y = 0; weights [2, 1, 3].
        // ℓ = [-1·ln 0.7, -2·ln 0.5] = [0.356675, 1.386294]; Sum = 1.742969; Mean = Sum / (w[1] + w[0]) = Sum / 3.
        var x = tensor(new[] { Math.Log(0.2), Math.Log(0.7), Math.Log(0.1), Math.Log(0.5), Math.Log(0.25), Math.Log(0.25) }, [2, 3]);
        var y = tensor(new long[] { 1, 0 });
        var w = tensor(new[] { 2.0, 1.0, 3.0 });
        TensorAssert.Close(losses.cross_entropy(x, y, w, reduction: Reduction.None), [-Math.Log(0.7), 2 * Math.Log(2)]);
        TensorAssert.Close(losses.cross_entropy(x, y, w, reduction: Reduction.Sum), -Math.Log(0.7) + 2 * Math.Log(2));
        TensorAssert.Close(losses.cross_entropy(x, y, w), (-Math.Log(0.7) + 2 * Math.Log(2)) / 3);
        // Ignoring the second row leaves -ln 0.7 over the weight 1.
        TensorAssert.Close(losses.cross_entropy(x, tensor(new long[] { 1, -100 }), w), -Math.Log(0.7));
    }

    [Fact]
    public void Hand_computed_label_smoothing()
    {
        using var scope = NewDisposeScope();
        // C = 3, ε = 0.3: t = 0.7·onehot(1) + 0.1 = [0.1, 0.8, 0.1].
        // ℓ = -(0.1 ln 0.2 + 0.8 ln 0.7 + 0.1 ln 0.1) = 0.16094 + 0.28534 + 0.23026 = 0.676537...; dℓ/dx = p - t = [0.1, -0.1, 0].
        var x = HandLogits();
        var loss = losses.cross_entropy(x, tensor(1L), label_smoothing: 0.3);
        loss.ToDouble().Should().BeApproximately(-(0.1 * Math.Log(0.2) + 0.8 * Math.Log(0.7) + 0.1 * Math.Log(0.1)), 1e-15);
        loss.backward();
        TensorAssert.Close(x.grad!, [0.1, -0.1, 0.0], atol: 1e-15);
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Probability_targets_match_the_reference(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(41);
        const int n = 7;
        var x = rng.Normal(n * C, 2.0);
        var t = rng.ProbabilityRows(n, C);
        foreach (var w in new[] { null, Weights() })
            foreach (var eps in new[] { 0.0, 0.25 })
            {
                using var inner = NewDisposeScope();
                var input = Rng.Tensor(x, [n, C], requiresGrad: true);
                var loss = losses.cross_entropy(input, Rng.Tensor(t, [n, C]), w is null ? null : tensor(w), reduction: reduction, label_smoothing: eps);
                var rows = ClassificationReference.CrossEntropySoft(ClassificationReference.ToRows(x, n, C), ClassificationReference.ToRows(t, n, C), w, eps);
                var (values, grad) = ClassificationReference.Reduce(rows, reduction);
                var because = $"(weights {w is not null}, ε {eps})";
                TensorAssert.Close(loss, values, reduction == Reduction.None ? [n] : [], because: because);
                loss.sum().backward();
                TensorAssert.Close(input.grad!, grad.SelectMany(g => g).ToArray(), [n, C], because: "(gradient) " + because);
            }
    }

    [Fact]
    public void Probability_targets_with_extra_dimensions_match_the_reference()
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(42);
        // (N, C, L) = (2, 5, 3): the reference's rows are the 6 positions (n, l).
        var x = rng.Normal(2 * C * 3, 2.0);
        var tRows = rng.ProbabilityRows(6, C).Chunk(C).ToArray();
        var t = ClassificationReference.FromRows(tRows, 2, C, 3);
        var input = Rng.Tensor(x, [2, C, 3], requiresGrad: true);
        var loss = losses.cross_entropy(input, Rng.Tensor(t, [2, C, 3]), tensor(Weights()), label_smoothing: 0.1);
        var (values, grad) = ClassificationReference.Reduce(
            ClassificationReference.CrossEntropySoft(ClassificationReference.ToRows(x, 2, C, 3), tRows, Weights(), 0.1), Reduction.Mean);
        TensorAssert.Close(loss, values, []);
        loss.backward();
        TensorAssert.Close(input.grad!, ClassificationReference.FromRows(grad, 2, C, 3), [2, C, 3]);
        losses.cross_entropy(input, Rng.Tensor(t, [2, C, 3]), reduction: Reduction.None).shape.Should().Equal(2, 3);
    }

    [Fact]
    public void Probability_target_mean_divides_by_the_number_of_rows_not_by_the_weights()
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(43);
        var input = Rng.Tensor(rng.Normal(6 * C, 2.0), [6, C]);
        var target = Rng.Tensor(rng.ProbabilityRows(6, C), [6, C]);
        var weight = tensor(Weights());
        var sum = losses.cross_entropy(input, target, weight, reduction: Reduction.Sum).ToDouble();
        losses.cross_entropy(input, target, weight).ToDouble().Should().BeApproximately(sum / 6, 1e-14);
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void One_hot_probability_targets_equal_class_indices(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(44);
        var input = Rng.Tensor(rng.Normal(6 * C, 2.0), [6, C]);
        var y = tensor(new long[] { 0, 4, 2, 2, 1, 3 });
        var onehot = nn.functional.one_hot(y, C).to(ScalarType.Float64);
        foreach (var eps in new[] { 0.0, 0.2 })
        {
            TensorAssert.Close(losses.cross_entropy(input, onehot, reduction: reduction, label_smoothing: eps),
                losses.cross_entropy(input, y, reduction: reduction, label_smoothing: eps));
            // With weights the per-row losses and the sum agree; the means differ (Σ w[yₙ] against N).
            var w = tensor(Weights());
            var soft = losses.cross_entropy(input, onehot, w, reduction: reduction, label_smoothing: eps);
            var hard = losses.cross_entropy(input, y, w, reduction: reduction, label_smoothing: eps);
            if (reduction == Reduction.Mean)
            {
                var weightSum = Weights()[0] + Weights()[4] + 2 * Weights()[2] + Weights()[1] + Weights()[3];
                TensorAssert.Close(soft, hard.ToDouble() * weightSum / 6);
            }
            else
            {
                TensorAssert.Close(soft, hard);
            }
        }
    }

    [Fact]
    public void Probability_targets_of_an_empty_batch_give_zero()
    {
        using var scope = NewDisposeScope();
        var input = zeros(new long[] { 0, C }, ScalarType.Float64, requires_grad: true);
        var mean = losses.cross_entropy(input, zeros(new long[] { 0, C }, ScalarType.Float64));
        mean.ToDouble().Should().Be(0);
        mean.backward();
        losses.cross_entropy(input, zeros(new long[] { 0, C }, ScalarType.Float64), reduction: Reduction.Sum).ToDouble().Should().Be(0);
    }

    [Theory]
    [MemberData(nameof(LabelSmoothingCases))]
    public void Label_smoothing_matches_the_reference(Reduction reduction, bool weighted, long ignoreIndex)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(45);
        const int n = 9;
        var x = rng.Normal(n * C, 2.0);
        var y = Targets(rng, n, ignoreIndex, ignoreSome: true);
        var w = weighted ? Weights() : null;
        foreach (var eps in new[] { 0.1, 0.5, 1.0 })
        {
            using var inner = NewDisposeScope();
            var input = Rng.Tensor(x, [n, C], requiresGrad: true);
            var loss = losses.cross_entropy(input, Indices(y, n), w is null ? null : tensor(w), ignoreIndex, reduction, eps);
            var (values, grad) = ClassificationReference.Reduce(ClassificationReference.CrossEntropy(ClassificationReference.ToRows(x, n, C), y, w, ignoreIndex, eps), reduction);
            TensorAssert.Close(loss, values, reduction == Reduction.None ? [n] : [], because: $"(ε {eps})");
            loss.sum().backward();
            TensorAssert.Close(input.grad!, grad.SelectMany(g => g).ToArray(), [n, C], because: $"(gradient, ε {eps})");
        }
    }

    public static TheoryData<Reduction, bool, long> LabelSmoothingCases
    {
        get
        {
            var data = new TheoryData<Reduction, bool, long>();
            foreach (var r in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
                foreach (var weighted in new[] { false, true })
                    foreach (var ignore in new[] { -100L, 3L })
                        data.Add(r, weighted, ignore);
            return data;
        }
    }

    [Fact]
    public void Label_smoothing_passes_gradcheck()
    {
        using var scope = NewDisposeScope();
        var input = Rng.Tensor(new Rng(46).Normal(4 * C, 1.5), [4, C], requiresGrad: true);
        var weight = tensor(Weights());
        var target = tensor(new long[] { 1, -100, 4, 0 });
        GradCheck.gradcheck(t => losses.cross_entropy(t, target, weight, label_smoothing: 0.3), input).Should().BeTrue();
        var probabilities = Rng.Tensor(new Rng(47).ProbabilityRows(4, C), [4, C]);
        GradCheck.gradcheck(t => losses.cross_entropy(t, probabilities, weight, label_smoothing: 0.3, reduction: Reduction.None), input).Should().BeTrue();
    }

    [Fact]
    public void Label_smoothing_with_every_counted_weight_zero_gives_zero_not_the_smoothing_term()
    {
        using var scope = NewDisposeScope();
        // The smoothing term Sₙ = -Σ_c w[c] log p[n, c] is not 0 here although w[yₙ] = 0 for every counted row: PyTorch's
        // mean is 0/0 = NaN (its NLL term) + Sₙ/0 = ∞; LossKit's mean over a zero total weight is 0 with zero gradient.
        var input = Rng.Tensor(new Rng(48).Normal(3 * C, 2.0), [3, C], requiresGrad: true);
        var weight = tensor(new[] { 0.0, 0.0, 1.0, 1.0, 1.0 });
        var target = tensor(new long[] { 0, 1, 0 });
        losses.cross_entropy(input, target, weight, reduction: Reduction.Sum, label_smoothing: 0.2).ToDouble().Should().BeGreaterThan(0);
        var mean = losses.cross_entropy(input, target, weight, label_smoothing: 0.2);
        mean.ToDouble().Should().Be(0);
        mean.backward();
        input.grad!.ToArray<double>().Should().OnlyContain(v => v == 0);
    }

    [Fact]
    public void Module_holds_its_options()
    {
        using var scope = NewDisposeScope();
        using var module = losses.CrossEntropyLoss(tensor(Weights()), ignore_index: 3, label_smoothing: 0.15, reduction: Reduction.Sum);
        module.ignore_index.Should().Be(3);
        module.label_smoothing.Should().Be(0.15);
        module.reduction.Should().Be(Reduction.Sum);
        module.weight!.ToArray<double>().Should().Equal(Weights());
        using var plain = new CrossEntropyLoss();
        plain.weight.Should().BeNull();
        plain.ignore_index.Should().Be(-100);
        plain.label_smoothing.Should().Be(0);
        plain.reduction.Should().Be(Reduction.Mean);
        var input = Rng.Tensor(new Rng(49).Normal(4 * C, 2.0), [4, C]);
        var target = tensor(new long[] { 3, 0, 4, 3 });
        module.call(input, target).Equals(losses.cross_entropy(input, target, tensor(Weights()), 3, Reduction.Sum, 0.15)).Should().BeTrue();
        var probabilities = Rng.Tensor(new Rng(50).ProbabilityRows(4, C), [4, C]);
        plain.call(input, probabilities).Equals(losses.cross_entropy(input, probabilities)).Should().BeTrue();
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Rejects_label_smoothing_outside_0_1(double eps)
    {
        using var scope = NewDisposeScope();
        var function = () => losses.cross_entropy(zeros(2, C), tensor(new long[] { 0, 1 }), label_smoothing: eps);
        function.Should().Throw<LossArgumentOutOfRangeException>().Where(e => e.Loss == Name && e.ParamName == "label_smoothing")
            .WithMessage("CrossEntropyLoss: label_smoothing must be in [0, 1]*");
        var module = () => losses.CrossEntropyLoss(label_smoothing: eps);
        module.Should().Throw<LossArgumentOutOfRangeException>().Where(e => e.ParamName == "label_smoothing");
    }

    [Fact]
    public void Rejects_ignore_index_with_probability_targets()
    {
        using var scope = NewDisposeScope();
        var act = () => losses.cross_entropy(zeros(2, C), full(new long[] { 2, C }, 0.2f), ignore_index: 0);
        act.Should().Throw<LossArgumentException>().Where(e => e.Loss == Name && e.ParamName == "ignore_index")
            .WithMessage("CrossEntropyLoss: ignore_index (0) cannot be used with class-probability targets*");
        // A negative ignore_index (the default -100, or -1) is fine: there is nothing to ignore.
        losses.cross_entropy(zeros(2, C), full(new long[] { 2, C }, 0.2f), ignore_index: -1).ToDouble().Should().BeApproximately(Math.Log(C), 1e-6);
    }

    [Fact]
    public void Rejects_probability_targets_of_another_shape_or_dtype()
    {
        using var scope = NewDisposeScope();
        var shape = () => losses.cross_entropy(zeros(4, C), zeros(4, C + 1));
        shape.Should().Throw<LossArgumentException>().Where(e => e.ParamName == "target")
            .WithMessage($"CrossEntropyLoss: a floating target holds class probabilities and must have the input's shape [4, {C}], got [4, {C + 1}]; for class indices pass an int64 target of shape [4].*");
        var column = () => losses.cross_entropy(zeros(4, C), zeros(4, 1));
        column.Should().Throw<LossArgumentException>().WithMessage("*must have the input's shape*got [4, 1]*");
        var dtype = () => losses.cross_entropy(zeros(4, C), zeros(new long[] { 4, C }, ScalarType.Float64));
        dtype.Should().Throw<LossArgumentException>().Where(e => e.ParamName == "target").WithMessage("CrossEntropyLoss: input is Float32 but target is Float64*");
    }

    [Fact]
    public void Rejects_a_float_target_shaped_like_indices_and_says_how_to_convert()
    {
        using var scope = NewDisposeScope();
        var act = () => losses.cross_entropy(zeros(2, C, 3), zeros(2, 3));
        act.Should().Throw<LossArgumentException>()
            .WithMessage("CrossEntropyLoss: class-index target must be an integer tensor (int64), got Float32 with shape [2, 3]; convert indices with .to(ScalarType.Int64).*");
    }

    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void Matches_PyTorch(string name) => GoldenClassification.Check(name);

    public static TheoryData<string> GoldenCases => Golden.Names(GoldenClassification.Family, "ce_");
}

/// <summary>The whole class-index contract again for cross-entropy with PyTorch's label smoothing (ε = 0.3).</summary>
public sealed class CrossEntropyLabelSmoothingContractTests : ClassIndexLossContract
{
    private const double Eps = 0.3;

    protected override string Name => "CrossEntropyLoss";

    protected override Tensor Function(Tensor input, Tensor target, Tensor? weight, long ignoreIndex, Reduction reduction) =>
        losses.cross_entropy(input, target, weight, ignoreIndex, reduction, Eps);

    protected override Loss<Tensor, Tensor, Tensor> Module(Tensor? weight, long ignoreIndex, Reduction reduction) =>
        losses.CrossEntropyLoss(weight, ignoreIndex, Eps, reduction);

    protected override ClassificationReference.Row[] Reference(double[][] x, long[] y, double[]? w, long ignoreIndex) =>
        ClassificationReference.CrossEntropy(x, y, w, ignoreIndex, Eps);
}
