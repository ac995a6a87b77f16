using LossKit.Tests.Infrastructure;
using LossKit.Tests.References;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Kernels;

/// <summary>
/// The fused CPU CTC kernel against libtorch's ctc_loss (the composed path, FusedKernels disabled on the test's thread)
/// and against the brute-force enumeration of alignments: values and gradients with respect to log_probs (libtorch's
/// convention) agree to 1e-10 relative in float64 and 1e-5 in float32, for every reduction, padded and concatenated
/// targets, batches that do not fill the vector lanes, empty targets, repeated labels, impossible alignments with and
/// without zero_infinity, at every instruction set this CPU supports.
/// </summary>
/// <remarks>
/// Float32 gradients: each entry is p - γ with γ = exp(α + β + nll - lp), an exponent of several tens cancelling to about 0,
/// so any float32 implementation (libtorch's included: about 1e-5 of the gradient's scale from float64 at these sizes)
/// carries an absolute error of that order. The float32 comparisons therefore add 1e-5 · max|gradient| to the 1e-5 relative
/// tolerance, and a separate test checks that the fused float32 gradient is as close to float64 as libtorch's.
/// </remarks>
public sealed class FusedCtcTests
{
    private sealed record Batch(int T, int N, int C, long Blank, double[] LogProbs, long[][] Targets, long[] InputLengths)
    {
        public int S => Math.Max(1, Targets.Max(t => t.Length));

        public Tensor Padded(long padding)
        {
            var data = new long[N * S];
            for (var n = 0; n < N; n++)
                for (var j = 0; j < S; j++) data[n * S + j] = j < Targets[n].Length ? Targets[n][j] : padding;
            return tensor(data, [N, S]);
        }

        public Tensor Concatenated() => tensor(Targets.SelectMany(t => t).ToArray(), [Targets.Sum(t => (long)t.Length)]);
        public Tensor TargetLengths() => tensor(Targets.Select(t => (long)t.Length).ToArray());
    }

    /// <summary>
    /// A random batch with the awkward samples forced in: a full-length target, empty targets (with T_n = T and 1), runs of
    /// repeated labels, a target that fits its frames but not the blanks its repeats need (infinite loss), a single frame;
    /// the rest random (1 ≤ T_n, S_n ≤ T_n).
    /// </summary>
    private static Batch Make(int seed, int T, int N, int C, int maxS, long blank, double scale = 1.5)
    {
        var rng = new Rng(seed);
        var labels = Enumerable.Range(0, C).Select(k => (long)k).Where(k => k != blank).ToArray();
        long Label(long i) => labels[i % labels.Length];
        var targets = new long[N][];
        var lengths = new long[N];
        for (var n = 0; n < N; n++)
        {
            lengths[n] = rng.Integers(1, 1, T + 1)[0];
            // No more labels than frames: a longer target is an argument error unless zero_infinity (CtcBadInputTests).
            targets[n] = rng.Integers((int)rng.Integers(1, 0, maxS + 1)[0], 0, labels.Length).Select(i => labels[i]).Take((int)lengths[n]).ToArray();
        }
        (lengths[0], targets[0]) = (T, rng.Integers(maxS, 0, labels.Length).Select(i => labels[i]).ToArray());
        (lengths[1], targets[1]) = (T, []);
        (lengths[2], targets[2]) = (T, new[] { Label(0), Label(0), Label(1), Label(1), Label(1), Label(0) }.Take(maxS).ToArray());
        (lengths[3], targets[3]) = (3, new[] { Label(1), Label(1), Label(2) }); // needs 4 frames: +inf
        (lengths[4], targets[4]) = (1, []);
        (lengths[5], targets[5]) = (1, [Label(2)]);
        var logProbs = CtcReference.LogSoftmax(rng.Normal(T * N * C, scale), C);
        return new Batch(T, N, C, blank, logProbs, targets, lengths);
    }

