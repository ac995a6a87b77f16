using LossKit.Tests.Infrastructure;
using LossKit.Tests.References;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Classification;

public sealed class BCEWithLogitsLossTests : BinaryLossContract
{
    protected override string Name => "BCEWithLogitsLoss";
    protected override Tensor Function(Tensor input, Tensor target, Reduction reduction) => losses.binary_cross_entropy_with_logits(input, target, reduction: reduction);
    protected override Loss<Tensor, Tensor, Tensor> Module(Reduction reduction) => losses.BCEWithLogitsLoss(reduction: reduction);
    protected override double[] Inputs(Rng rng, int n) => rng.Normal(n, 3);
    protected override double[] Targets(Rng rng, int n) => BCELossTests.HardAndSoft(rng, n);
    protected override (double[] loss, double[] grad) Reference(double[] x, double[] y)
    {
        var (loss, dx, _) = BinaryReference.BceWithLogits(x, y, null, null);
        return (loss, dx);
    }

    [Fact]
    public void Hand_computed_case()
    {
        using var scope = NewDisposeScope();
        // x = ln 4 gives σ(x) = 4/5 = 0.8. y = 1: -ln 0.8; y = 0: -ln 0.2 = ln 5. x = 0 (σ = 0.5), y = 0.25: ln 2.
        // d/dx = σ(x) - y: -0.2, 0.8, 0.25.
        var x = tensor(new double[] { Math.Log(4), Math.Log(4), 0 }, requires_grad: true);
        var y = tensor(new double[] { 1, 0, 0.25 });
        var expected = new[] { -Math.Log(0.8), Math.Log(5), Math.Log(2) };
        TensorAssert.Close(losses.binary_cross_entropy_with_logits(x, y, reduction: Reduction.None), expected, [3]);
        var sum = losses.binary_cross_entropy_with_logits(x, y, reduction: Reduction.Sum);
        TensorAssert.Close(sum, expected.Sum());
        sum.backward();
        TensorAssert.Close(x.grad!, [-0.2, 0.8, 0.25]);
    }

    [Fact]
    public void Hand_computed_case_with_pos_weight()
    {
        using var scope = NewDisposeScope();
        // pos_weight P = 3 multiplies only the positive term -y log σ(x).
        // x = ln 4, y = 1: 3·(-ln 0.8); gradient -P y (1 - σ) = -3·0.2 = -0.6.
        // x = ln 4, y = 0: unchanged ln 5; gradient σ = 0.8.
        // x = 0, y = 0.25: 3·0.25·ln 2 + 0.75·ln 2 = 1.5 ln 2; gradient (1 - y)σ - P y (1 - σ) = 0.375 - 0.375 = 0.
        var x = tensor(new double[] { Math.Log(4), Math.Log(4), 0 }, requires_grad: true);
        var y = tensor(new double[] { 1, 0, 0.25 });
        var pw = tensor(new double[] { 3 });
        var loss = losses.binary_cross_entropy_with_logits(x, y, reduction: Reduction.None, pos_weights: pw);
        TensorAssert.Close(loss, [-3 * Math.Log(0.8), Math.Log(5), 1.5 * Math.Log(2)], [3]);
        loss.sum().backward();
        TensorAssert.Close(x.grad!, [-0.6, 0.8, 0], atol: 1e-15);
    }

