using LossKit.Tests.Infrastructure;
using LossKit.Tests.References;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Classification;

public sealed class KLDivLossTests : BinaryLossContract
{
    protected override string Name => "KLDivLoss";
    protected override Tensor Function(Tensor input, Tensor target, Reduction reduction) => losses.kl_div(input, target, reduction);
    protected override Loss<Tensor, Tensor, Tensor> Module(Reduction reduction) => losses.KLDivLoss(reduction);
    protected override double[] Inputs(Rng rng, int n) => rng.ProbabilityRows(n / 5, 5).Select(v => Math.Log(v)).ToArray();
    protected override double[] Targets(Rng rng, int n) => TargetsWithZeros(rng, n);
    protected override (double[] loss, double[] grad) Reference(double[] x, double[] y)
    {
        var (loss, dx, _) = BinaryReference.KlDiv(x, y, logTarget: false);
        return (loss, dx);
    }

    /// <summary>Rows of probabilities over the last dimension (5), with every 7th entry set to 0 (not renormalised).</summary>
    private static double[] TargetsWithZeros(Rng rng, int n) =>
        rng.ProbabilityRows(n / 5, 5).Select((v, i) => i % 7 == 3 ? 0 : v).ToArray();

    [Fact]
    public void Hand_computed_case()
    {
        using var scope = NewDisposeScope();
        // Row 0: t = [0.5, 0.5, 0], x = ln [0.25, 0.5, 0.25]: 0.5 (ln 0.5 - ln 0.25) + 0.5·0 + 0 = 0.5 ln 2.
        // Row 1: t = [1, 0, 0], x = ln [0.5, 0.25, 0.25]: 1·(0 - ln 0.5) = ln 2. The zero-target terms contribute 0.
        // Sum 1.5 ln 2; batchmean (N = 2 rows) 0.75 ln 2 = mean KL per row; mean over the 6 elements 0.25 ln 2.
        // d/dx = -t (/ 2 for batchmean).
        var x = tensor(new[] { 0.25, 0.5, 0.25, 0.5, 0.25, 0.25 }.Select(v => Math.Log(v)).ToArray(), [2, 3], requires_grad: true);
        var t = tensor(new double[] { 0.5, 0.5, 0, 1, 0, 0 }, [2, 3]);
        var ln2 = Math.Log(2);
        TensorAssert.Close(losses.kl_div(x, t, Reduction.None), [0.5 * ln2, 0, 0, ln2, 0, 0], [2, 3]);
        TensorAssert.Close(losses.kl_div(x, t, Reduction.Sum), 1.5 * ln2);
        TensorAssert.Close(losses.kl_div(x, t), 0.25 * ln2);
        var batchmean = losses.kl_div(x, t, Reduction.BatchMean);
        TensorAssert.Close(batchmean, 0.75 * ln2);
        batchmean.backward();
        TensorAssert.Close(x.grad!, [-0.25, -0.25, 0, -0.5, 0, 0]);
        // The same with log-probability targets: e^t (t - x) with t = ln [0.5, 0.5, 0] (ln 0 = -∞ gives 0).
        var logT = tensor(new double[] { 0.5, 0.5, 0, 1, 0, 0 }.Select(v => Math.Log(v)).ToArray(), [2, 3]);
        TensorAssert.Close(losses.kl_div(x, logT, Reduction.None, log_target: true), [0.5 * ln2, 0, 0, ln2, 0, 0], [2, 3]);
    }