    public static TheoryData<Reduction, bool, KernelCapability> Cases()
    {
        var data = new TheoryData<Reduction, bool, KernelCapability>();
        foreach (var cap in Enum.GetValues<KernelCapability>().Where(c => c <= FusedKernels.DetectedCapability))
            foreach (var r in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
                foreach (var zeroInfinity in new[] { false, true })
                    data.Add(r, zeroInfinity, cap);
        return data;
    }

    // N = 37 fills no lane count (4, 8, 16) exactly; T = 21 (odd) and 20 (even) start beta's ping-pong from either row.
    private static readonly Batch[] Batches =
    [
        Make(501, T: 21, N: 37, C: 6, maxS: 7, blank: 0),
        Make(502, T: 20, N: 19, C: 5, maxS: 6, blank: 3),
        Make(503, T: 12, N: 6, C: 30, maxS: 5, blank: 29, scale: 3.0),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fused_and_libtorch_agree(Reduction reduction, bool zeroInfinity, KernelCapability capability)
    {
        using var pinned = FusedKernels.UseCapability(capability);
        foreach (var (b, i) in Batches.Select((b, i) => (b, i)))
            foreach (var dtype in new[] { ScalarType.Float64, ScalarType.Float32 })
                foreach (var padded in new[] { true, false })
                {
                    var because = $"(batch {i}, {dtype}, {(padded ? "padded" : "concatenated")}, {reduction}, zero_infinity {zeroInfinity}, {capability})";
                    var (fused, fusedGrad) = Run(b, dtype, reduction, zeroInfinity, padded, composed: false);
                    var (composed, composedGrad) = Run(b, dtype, reduction, zeroInfinity, padded, composed: true);
                    var (rtol, atol) = Tolerances(dtype, composedGrad);
                    TensorAssert.Close(fused, composed, rtol, dtype == ScalarType.Float64 ? 1e-11 : 1e-5, $"{because}: loss");
                    TensorAssert.Close(fusedGrad, composedGrad, rtol, atol, $"{because}: gradient");
                }
    }

    // Relative 1e-10 / 1e-5; absolute 1e-12 / 1e-5 of the largest finite gradient entry (see the remarks).
    private static (double rtol, double atol) Tolerances(ScalarType dtype, double[] grad) =>
        dtype == ScalarType.Float64 ? (1e-10, 1e-12) : (1e-5, 1e-5 * grad.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max());

    [Theory]
    [InlineData(KernelCapability.Default)]
    [InlineData(KernelCapability.AVX2)]
    [InlineData(KernelCapability.AVX512)]
    public void Float32_is_as_accurate_as_libtorch(KernelCapability capability)
    {
        if (capability > FusedKernels.DetectedCapability) return;
        using var pinned = FusedKernels.UseCapability(capability);
        foreach (var b in Batches)
            foreach (var reduction in new[] { Reduction.None, Reduction.Mean })
            {
                var (exact, exactGrad) = Run(b, ScalarType.Float64, reduction, true, true, composed: false);
                var (fused, fusedGrad) = Run(b, ScalarType.Float32, reduction, true, true, composed: false);
                var (torch32, torchGrad) = Run(b, ScalarType.Float32, reduction, true, true, composed: true);
                static double MaxError(double[] a, double[] e) => a.Zip(e).Where(p => double.IsFinite(p.Second)).Max(p => Math.Abs(p.First - p.Second));
                var scale = exactGrad.Max(Math.Abs);
                // Never more than libtorch's own error plus a few float32 roundings of the gradient's scale.
                MaxError(fusedGrad, exactGrad).Should().BeLessThanOrEqualTo(1.5 * MaxError(torchGrad, exactGrad) + 1e-6 * scale, $"({reduction}, {capability})");
                MaxError(fused, exact).Should().BeLessThanOrEqualTo(1.5 * MaxError(torch32, exact) + 1e-6 * exact.Max(Math.Abs), $"({reduction}, {capability})");
            }
    }

    private static (double[] loss, double[] grad) Run(Batch b, ScalarType dtype, Reduction reduction, bool zeroInfinity, bool padded,
        bool composed, Func<Tensor, Tensor>? layout = null)
    {
        using var scope = NewDisposeScope();
        using var path = composed ? FusedKernels.DisableOnThisThread() : null;
        var leaf = Rng.Tensor(b.LogProbs, [b.T, b.N, b.C], dtype, requiresGrad: true);
        var x = layout is null ? leaf : layout(leaf);
        var targets = padded ? b.Padded(padding: b.Blank) : b.Concatenated();
        var value = losses.ctc_loss(x, targets, tensor(b.InputLengths), b.TargetLengths(), b.Blank, reduction, zeroInfinity);
        // A non-uniform upstream gradient checks backward's scaling, not only the hand-over of the saved gradient.
        var upstream = value.dim() == 0 ? full([], 0.75, dtype) : linspace(0.5, 1.5, value.numel(), dtype).reshape(value.shape);
        value.backward(upstream);
        return (TensorAssert.Values(value), TensorAssert.Values(leaf.grad!));
    }

    [Fact]
    public void The_batch_has_the_cases_it_claims()
    {
        // Guards the data: infinite losses occur (sample 3), and the fused path is the one that runs.
        using var scope = NewDisposeScope();
        var b = Batches[0];
        var lp = Rng.Tensor(b.LogProbs, [b.T, b.N, b.C]);
        FusedKernels.CanUse(lp).Should().BeTrue();
        var none = TensorAssert.Values(losses.ctc_loss(lp, b.Padded(0), tensor(b.InputLengths), b.TargetLengths(), b.Blank, Reduction.None));
        none[3].Should().Be(double.PositiveInfinity);
        none.Count(double.IsFinite).Should().BeGreaterThan(b.N / 2);
    }

    [Fact]
    public void A_non_contiguous_log_probs_view_gives_the_same_values_and_gradient()
    {
        // (N, T, C) storage seen as (T, N, C), the layout of a batch-first model's output.
        var b = Batches[1];
        Tensor BatchFirst(Tensor leaf) => leaf.permute(1, 0, 2).contiguous().permute(1, 0, 2);
        var (viewLoss, viewGrad) = Run(b, ScalarType.Float32, Reduction.Mean, false, true, composed: false, layout: BatchFirst);
        var (loss, grad) = Run(b, ScalarType.Float32, Reduction.Mean, false, true, composed: false);
        viewLoss.Should().Equal(loss);
        viewGrad.Should().Equal(grad);
    }

    [Theory]
    [InlineData(KernelCapability.Default)]
    [InlineData(KernelCapability.AVX2)]
    [InlineData(KernelCapability.AVX512)]
    public void Matches_the_brute_force_through_log_softmax(KernelCapability capability)
    {
        if (capability > FusedKernels.DetectedCapability) return;
        using var pinned = FusedKernels.UseCapability(capability);
        using var scope = NewDisposeScope();
        // T = 5, C = 3: all 243 alignments per sample; 11 samples, one of them impossible (zeroed).
        var rng = new Rng(77);
        const int T = 5, N = 11, C = 3;
        var logits = rng.Normal(T * N * C, 1.5);
        var lp = CtcReference.LogSoftmax(logits, C);
        long[][] targets = [[1], [2, 1], [1, 1], [2, 2, 1], [], [1, 2, 1], [2], [1, 1, 1], [2, 1, 2], [], [1, 2]];
        long[] il = [5, 5, 3, 5, 5, 5, 1, 4, 5, 2, 2];
        var padded = new long[N * 3];
        for (var n = 0; n < N; n++)
            for (var j = 0; j < targets[n].Length; j++) padded[n * 3 + j] = targets[n][j];
        foreach (var reduction in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
        {
            var r = CtcReference.Evaluate(lp, T, N, C, targets, il, 0, reduction, zeroInfinity: true, bruteForce: true);
            r.Infinite.Count(v => v).Should().Be(1, "[1, 1, 1] needs 5 frames and has 4");
            var x = Rng.Tensor(logits, [T, N, C], requiresGrad: true);
            var loss = losses.ctc_loss(x.log_softmax(2), tensor(padded, [N, 3]), tensor(il), tensor(targets.Select(t => (long)t.Length).ToArray()),
                0, reduction, zero_infinity: true);
            TensorAssert.Close(loss, r.Values, rtol: 1e-10, atol: 1e-12, because: $"({reduction}, {capability})");
            loss.sum().backward();
            TensorAssert.Close(x.grad!, CtcReference.ThroughLogSoftmax(r.GradTrue, lp, C), [T, N, C], rtol: 1e-9, atol: 1e-12,
                because: $"(gradient, {reduction}, {capability})");
        }
    }

    [Theory]
    [InlineData(KernelCapability.Default)]
    [InlineData(KernelCapability.AVX2)]
    [InlineData(KernelCapability.AVX512)]
    public void Passes_gradcheck_through_log_softmax(KernelCapability capability)
    {
        if (capability > FusedKernels.DetectedCapability) return;
        using var pinned = FusedKernels.UseCapability(capability);
        using var scope = NewDisposeScope();
        var rng = new Rng(78);
        var x = Rng.Tensor(rng.Normal(7 * 5 * 4, 1.0), [7, 5, 4], requiresGrad: true);
        var targets = tensor(new long[] { 1, 2, 3, 2, 2, 0, 3, 0, 0, 1, 1, 2, 3, 1, 2 }, [5, 3]);
        var il = tensor(new long[] { 7, 6, 3, 7, 5 });
        var tl = tensor(new long[] { 3, 2, 1, 0, 3 });
        FusedKernels.CanUse(x).Should().BeTrue("the fused path must be the one checked");
        foreach (var reduction in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
            GradCheck.gradcheck(t => losses.ctc_loss(t.log_softmax(2), targets, il, tl, reduction: reduction), x).Should().BeTrue();
    }

    [Fact]
    public void Minus_infinity_and_NaN_log_probs_give_libtorch_results()
    {
        // libtorch's gradient formula exp(lp) - exp(log Σ αβ + nll - lp) is NaN where lp = -inf (used class or not); LossKit
        // defines the true derivative 0 there on both paths. A NaN log-probability makes its own entry NaN, and the whole
        // sample NaN when an alignment reads it.
        var b = Batches[0];
        var lp = (double[])b.LogProbs.Clone();
        int At(int t, int n, long c) => (t * b.N + n) * b.C + (int)c;
        var unused = Enumerable.Range(0, b.C).Select(c => (long)c).First(c => c != b.Blank && !b.Targets[6].Contains(c));
        lp[At(0, 6, unused)] = double.NegativeInfinity;          // a class sample 6 never uses
        lp[At(2, 7, b.Blank)] = double.NegativeInfinity;         // the blank of sample 7 at frame 2
        lp[At(b.T - 1, 8, unused)] = double.NaN;                 // read by no alignment of sample 8 (if unused there)
        lp[At(0, 9, b.Blank)] = double.NaN;                      // read by sample 9's alignments
        var withNonFinite = b with { LogProbs = lp };
        foreach (var cap in Enum.GetValues<KernelCapability>().Where(c => c <= FusedKernels.DetectedCapability))
        {
            using var pinned = FusedKernels.UseCapability(cap);
            foreach (var dtype in new[] { ScalarType.Float64, ScalarType.Float32 })
            {
                var (fused, fusedGrad) = Run(withNonFinite, dtype, Reduction.None, false, true, composed: false);
                var (composed, composedGrad) = Run(withNonFinite, dtype, Reduction.None, false, true, composed: true);
                var (rtol, atol) = Tolerances(dtype, composedGrad);
                TensorAssert.Close(fused, composed, rtol, dtype == ScalarType.Float64 ? 1e-11 : 1e-5, $"({dtype}, {cap}: loss)");
                TensorAssert.Close(fusedGrad, composedGrad, rtol, atol, $"({dtype}, {cap}: gradient)");
                double.IsNaN(fused[9]).Should().BeTrue();
                fusedGrad[At(0, 6, unused)].Should().Be(0);
                fusedGrad[At(2, 7, b.Blank)].Should().Be(0);
                double.IsFinite(fused[6]).Should().BeTrue();
            }
        }
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void An_input_length_of_zero_gives_zero_for_an_empty_target_and_infinity_otherwise(ScalarType dtype)
    {
        // libtorch 1.13 reads an uninitialised row here: both paths give current PyTorch's values instead, with no gradient.
        var b0 = Batches[0];
        var il = (long[])b0.InputLengths.Clone();
        il[1] = 0; // empty target
        il[7] = 0; // non-empty target
        b0.Targets[7].Length.Should().BeGreaterThan(0);
        var b = b0 with { InputLengths = il };
        // Without zero_infinity a non-empty target on no frames is an argument error (S_n > T_n), on both paths.
        foreach (var composed in new[] { false, true })
            FluentActions.Invoking(() => Run(b, dtype, Reduction.None, false, padded: true, composed))
                .Should().Throw<LossArgumentOutOfRangeException>().WithMessage("*target_lengths[7]*input_lengths[7] = 0*");
        var emptyOnly = b with { InputLengths = il.Select((l, n) => n == 7 ? b0.InputLengths[7] : l).ToArray() };
        foreach (var zeroInfinity in new[] { false, true })
        {
            var batch = zeroInfinity ? b : emptyOnly;
            foreach (var composed in new[] { false, true })
            {
                var (v, g) = Run(batch, dtype, Reduction.None, zeroInfinity, padded: true, composed);
                v[1].Should().Be(0);
                if (zeroInfinity) v[7].Should().Be(0);
                for (var t = 0; t < b.T; t++)
                    for (var c = 0; c < b.C; c++)
                    {
                        g[(t * b.N + 1) * b.C + c].Should().Be(0);
                        if (zeroInfinity) g[(t * b.N + 7) * b.C + c].Should().Be(0);
                    }
            }
            foreach (var reduction in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
            {
                var (fused, fusedGrad) = Run(batch, dtype, reduction, zeroInfinity, padded: false, composed: false);
                var (libtorch, libtorchGrad) = Run(batch, dtype, reduction, zeroInfinity, padded: false, composed: true);
                var (rtol, atol) = Tolerances(dtype, libtorchGrad);
                TensorAssert.Close(fused, libtorch, rtol, dtype == ScalarType.Float64 ? 1e-11 : 1e-5, $"({reduction}, zero_infinity {zeroInfinity}: loss)");
                TensorAssert.Close(fusedGrad, libtorchGrad, rtol, atol, $"({reduction}, zero_infinity {zeroInfinity}: gradient)");
            }
        }
    }

    [Fact]
    public void A_second_backward_with_retain_graph_recomputes_the_gradient()
    {
        using var scope = NewDisposeScope();
        var b = Batches[1];
        var x = Rng.Tensor(b.LogProbs, [b.T, b.N, b.C], requiresGrad: true);
        var loss = losses.ctc_loss(x, b.Padded(0), tensor(b.InputLengths), b.TargetLengths(), b.Blank, Reduction.Sum);
        loss.backward((Tensor?)null, retain_graph: true);
        var once = x.grad!.clone();
        loss.backward();
        TensorAssert.Close(x.grad!, once.mul(2), 1e-12, 0);
    }

    [Fact]
    public void Double_backward_is_refused_on_the_fused_path()
    {
        using var scope = NewDisposeScope();
        var b = Batches[1];
        var x = Rng.Tensor(b.LogProbs, [b.T, b.N, b.C], requiresGrad: true);
        var loss = losses.ctc_loss(x.log_softmax(2), b.Padded(0), tensor(b.InputLengths), b.TargetLengths(), b.Blank);
        var act = () => autograd.grad([loss], [x], create_graph: true);
        act.Should().Throw<TorchException>().WithMessage("*does not support double backward*FusedKernels*");
    }

    [Fact]
    public void Without_grad_the_loss_is_the_same()
    {
        using var scope = NewDisposeScope();
        var b = Batches[0];
        foreach (var reduction in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
        {
            var withGrad = losses.ctc_loss(Rng.Tensor(b.LogProbs, [b.T, b.N, b.C], ScalarType.Float32, requiresGrad: true), b.Padded(0),
                tensor(b.InputLengths), b.TargetLengths(), b.Blank, reduction);
            var without = losses.ctc_loss(Rng.Tensor(b.LogProbs, [b.T, b.N, b.C], ScalarType.Float32), b.Padded(0),
                tensor(b.InputLengths), b.TargetLengths(), b.Blank, reduction);
            TensorAssert.Values(without).Should().Equal(TensorAssert.Values(withGrad));
            using (no_grad())
            {
                var noGrad = losses.ctc_loss(Rng.Tensor(b.LogProbs, [b.T, b.N, b.C], ScalarType.Float32, requiresGrad: true), b.Padded(0),
                    tensor(b.InputLengths), b.TargetLengths(), b.Blank, reduction);
                noGrad.requires_grad.Should().BeFalse();
                TensorAssert.Values(noGrad).Should().Equal(TensorAssert.Values(withGrad));
            }
        }
    }
}