    public static TheoryData<Reduction, string> WeightCases
    {
        get
        {
            var data = new TheoryData<Reduction, string>();
            foreach (var r in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
                foreach (var w in new[] { "weight_per_class", "weight_per_element", "pos_weight_per_class", "pos_weight_scalar", "both" })
                    data.Add(r, w);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(WeightCases))]
    public void Matches_the_reference_with_weights_and_pos_weight(Reduction reduction, string variant)
    {
        using var scope = NewDisposeScope();
        // Multi-label: (N, C) = (12, 5), one independent sigmoid per class.
        var rng = new Rng(41);
        var x = Inputs(rng, 60);
        var y = Targets(rng, 60);
        var wClass = rng.Uniform(5, 0, 2);
        var wElement = rng.Uniform(60, 0, 2);
        var pwClass = rng.Uniform(5, 0.2, 5);
        var (w, wShape, wFull) = variant switch
        {
            "weight_per_class" or "both" => (wClass, new long[] { 5 }, BinaryReference.PerClass(wClass, 60)),
            "weight_per_element" => (wElement, new long[] { 12, 5 }, wElement),
            _ => (null, null, null),
        };
        var (pw, pwShape, pwFull) = variant switch
        {
            "pos_weight_per_class" or "both" => (pwClass, new long[] { 5 }, BinaryReference.PerClass(pwClass, 60)),
            "pos_weight_scalar" => (new[] { 2.5 }, Array.Empty<long>(), BinaryReference.PerClass([2.5], 60)),
            _ => (null, null, null),
        };
        var input = Rng.Tensor(x, [12, 5], requiresGrad: true);
        var target = Rng.Tensor(y, [12, 5], requiresGrad: true);
        var loss = losses.binary_cross_entropy_with_logits(input, target,
            w is null ? null : Rng.Tensor(w, wShape!), reduction, pw is null ? null : Rng.Tensor(pw, pwShape!));
        var (elements, dx, dy) = BinaryReference.BceWithLogits(x, y, wFull, pwFull);
        var (values, gradX) = BinaryReference.Reduce(elements, dx, reduction);
        var (_, gradY) = BinaryReference.Reduce(elements, dy, reduction);
        TensorAssert.Close(loss, values, reduction == Reduction.None ? [12, 5] : []);
        loss.sum().backward();
        TensorAssert.Close(input.grad!, gradX, [12, 5], because: "(analytic input gradient)");
        TensorAssert.Close(target.grad!, gradY, [12, 5], because: "(analytic target gradient)");
    }

    [Fact]
    public void Weighted_gradcheck_in_float64_for_input_and_target()
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(42);
        var input = Rng.Tensor(Inputs(rng, 10), [2, 5], requiresGrad: true);
        var target = Rng.Tensor(rng.Uniform(10, 0.05, 0.95), [2, 5], requiresGrad: true);
        var weight = Rng.Tensor(rng.Uniform(5, 0.1, 2), [5]);
        var pw = Rng.Tensor(rng.Uniform(5, 0.2, 4), [5]);
        foreach (var reduction in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
            GradCheck.gradcheck(a => losses.binary_cross_entropy_with_logits(a[0], a[1], weight, reduction, pw), [input, target]).Should().BeTrue();
    }

    [Fact]
    public void Extreme_logits_give_exact_finite_losses_and_gradients()
    {
        using var scope = NewDisposeScope();
        // softplus(∓1e4): a certain right answer costs 0 (gradient 0), a certain wrong one costs 1e4 (gradient ±1);
        // with pos_weight 2 the wrong positive costs 2e4 with gradient -2.
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
        {
            var x = tensor(new double[] { 1e4, -1e4, 1e4, -1e4 }).to(dtype);
            x.requires_grad = true;
            var y = tensor(new double[] { 1, 1, 0, 0 }).to(dtype);
            var loss = losses.binary_cross_entropy_with_logits(x, y, reduction: Reduction.None, pos_weights: tensor(new double[] { 2 }).to(dtype));
            TensorAssert.Values(loss).Should().Equal(0, 2e4, 1e4, 0);
            loss.sum().backward();
            TensorAssert.Values(x.grad!).Should().Equal(0, -2, 1, 0);
        }
    }

    [Fact]
    public void Equals_BCE_on_the_sigmoid_for_moderate_logits()
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(43);
        var x = Rng.Tensor(rng.Normal(30, 2), [6, 5]);
        var y = Rng.Tensor(Targets(rng, 30), [6, 5]);
        var w = Rng.Tensor(rng.Uniform(5, 0.5, 2), [5]);
        var viaLogits = losses.binary_cross_entropy_with_logits(x, y, w, Reduction.None);
        var viaProbabilities = losses.binary_cross_entropy(x.sigmoid(), y, w, Reduction.None);
        TensorAssert.Close(viaLogits, viaProbabilities, rtol: 1e-12, atol: 1e-14);
    }