    public static TheoryData<Reduction, bool> AllReductions
    {
        get
        {
            var data = new TheoryData<Reduction, bool>();
            foreach (var r in new[] { Reduction.None, Reduction.Mean, Reduction.Sum, Reduction.BatchMean })
                foreach (var logTarget in new[] { false, true })
                    data.Add(r, logTarget);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(AllReductions))]
    public void Matches_the_reference_for_every_reduction_and_target_kind(Reduction reduction, bool logTarget)
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(61);
        var x = Inputs(rng, 60);
        // log_target: log-probabilities without -∞ (so the target gradient is finite); otherwise probabilities with zeros.
        var t = logTarget ? rng.ProbabilityRows(12, 5).Select(v => Math.Log(v)).ToArray() : TargetsWithZeros(rng, 60);
        var input = Rng.Tensor(x, [3, 4, 5], requiresGrad: true);
        var target = Rng.Tensor(t, [3, 4, 5], requiresGrad: logTarget);
        var loss = losses.kl_div(input, target, reduction, logTarget);
        var (elements, dx, dt) = BinaryReference.KlDiv(x, t, logTarget);
        var (values, gradX) = BinaryReference.Reduce(elements, dx, reduction, batch: 3);
        TensorAssert.Close(loss, values, reduction == Reduction.None ? [3, 4, 5] : []);
        loss.sum().backward();
        TensorAssert.Close(input.grad!, gradX, [3, 4, 5], because: "(analytic input gradient)");
        if (logTarget)
            TensorAssert.Close(target.grad!, BinaryReference.Reduce(elements, dt, reduction, batch: 3).grad, [3, 4, 5], because: "(analytic target gradient)");
    }

    [Fact]
    public void Gradcheck_in_float64_including_batchmean_and_log_targets()
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(62);
        var input = Rng.Tensor(Inputs(rng, 10), [2, 5], requiresGrad: true);
        var logTarget = Rng.Tensor(rng.ProbabilityRows(2, 5).Select(v => Math.Log(v)).ToArray(), [2, 5], requiresGrad: true);
        foreach (var reduction in new[] { Reduction.None, Reduction.Mean, Reduction.Sum, Reduction.BatchMean })
            GradCheck.gradcheck(a => losses.kl_div(a[0], a[1], reduction, log_target: true), [input, logTarget]).Should().BeTrue();
        var target = Rng.Tensor(rng.ProbabilityRows(2, 5), [2, 5]);
        GradCheck.gradcheck(a => losses.kl_div(a, target, Reduction.BatchMean), input).Should().BeTrue();
    }

    [Fact]
    public void Batchmean_is_the_mean_KL_per_row_and_mean_is_the_element_mean()
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(63);
        // (N, C) = (4, 6): batchmean = Σ / 4 = mean over rows of KL(tₙ ‖ pₙ); mean = Σ / 24 = batchmean / C.
        var p = rng.ProbabilityRows(4, 6);
        var q = rng.ProbabilityRows(4, 6);
        var x = Rng.Tensor(p.Select(v => Math.Log(v)).ToArray(), [4, 6]);
        var t = Rng.Tensor(q, [4, 6]);
        var klPerRow = new double[4];
        for (var n = 0; n < 4; n++)
            for (var c = 0; c < 6; c++)
                klPerRow[n] += q[n * 6 + c] * Math.Log(q[n * 6 + c] / p[n * 6 + c]);
        klPerRow.Should().OnlyContain(v => v > 0, "KL between different distributions is positive");
        TensorAssert.Close(losses.kl_div(x, t, Reduction.BatchMean), klPerRow.Average());
        TensorAssert.Close(losses.kl_div(x, t, Reduction.Mean), klPerRow.Average() / 6);
        // KL(p ‖ p) = 0.
        losses.kl_div(x, Rng.Tensor(p, [4, 6]), Reduction.Sum).ToDouble().Should().BeApproximately(0, 1e-15);
    }

    [Fact]
    public void Log_target_defaults_to_false_as_in_PyTorch()
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(64);
        var x = Rng.Tensor(Inputs(rng, 10), [2, 5]);
        var q = rng.ProbabilityRows(2, 5);
        var t = Rng.Tensor(q, [2, 5]);
        var logT = Rng.Tensor(q.Select(v => Math.Log(v)).ToArray(), [2, 5]);
        var byDefault = losses.kl_div(x, t);
        TensorAssert.Close(byDefault, losses.kl_div(x, t, Reduction.Mean, log_target: false));
        TensorAssert.Close(byDefault, losses.kl_div(x, logT, Reduction.Mean, log_target: true), because: "e^(ln t) (ln t - x) = t (ln t - x)");
        using var module = losses.KLDivLoss();
        module.log_target.Should().BeFalse("TorchSharp defaults to true; LossKit follows PyTorch");
        module.reduction.Should().Be(Reduction.Mean);
        module.call(x, t).Equals(byDefault).Should().BeTrue();
        using var batchmean = losses.KLDivLoss(Reduction.BatchMean, log_target: true);
        batchmean.call(x, logT).Equals(losses.kl_div(x, logT, Reduction.BatchMean, true)).Should().BeTrue();
    }

    [Fact]
    public void Zero_probability_targets_contribute_zero_even_against_minus_infinity()
    {
        using var scope = NewDisposeScope();
        // Deliberate difference from PyTorch (0 · ∞ = NaN there): a masked class (x = -∞) with target 0 costs 0.
        var ninf = double.NegativeInfinity;
        var x = tensor(new[] { Math.Log(0.5), Math.Log(0.5), ninf }, requires_grad: true);
        var t = tensor(new double[] { 0.5, 0.5, 0 });
        var loss = losses.kl_div(x, t, Reduction.Sum);
        loss.ToDouble().Should().Be(0, "t equals the prediction on the unmasked classes");
        loss.backward();
        x.grad!.ToArray<double>().Should().Equal(-0.5, -0.5, 0);
        // log_target: t = -∞ (probability 0) costs 0 against any finite or infinite x.
        var xl = tensor(new[] { Math.Log(0.5), Math.Log(0.5), ninf, 0.3 }, requires_grad: true);
        var tl = tensor(new[] { Math.Log(0.5), Math.Log(0.5), ninf, ninf });
        var ll = losses.kl_div(xl, tl, Reduction.None, log_target: true);
        ll.ToArray<double>().Should().Equal(0, 0, 0, 0);
        ll.sum().backward();
        xl.grad!.ToArray<double>().Should().Equal(-0.5, -0.5, 0, 0);
        // A positive target against x = -∞ is a true infinite divergence; NaN still propagates.
        losses.kl_div(tensor(new[] { ninf }), tensor(new[] { 0.5 }), Reduction.Sum).ToDouble().Should().Be(double.PositiveInfinity);
        double.IsNaN(losses.kl_div(tensor(new[] { double.NaN }), tensor(new[] { 0.0 }), Reduction.Sum).ToDouble()).Should().BeTrue();
        double.IsNaN(losses.kl_div(tensor(new[] { double.NaN }), tensor(new[] { ninf }), Reduction.Sum, true).ToDouble()).Should().BeTrue();
        double.IsNaN(losses.kl_div(tensor(new[] { 0.0 }), tensor(new[] { double.NaN }), Reduction.Sum).ToDouble()).Should().BeTrue();
    }

    [Fact]
    public void Extreme_log_probabilities_stay_finite()
    {
        using var scope = NewDisposeScope();
        // x = -1e4 (a probability of e^-10000) against t = 0.5: 0.5 (ln 0.5 + 1e4), gradient -0.5.
        var x = tensor(new float[] { -1e4f, 0f }, requires_grad: true);
        var t = tensor(new float[] { 0.5f, 0.5f });
        var loss = losses.kl_div(x, t, Reduction.Sum);
        loss.ToDouble().Should().BeApproximately(0.5 * (Math.Log(0.5) + 1e4) + 0.5 * Math.Log(0.5), 1e-3);
        loss.backward();
        x.grad!.ToArray<float>().Should().Equal(-0.5f, -0.5f);
    }

    [Fact]
    public void Empty_and_scalar_inputs()
    {
        using var scope = NewDisposeScope();
        var empty = zeros(new long[] { 0, 4 }, ScalarType.Float64, requires_grad: true);
        var bm = losses.kl_div(empty, zeros(new long[] { 0, 4 }, ScalarType.Float64), Reduction.BatchMean);
        bm.ToDouble().Should().Be(0, "batchmean of an empty batch is 0 (PyTorch gives NaN)");
        bm.backward();
        // A 0-dimensional input has N = 1: batchmean equals sum.
        var s = tensor(Math.Log(0.25));
        var ts = tensor(0.5);
        losses.kl_div(s, ts, Reduction.BatchMean).ToDouble().Should().Be(losses.kl_div(s, ts, Reduction.Sum).ToDouble());
        losses.kl_div(s, ts, Reduction.Sum).ToDouble().Should().BeApproximately(0.5 * Math.Log(2), 1e-15);
    }

    [Fact]
    public void A_negative_probability_target_is_rejected_with_its_value_and_position()
    {
        using var scope = NewDisposeScope();
        var x = zeros(2, 3);
        var t = tensor(new float[] { 0.2f, 0.3f, 0.5f, 0.5f, -0.25f, 0.75f }, [2, 3]);
        var act = () => losses.kl_div(x, t);
        act.Should().Throw<LossArgumentOutOfRangeException>()
            .Where(e => e.Loss == "KLDivLoss" && e.ParamName == "target")
            .WithMessage("KLDivLoss: target must be non-negative, but element 4 (flat index) is -0.25*pass log_target: true*");
        // A NaN elsewhere does not hide it.
        var withNaN = () => losses.kl_div(zeros(2), tensor(new float[] { float.NaN, -1 }));
        withNaN.Should().Throw<LossArgumentOutOfRangeException>().WithMessage("*element 1 (flat index) is -1*");
        // Negative values are what log-probability targets look like.
        FluentActions.Invoking(() => losses.kl_div(x, t, log_target: true)).Should().NotThrow();
        FluentActions.Invoking(() => losses.kl_div(x, t, (Reduction)7)).Should().Throw<LossArgumentException>().WithMessage("KLDivLoss: unknown reduction 7*");
    }

    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void Matches_PyTorch(string name) => GoldenBinary.Check(name);

    public static TheoryData<string> GoldenCases => GoldenBinary.Names("kl_");
}
