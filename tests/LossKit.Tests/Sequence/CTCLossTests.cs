using LossKit.Tests.Infrastructure;
using LossKit.Tests.References;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Sequence;

public sealed class CTCLossTests
{
    private const string Name = "CTCLoss";

    public static TheoryData<Reduction> Reductions => new() { Reduction.None, Reduction.Mean, Reduction.Sum };

    [Fact]
    public void Hand_computed_case()
    {
        using var scope = NewDisposeScope();
        // T = 2, C = 2 (0 = blank), target [1]. Frame probabilities [blank, 1]: [0.4, 0.6] then [0.3, 0.7].
        // Alignments collapsing to [1]: (1, 1), (0, 1), (1, 0): P = 0.6·0.7 + 0.4·0.7 + 0.6·0.3 = 0.42 + 0.28 + 0.18 = 0.88.
        // loss = -ln 0.88 (Mean divides by the target length 1).
        // True gradient -γ: frame 0: γ(blank) = 0.28/0.88, γ(1) = 0.60/0.88; frame 1: γ(blank) = 0.18/0.88, γ(1) = 0.70/0.88.
        // PyTorch's gradient adds exp(log_probs): [0.4 - 0.28/0.88, 0.6 - 0.6/0.88, 0.3 - 0.18/0.88, 0.7 - 0.7/0.88].
        var lp = tensor(new[] { Math.Log(0.4), Math.Log(0.6), Math.Log(0.3), Math.Log(0.7) }, [2, 1, 2], requires_grad: true);
        var loss = losses.ctc_loss(lp, tensor(new long[] { 1 }, [1, 1]), tensor(new long[] { 2 }), tensor(new long[] { 1 }));
        loss.ToDouble().Should().BeApproximately(-Math.Log(0.88), 1e-14);
        loss.backward();
        TensorAssert.Close(lp.grad!, [0.4 - 0.28 / 0.88, 0.6 - 0.6 / 0.88, 0.3 - 0.18 / 0.88, 0.7 - 0.7 / 0.88], rtol: 1e-9, atol: 1e-12);

        // Target [1, 1] needs a blank between the copies: with T = 3 the only alignment is (1, 0, 1).
        // Frames [0.4, 0.6], [0.3, 0.7], [0.5, 0.5]: P = 0.6 · 0.3 · 0.5 = 0.09; Mean divides by the length 2.
        var lp3 = tensor(new[] { Math.Log(0.4), Math.Log(0.6), Math.Log(0.3), Math.Log(0.7), Math.Log(0.5), Math.Log(0.5) }, [3, 1, 2]);
        losses.ctc_loss(lp3, tensor(new long[] { 1, 1 }, [1, 2]), [3], [2], reduction: Reduction.Sum).ToDouble()
            .Should().BeApproximately(-Math.Log(0.09), 1e-14);
        losses.ctc_loss(lp3, tensor(new long[] { 1, 1 }, [1, 2]), [3], [2]).ToDouble().Should().BeApproximately(-Math.Log(0.09) / 2, 1e-14);
        // With T = 2 it is impossible: +inf.
        losses.ctc_loss(lp3, tensor(new long[] { 1, 1 }, [1, 2]), [2], [2], reduction: Reduction.Sum).ToDouble().Should().Be(double.PositiveInfinity);
    }

    [Fact]
    public void Reference_alpha_beta_agrees_with_the_brute_force()
    {
        // The larger random comparisons rest on the alpha-beta reference: check it against the enumeration first.
        for (var seed = 0; seed < 20; seed++)
        {
            var d = CtcData.Make(100 + seed, T: 5, N: 3, C: 3, maxS: 3, blank: seed % 3);
            foreach (var reduction in new[] { Reduction.None, Reduction.Mean })
            {
                var brute = d.Reference(reduction, bruteForce: true);
                var ab = d.Reference(reduction, bruteForce: false);
                TensorAssert.Close(ab.Values, brute.Values, 1e-12, 1e-13, $"(seed {seed})");
                TensorAssert.Close(ab.GradTrue, brute.GradTrue, 1e-10, 1e-13, $"(gradient, seed {seed})");
            }
        }
    }