    [Fact]
    public void Pos_weight_must_broadcast_along_the_class_dimension()
    {
        using var scope = NewDisposeScope();
        var x = zeros(4, 5);
        var y = zeros(4, 5);
        var wrong = () => losses.binary_cross_entropy_with_logits(x, y, pos_weights: ones(3));
        wrong.Should().Throw<LossArgumentException>()
            .Where(e => e.Loss == "BCEWithLogitsLoss" && e.ParamName == "pos_weights")
            .WithMessage("BCEWithLogitsLoss: pos_weights of shape [3] does not broadcast to input [4, 5]*per-class pos_weights along the last dimension: shape [5]*");
        var perRow = () => losses.binary_cross_entropy_with_logits(x, y, pos_weights: ones(4));
        perRow.Should().Throw<LossArgumentException>().Where(e => e.ParamName == "pos_weights");
        var tooManyDims = () => losses.binary_cross_entropy_with_logits(x, y, pos_weights: ones(1, 4, 5));
        tooManyDims.Should().Throw<LossArgumentException>().Where(e => e.ParamName == "pos_weights");
        var ints = () => losses.binary_cross_entropy_with_logits(x, y, pos_weights: ones(5, ScalarType.Int64));
        ints.Should().Throw<LossArgumentException>().WithMessage("BCEWithLogitsLoss: pos_weights must be a floating-point tensor*");
        var weight = () => losses.binary_cross_entropy_with_logits(x, y, ones(2, 5));
        weight.Should().Throw<LossArgumentException>().Where(e => e.ParamName == "weight");
        foreach (var ok in new[] { ones(5), ones(1), full(Array.Empty<long>(), 2.0), ones(1, 5), ones(4, 5) })
            FluentActions.Invoking(() => losses.binary_cross_entropy_with_logits(x, y, pos_weights: ok)).Should().NotThrow();
        FluentActions.Invoking(() => losses.BCEWithLogitsLoss(pos_weights: ones(5, ScalarType.Int64)))
            .Should().Throw<LossArgumentException>().Where(e => e.ParamName == "pos_weights");
    }

    [Fact]
    public void A_target_outside_zero_one_is_rejected()
    {
        using var scope = NewDisposeScope();
        var act = () => losses.binary_cross_entropy_with_logits(zeros(2, 2), tensor(new float[] { 0, 1, -1, 1 }, [2, 2]));
        act.Should().Throw<LossArgumentOutOfRangeException>()
            .Where(e => e.Loss == "BCEWithLogitsLoss" && e.ParamName == "target")
            .WithMessage("BCEWithLogitsLoss: target must lie in [0, 1], but element 2 (flat index) is -1*");
        var batchmean = () => losses.binary_cross_entropy_with_logits(zeros(2), zeros(2), reduction: Reduction.BatchMean);
        batchmean.Should().Throw<LossArgumentException>().WithMessage("BCEWithLogitsLoss: reduction BatchMean is only defined for KL divergence*");
    }

    [Fact]
    public void NaN_logits_propagate()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new double[] { 0, double.NaN }, requires_grad: true);
        var loss = losses.binary_cross_entropy_with_logits(x, tensor(new double[] { 1, 0 }), reduction: Reduction.None);
        var v = loss.ToArray<double>();
        v[0].Should().BeApproximately(Math.Log(2), 1e-15);
        double.IsNaN(v[1]).Should().BeTrue();
    }

    [Fact]
    public void The_module_holds_weight_and_pos_weights_and_equals_the_function()
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(44);
        var x = Rng.Tensor(rng.Normal(20, 2), [4, 5]);
        var y = Rng.Tensor(Targets(rng, 20), [4, 5]);
        var w = Rng.Tensor(rng.Uniform(5, 0.5, 2), [5]);
        var pw = Rng.Tensor(rng.Uniform(5, 0.5, 4), [5]);
        var expected = losses.binary_cross_entropy_with_logits(x, y, w, Reduction.Mean, pw);
        using var module = losses.BCEWithLogitsLoss(w, Reduction.Mean, pw);
        w.Dispose();
        pw.Dispose();
        module.call(x, y).Equals(expected).Should().BeTrue("the module keeps its own references and calls the function");
        module.pos_weights!.shape.Should().Equal(5);
        module.named_buffers().Select(b => b.name).Should().Equal("weight", "pos_weights");
    }

    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void Matches_PyTorch(string name) => GoldenBinary.Check(name);

    public static TheoryData<string> GoldenCases => GoldenBinary.Names("bcel_");
}