    public static TheoryData<int, Reduction, bool> BruteForceCases()
    {
        var data = new TheoryData<int, Reduction, bool>();
        foreach (var seed in new[] { 1, 2, 3 })
            foreach (var reduction in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
                foreach (var padded in new[] { true, false })
                    data.Add(seed, reduction, padded);
        return data;
    }

    [Theory]
    [MemberData(nameof(BruteForceCases))]
    public void Matches_the_brute_force_enumeration_of_all_alignments(int seed, Reduction reduction, bool padded)
    {
        using var scope = NewDisposeScope();
        // T = 5, C = 3: 3^5 = 243 alignments per sample, all enumerated.
        var d = CtcData.Make(seed, T: 5, N: 3, C: 3, maxS: 3, blank: seed == 2 ? 1 : 0);
        var r = d.Reference(reduction);
        var lp = d.LogProbsTensor(requiresGrad: true);
        var loss = losses.ctc_loss(lp, padded ? d.Padded(padding: 2) : d.Concatenated(), d.InputLengthsTensor(), d.TargetLengthsTensor(),
            d.Blank, reduction);
        TensorAssert.Close(loss, r.Values, reduction == Reduction.None ? [d.N] : [], rtol: 1e-10, atol: 1e-12);
        loss.sum().backward();
        // libtorch's gradient with respect to log_probs is PyTorch's form: the true derivative plus exp(log_probs) on used frames.
        TensorAssert.Close(lp.grad!, r.GradTorch, [d.T, d.N, d.C], rtol: 1e-9, atol: 1e-12, because: "(PyTorch's gradient form)");

        // Through log_softmax (the intended use) the gradient with respect to the logits is the true one, chained.
        var x = d.LogitsTensor(requiresGrad: true);
        var viaLogits = losses.ctc_loss(x.log_softmax(2), padded ? d.Padded() : d.Concatenated(), d.InputLengthsTensor(), d.TargetLengthsTensor(),
            d.Blank, reduction);
        viaLogits.sum().backward();
        TensorAssert.Close(x.grad!, CtcReference.ThroughLogSoftmax(r.GradTrue, d.LogProbs, d.C), [d.T, d.N, d.C], rtol: 1e-9, atol: 1e-12,
            because: "(analytic gradient with respect to the logits)");
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Matches_the_alpha_beta_reference_on_larger_batches(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var d = CtcData.Make(7, T: 16, N: 5, C: 6, maxS: 6, blank: 0, scale: 2.0);
        var r = d.Reference(reduction, bruteForce: false);
        var x = d.LogitsTensor(requiresGrad: true);
        var loss = losses.ctc_loss(x.log_softmax(2), d.Padded(), d.InputLengthsTensor(), d.TargetLengthsTensor(), d.Blank, reduction);
        TensorAssert.Close(loss, r.Values, reduction == Reduction.None ? [d.N] : [], rtol: 1e-10, atol: 1e-12);
        loss.sum().backward();
        TensorAssert.Close(x.grad!, CtcReference.ThroughLogSoftmax(r.GradTrue, d.LogProbs, d.C), [d.T, d.N, d.C], rtol: 1e-9, atol: 1e-12);
    }

    [Fact]
    public void Padded_equals_concatenated()
    {
        using var scope = NewDisposeScope();
        var d = CtcData.Make(8, T: 10, N: 4, C: 5, maxS: 4);
        foreach (var reduction in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
        {
            var a = d.LogProbsTensor(requiresGrad: true);
            var b = d.LogProbsTensor(requiresGrad: true);
            var padded = losses.ctc_loss(a, d.Padded(padding: 3), d.InputLengthsTensor(), d.TargetLengthsTensor(), reduction: reduction);
            var concatenated = losses.ctc_loss(b, d.Concatenated(), d.InputLengthsTensor(), d.TargetLengthsTensor(), reduction: reduction);
            TensorAssert.Close(padded, concatenated);
            padded.sum().backward();
            concatenated.sum().backward();
            TensorAssert.Close(a.grad!, b.grad!);
        }
    }

    [Fact]
    public void Passes_gradcheck_through_log_softmax_and_documents_the_log_probs_gradient()
    {
        using var scope = NewDisposeScope();
        var d = CtcData.Make(9, T: 6, N: 3, C: 4, maxS: 3);
        var targets = d.Padded();
        var il = d.InputLengthsTensor();
        var tl = d.TargetLengthsTensor();
        foreach (var reduction in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
            GradCheck.gradcheck(x => losses.ctc_loss(x.log_softmax(2), targets, il, tl, reduction: reduction), d.LogitsTensor(requiresGrad: true))
                .Should().BeTrue();
        // Directly on log_probs, PyTorch's gradient (true derivative + exp(log_probs)) is not the derivative of the value:
        // the documented convention. The check must fail, or the documentation would be wrong.
        GradCheck.gradcheck(lp => losses.ctc_loss(lp, targets, il, tl), d.LogProbsTensor(requiresGrad: true), raise_exception: false)
            .Should().BeFalse();
    }

    [Fact]
    public void Zero_infinity_turns_impossible_alignments_into_zero_loss_and_gradient()
    {
        using var scope = NewDisposeScope();
        // Sample 1: target [1, 1, 2] needs 1 + 1 + 1 + 1 (blank between the repeated 1s) = 4 frames, but T_1 = 3.
        var rng = new Rng(31);
        var logits = rng.Normal(5 * 2 * 3, 1.5);
        var lpValues = CtcReference.LogSoftmax(logits, 3);
        var targets = tensor(new long[] { 2, 1, 0, 1, 1, 2 }, [2, 3]);
        long[] il = [5, 3];
        long[] tl = [2, 3];
        long[][] targetArrays = [[2, 1], [1, 1, 2]];

        var plain = losses.ctc_loss(Rng.Tensor(lpValues, [5, 2, 3]), targets, il, tl, reduction: Reduction.None).ToArray<double>();
        plain[1].Should().Be(double.PositiveInfinity, "without zero_infinity an impossible alignment costs +inf");
        double.IsFinite(plain[0]).Should().BeTrue();
        losses.ctc_loss(Rng.Tensor(lpValues, [5, 2, 3]), targets, il, tl).ToDouble().Should().Be(double.PositiveInfinity);

        foreach (var reduction in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
        {
            var r = CtcReference.Evaluate(lpValues, 5, 2, 3, targetArrays, il, 0, reduction, zeroInfinity: true, bruteForce: true);
            r.Infinite.Should().Equal(false, true);
            var lp = Rng.Tensor(lpValues, [5, 2, 3], requiresGrad: true);
            var loss = losses.ctc_loss(lp, targets, il, tl, reduction: reduction, zero_infinity: true);
            TensorAssert.Close(loss, r.Values, rtol: 1e-10, atol: 1e-12);
            loss.sum().backward();
            TensorAssert.Close(lp.grad!, r.GradTorch, rtol: 1e-9, atol: 1e-12);
            var g = lp.grad!.ToArray<double>();
            for (var t = 0; t < 5; t++)
                for (var k = 0; k < 3; k++) g[(t * 2 + 1) * 3 + k].Should().Be(0, "the impossible sample's gradient is zeroed");
        }
    }

    [Fact]
    public void Without_zero_infinity_the_gradient_of_an_impossible_sample_is_NaN_as_in_PyTorch()
    {
        using var scope = NewDisposeScope();
        var lp = tensor(new[] { Math.Log(0.4), Math.Log(0.6), Math.Log(0.3), Math.Log(0.7) }, [2, 1, 2], requires_grad: true);
        var loss = losses.ctc_loss(lp, tensor(new long[] { 1, 1 }, [1, 2]), [2], [2]);
        loss.ToDouble().Should().Be(double.PositiveInfinity);
        loss.backward();
        lp.grad!.ToArray<double>().Should().OnlyContain(v => double.IsNaN(v));
    }

    [Fact]
    public void Mean_divides_each_loss_by_its_target_length_clamped_to_one()
    {
        using var scope = NewDisposeScope();
        // Sample 0: empty target; its only alignment is all blanks: loss = -Σ_t log p_t(blank), divided by max(0, 1) = 1.
        // Sample 1: target [1] (length 1). Mean = (ℓ0 / 1 + ℓ1 / 1) / 2; and with a target of length 3, ℓ/3.
        var d = CtcData.Make(12, T: 4, N: 2, C: 3, maxS: 2);
        var lpValues = d.LogProbs;
        var targets = tensor(new long[] { 0, 0, 0, 1, 2, 1 }, [2, 3]);
        var none = losses.ctc_loss(d.LogProbsTensor(), targets, [4, 4], [0, 3], reduction: Reduction.None).ToArray<double>();
        var blankOnly = 0.0;
        for (var t = 0; t < 4; t++) blankOnly -= lpValues[(t * 2 + 0) * 3 + 0];
        none[0].Should().BeApproximately(blankOnly, 1e-12);
        var brute = CtcReference.BruteForce(Enumerable.Range(0, 4).SelectMany(t => lpValues.Skip((t * 2 + 1) * 3).Take(3)).ToArray(), 4, 3, [1, 2, 1], 0).loss;
        none[1].Should().BeApproximately(brute, 1e-12);
        losses.ctc_loss(d.LogProbsTensor(), targets, [4, 4], [0, 3]).ToDouble().Should().BeApproximately((blankOnly / 1 + brute / 3) / 2, 1e-12);
        losses.ctc_loss(d.LogProbsTensor(), targets, [4, 4], [0, 3], reduction: Reduction.Sum).ToDouble().Should().BeApproximately(blankOnly + brute, 1e-12);
    }

    [Fact]
    public void An_empty_batch_gives_zero_with_zero_gradient()
    {
        using var scope = NewDisposeScope();
        var lp = zeros(new long[] { 4, 0, 3 }, ScalarType.Float64, requires_grad: true);
        var mean = losses.ctc_loss(lp, zeros(new long[] { 0, 2 }, ScalarType.Int64), zeros(0, ScalarType.Int64), zeros(0, ScalarType.Int64));
        mean.ToDouble().Should().Be(0, "LossKit defines the mean over nothing as 0 (PyTorch gives NaN)");
        mean.backward();
        lp.grad!.numel().Should().Be(0);
        losses.ctc_loss(lp, zeros(0, ScalarType.Int64), zeros(0, ScalarType.Int64), zeros(0, ScalarType.Int64), reduction: Reduction.Sum).ToDouble().Should().Be(0);
        losses.ctc_loss(lp, zeros(0, ScalarType.Int64), zeros(0, ScalarType.Int64), zeros(0, ScalarType.Int64), reduction: Reduction.None).shape.Should().Equal(0);
    }

    [Fact]
    public void Float32_agrees_with_float64()
    {
        using var scope = NewDisposeScope();
        var d = CtcData.Make(13, T: 12, N: 4, C: 5, maxS: 4);
        foreach (var reduction in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
        {
            var x32 = d.LogitsTensor(ScalarType.Float32, requiresGrad: true);
            var x64 = x32.detach().to(ScalarType.Float64).requires_grad_();
            var l32 = losses.ctc_loss(x32.log_softmax(2), d.Padded(), d.InputLengthsTensor(), d.TargetLengthsTensor(), reduction: reduction);
            var l64 = losses.ctc_loss(x64.log_softmax(2), d.Padded(), d.InputLengthsTensor(), d.TargetLengthsTensor(), reduction: reduction);
            l32.dtype.Should().Be(ScalarType.Float32);
            TensorAssert.Close(l32, TensorAssert.Values(l64), null, 1e-5, 1e-5);
            l32.sum().backward();
            l64.sum().backward();
            TensorAssert.Close(x32.grad!, TensorAssert.Values(x64.grad!), null, 1e-4, 1e-6);
        }
    }

    [Fact]
    public void Extreme_logits_give_finite_losses_and_gradients()
    {
        using var scope = NewDisposeScope();
        // Frames strongly favour (blank, blank, 1) then (2, 2, blank): log_softmax gives 0 and -2e4. Target [1]: one frame
        // must be 1 against a -2e4 log-probability, so the loss is about 2e4 but finite; target [2] is about 0.
        var x = tensor(new float[] { 1e4f, -1e4f, -1e4f, 1e4f, -1e4f, -1e4f, -1e4f, 1e4f, -1e4f }, [3, 1, 3], requires_grad: true);
        foreach (var target in new long[] { 1, 2 })
        {
            x.grad = null;
            var loss = losses.ctc_loss(x.log_softmax(2), tensor(new[] { target }, [1, 1]), [3], [1]);
            double.IsFinite(loss.ToDouble()).Should().BeTrue();
            loss.backward();
            TensorAssert.Values(x.grad!).Should().OnlyContain(v => double.IsFinite(v));
        }
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Module_equals_function_and_array_lengths_equal_tensor_lengths(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var d = CtcData.Make(14, T: 8, N: 3, C: 4, maxS: 3, blank: 2);
        using var module = losses.CTCLoss(blank: 2, reduction: reduction, zero_infinity: true);
        module.reduction.Should().Be(reduction);
        module.blank.Should().Be(2);
        var a = module.call(d.LogProbsTensor(), d.Padded(), d.InputLengthsTensor(), d.TargetLengthsTensor());
        var b = losses.ctc_loss(d.LogProbsTensor(), d.Padded(), d.InputLengthsTensor(), d.TargetLengthsTensor(), 2, reduction, true);
        var c = module.call(d.LogProbsTensor(), d.Padded(), d.InputLengths, d.Targets.Select(t => (long)t.Length).ToArray());
        a.Equals(b).Should().BeTrue("the module only holds options and calls the function");
        c.Equals(b).Should().BeTrue();
        // int32 lengths and targets are accepted and converted.
        var e = losses.ctc_loss(d.LogProbsTensor(), d.Padded().to(ScalarType.Int32), d.InputLengthsTensor().to(ScalarType.Int32),
            d.TargetLengthsTensor().to(ScalarType.Int32), 2, reduction, true);
        e.Equals(b).Should().BeTrue();
        module.ToString().Should().Be($"CTCLoss(blank=2, reduction={reduction}, zero_infinity=True)");
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Unbatched_input_equals_a_batch_of_one(Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var d = CtcData.Make(15, T: 6, N: 1, C: 4, maxS: 3);
        var batched = losses.ctc_loss(d.LogProbsTensor(), d.Padded(), d.InputLengthsTensor(), d.TargetLengthsTensor(), reduction: reduction);
        var lp = d.LogProbsTensor().reshape(d.T, d.C);
        var unbatched = losses.ctc_loss(lp, d.Padded().reshape(-1), tensor((long)d.InputLengths[0]), tensor((long)d.Targets[0].Length), reduction: reduction);
        unbatched.shape.Should().Equal(Array.Empty<long>(), "an unbatched loss is a scalar for every reduction");
        unbatched.ToDouble().Should().BeApproximately(batched.sum().ToDouble(), 1e-12);
        // Lengths of shape [1] are accepted too.
        losses.ctc_loss(lp, d.Padded().reshape(-1), d.InputLengthsTensor(), d.TargetLengthsTensor(), reduction: reduction).ToDouble()
            .Should().BeApproximately(batched.sum().ToDouble(), 1e-12);
    }

    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void Matches_PyTorch(string name)
    {
        using var scope = NewDisposeScope();
        var c = Golden.Case("ctc", name);
        var logits = c.HasInput("logits");
        var leaf = c.Input(logits ? "logits" : "log_probs");
        var lp = logits ? leaf.log_softmax(2) : leaf;
        var loss = losses.ctc_loss(lp, c.Input("targets"), c.Input("input_lengths"), c.Input("target_lengths"),
            c.Long("blank"), c.Reduction, c.Bool("zero_infinity"));
        var (expected, shape) = c.Output;
        // The same libtorch kernel as PyTorch: only summation order may differ.
        var f64 = leaf.dtype == ScalarType.Float64;
        TensorAssert.Close(loss, expected, shape, f64 ? 1e-12 : 1e-6, f64 ? 1e-12 : 1e-6, because: $"(golden case {name})");
        var gradName = logits ? "logits" : "log_probs";
        if (!c.HasGrad(gradName)) return;
        loss.sum().backward();
        var (grad, gradShape) = c.Grad(gradName);
        TensorAssert.Close(leaf.grad!, grad, gradShape, f64 ? 1e-10 : 1e-5, f64 ? 1e-12 : 1e-6, because: $"(gradient, golden case {name})");
    }

    public static TheoryData<string> GoldenCases => Golden.Names("ctc");

    // ----- validation ------------------------------------------------------------------------------------------------

    private static (Tensor lp, Tensor targets, Tensor il, Tensor tl) Valid() =>
        (full(new long[] { 5, 2, 4 }, -Math.Log(4)), tensor(new long[] { 1, 2, 3, 3 }, [2, 2]), tensor(new long[] { 5, 4 }), tensor(new long[] { 2, 1 }));

    [Fact]
    public void Rejects_bad_log_probs_and_blank()
    {
        using var scope = NewDisposeScope();
        var (lp, tg, il, tl) = Valid();
        losses.ctc_loss(lp, tg, il, tl).ToDouble().Should().BeGreaterThan(0, "the valid baseline runs");
        FluentActions.Invoking(() => losses.ctc_loss(zeros(new long[] { 5, 2, 4 }, ScalarType.Int64), tg, il, tl)).Should().Throw<LossArgumentException>()
            .Where(e => e.Loss == Name && e.ParamName == "log_probs").WithMessage($"{Name}: log_probs must be a float32 or float64 tensor*Int64*[5, 2, 4]*");
        FluentActions.Invoking(() => losses.ctc_loss(zeros(5), tg, il, tl)).Should().Throw<LossArgumentException>()
            .Where(e => e.ParamName == "log_probs").WithMessage($"{Name}: log_probs must be (T, N, C)*got shape [5].*");
        FluentActions.Invoking(() => losses.ctc_loss(lp, tg, il, tl, blank: 4)).Should().Throw<LossArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "blank").WithMessage($"{Name}: blank must be a class index in [0, 4)*got 4.*");
        FluentActions.Invoking(() => losses.ctc_loss(lp, tg, il, tl, blank: -1)).Should().Throw<LossArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "blank");
        FluentActions.Invoking(() => losses.CTCLoss(blank: -1)).Should().Throw<LossArgumentOutOfRangeException>().Where(e => e.ParamName == "blank");
        FluentActions.Invoking(() => losses.ctc_loss(lp, tg, il, tl, reduction: Reduction.BatchMean)).Should().Throw<LossArgumentException>()
            .WithMessage($"{Name}: reduction BatchMean*");
    }

    [Fact]
    public void Rejects_bad_lengths()
    {
        using var scope = NewDisposeScope();
        var (lp, tg, il, tl) = Valid();
        FluentActions.Invoking(() => losses.ctc_loss(lp, tg, tensor(new long[] { 5, -1 }), tl)).Should().Throw<LossArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "input_lengths").WithMessage($"{Name}: input_lengths[1] is -1; lengths must be >= 0.*");
        FluentActions.Invoking(() => losses.ctc_loss(lp, tg, tensor(new long[] { 6, 4 }), tl)).Should().Throw<LossArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "input_lengths").WithMessage($"{Name}: input_lengths[0] is 6, more than the T = 5 time steps of log_probs [5, 2, 4].*");
        FluentActions.Invoking(() => losses.ctc_loss(lp, tg, il, tensor(new long[] { -2, 1 }))).Should().Throw<LossArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "target_lengths").WithMessage($"{Name}: target_lengths[0] is -2*");
        FluentActions.Invoking(() => losses.ctc_loss(lp, tg, il, tensor(new long[] { 2, 3 }))).Should().Throw<LossArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "target_lengths").WithMessage($"{Name}: target_lengths[1] is 3, more than the S = 2 columns of the padded targets [2, 2].*");
        FluentActions.Invoking(() => losses.ctc_loss(lp, tensor(new long[] { 1, 2, 3 }), il, tl.add(1))).Should().Throw<LossArgumentException>()
            .Where(e => e.ParamName == "target_lengths").WithMessage($"{Name}: concatenated targets hold 3 labels but target_lengths add up to 5 ([3, 2])*");
        FluentActions.Invoking(() => losses.ctc_loss(lp, tg, il.to(ScalarType.Float32), tl)).Should().Throw<LossArgumentException>()
            .Where(e => e.ParamName == "input_lengths").WithMessage($"{Name}: input_lengths must be an int64 (or int32) tensor, got Float32*");
        FluentActions.Invoking(() => losses.ctc_loss(lp, tg, il, tensor(new long[] { 2, 1, 1 }))).Should().Throw<LossArgumentException>()
            .Where(e => e.ParamName == "target_lengths").WithMessage($"{Name}: target_lengths must be 1-D with one length per sequence (N = 2), got shape [3].*");
        FluentActions.Invoking(() => losses.ctc_loss(lp, tg, tensor(new long[] { 5, 4 }, [2, 1]), tl)).Should().Throw<LossArgumentException>()
            .Where(e => e.ParamName == "input_lengths");
        FluentActions.Invoking(() => losses.ctc_loss(lp, tg, null!, new long[] { 2, 1 })).Should().Throw<LossArgumentException>()
            .Where(e => e.ParamName == "input_lengths");
        FluentActions.Invoking(() => losses.ctc_loss(zeros(5, 4), tensor(new long[] { 1, 2 }), tensor(new long[] { 5, 5 }), tensor(2L)))
            .Should().Throw<LossArgumentException>().WithMessage($"{Name}: input_lengths must be a scalar (or shape [1]) for unbatched*");
    }

    [Fact]
    public void Rejects_bad_targets()
    {
        using var scope = NewDisposeScope();
        var (lp, _, il, tl) = Valid();
        FluentActions.Invoking(() => losses.ctc_loss(lp, tensor(new long[] { 1, 4, 3, 3 }, [2, 2]), il, tl)).Should().Throw<LossArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "targets").WithMessage($"{Name}: targets[0, 1] is 4, outside the classes [0, 4) of log_probs [5, 2, 4].*");
        FluentActions.Invoking(() => losses.ctc_loss(lp, tensor(new long[] { 1, 2, 0, 3 }, [2, 2]), il, tl)).Should().Throw<LossArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "targets").WithMessage($"{Name}: targets[1, 0] is the blank index 0*");
        FluentActions.Invoking(() => losses.ctc_loss(lp, tensor(new long[] { 1, 2, -3 }), il, tl)).Should().Throw<LossArgumentOutOfRangeException>()
            .WithMessage($"{Name}: targets[2] (sample 1, label 0) is -3, outside*");
        // Past a target's length, padding may hold anything (here the blank and an out-of-range value).
        losses.ctc_loss(lp, tensor(new long[] { 1, 2, 3, 0 }, [2, 2]), il, tl).ToDouble().Should().BeGreaterThan(0);
        losses.ctc_loss(lp, tensor(new long[] { 1, 2, 3, 17 }, [2, 2]), il, tl).ToDouble().Should().BeGreaterThan(0);
        FluentActions.Invoking(() => losses.ctc_loss(lp, zeros(2, 2), il, tl)).Should().Throw<LossArgumentException>()
            .Where(e => e.ParamName == "targets").WithMessage($"{Name}: targets must be an int64 (or int32) tensor of class indices, got Float32*");
        FluentActions.Invoking(() => losses.ctc_loss(lp, tensor(new long[] { 1, 2, 3, 3, 1, 1 }, [3, 2]), il, tl)).Should().Throw<LossArgumentException>()
            .Where(e => e.ParamName == "targets").WithMessage($"{Name}: padded targets must be (N, S) with N = 2*got shape [3, 2].*");
        FluentActions.Invoking(() => losses.ctc_loss(lp, zeros(new long[] { 2, 2, 1 }, ScalarType.Int64), il, tl)).Should().Throw<LossArgumentException>()
            .Where(e => e.ParamName == "targets");
        FluentActions.Invoking(() => losses.ctc_loss(zeros(5, 4), tensor(new long[] { 1, 2 }, [1, 2]), tensor(5L), tensor(2L))).Should().Throw<LossArgumentException>()
            .WithMessage($"{Name}: for unbatched log_probs (T, C) = [5, 4] targets must be 1-D (S)*");
    }

    [Fact]
    public void Rejects_a_target_longer_than_its_input_unless_zero_infinity()
    {
        using var scope = NewDisposeScope();
        // S_0 > T_0 can never align: an argument error by default; with zero_infinity the sample counts as 0.
        var (lp, tg, _, tl) = Valid();
        var act = () => losses.ctc_loss(lp, tg, tensor(new long[] { 1, 4 }), tl, reduction: Reduction.None);
        act.Should().Throw<LossArgumentOutOfRangeException>().Where(e => e.ParamName == "target_lengths")
            .WithMessage($"{Name}: target_lengths[0] is *, longer than input_lengths[0] = 1*zero_infinity*");
        TensorAssert.Values(losses.ctc_loss(lp, tg, tensor(new long[] { 1, 4 }), tl, reduction: Reduction.None, zero_infinity: true))[0].Should().Be(0);
    }

    [Fact]
    public void Rejects_disposed_tensors()
    {
        var (lp, tg, il, tl) = Valid();
        tl.Dispose();
        FluentActions.Invoking(() => losses.ctc_loss(lp, tg, il, tl)).Should().Throw<ObjectDisposedException>().WithMessage($"{Name}: target_lengths has been disposed*");
        var module = losses.CTCLoss();
        module.Dispose();
        FluentActions.Invoking(() => module.call(lp, tg, new long[] { 5, 4 }, new long[] { 2, 1 })).Should().Throw<ObjectDisposedException>();
        lp.Dispose();
        tg.Dispose();
        il.Dispose();
    }
}
