using LossKit.Tests.Infrastructure;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Kernels;

/// <summary>
/// The fused CPU kernels against the composed libtorch path of the same loss (LossKit.Torch.FusedKernels disabled on
/// the test's thread): values and input gradients agree to 1e-10 relative in float64 and 1e-5 in float32, for every
/// reduction, with weights, ignore_index and extreme values, at every instruction set this CPU supports.
/// (The regression losses have the same checks in Regression/ElementwiseLossContract.)
/// </summary>
public sealed class FusedPathTests
{
    public static TheoryData<string, Reduction, KernelCapability> Cases()
    {
        var data = new TheoryData<string, Reduction, KernelCapability>();
        var caps = Enum.GetValues<KernelCapability>().Where(c => c <= FusedKernels.DetectedCapability).ToArray();
        foreach (var loss in Losses.Keys)
            foreach (var r in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
                foreach (var cap in caps)
                {
                    if (loss.StartsWith("f1_micro", StringComparison.Ordinal) && r != Reduction.Mean) continue;
                    data.Add(loss, r, cap);
                }
        return data;
    }

    private sealed record Inputs(Tensor Logits, Tensor Indices, Tensor Weight, Tensor Probabilities, Tensor Binary, Tensor Soft, Tensor LogProbs, Tensor Distribution);

    // Each case builds its call from the same random inputs; `x` is the tensor being differentiated.
    private static readonly Dictionary<string, Func<Tensor, Inputs, Reduction, Tensor>> Losses = new()
    {
        ["cross_entropy"] = (x, d, r) => losses.cross_entropy(x, d.Indices, reduction: r),
        ["cross_entropy_weighted_ignore"] = (x, d, r) => losses.cross_entropy(x, d.Indices, d.Weight, ignore_index: 2, reduction: r),
        ["cross_entropy_smoothing"] = (x, d, r) => losses.cross_entropy(x, d.Indices, d.Weight, reduction: r, label_smoothing: 0.2),
        ["label_smoothing_seed"] = (x, d, r) => losses.label_smoothing_loss(x, d.Indices, 7, 0.15, d.Weight, ignore_index: 3, reduction: r),
        ["nll"] = (x, d, r) => losses.nll_loss(x.log_softmax(1), d.Indices, reduction: r),
        ["nll_weighted_ignore"] = (x, d, r) => losses.nll_loss(x.log_softmax(1), d.Indices, d.Weight, r, ignore_index: 2),
        ["focal"] = (x, d, r) => losses.focal_loss(x, d.Indices, 2.0, d.Weight, ignore_index: 1, reduction: r),
        ["focal_gamma_half"] = (x, d, r) => losses.focal_loss(x, d.Indices, 0.5, reduction: r),
        ["f1_macro"] = (x, d, r) => losses.f1_loss(x, d.Indices, reduction: r),
        ["f1_macro_ignore"] = (x, d, r) => losses.f1_loss(x, d.Indices, ignore_index: 0, epsilon: 1e-3, reduction: r),
        ["f1_micro"] = (x, d, r) => losses.f1_loss(x, d.Indices, average: OverlapAverage.Micro, reduction: r),
        ["bce_logits"] = (x, d, r) => losses.binary_cross_entropy_with_logits(x, d.Binary, reduction: r),
        ["bce_logits_weights"] = (x, d, r) => losses.binary_cross_entropy_with_logits(x, d.Soft, d.Weight, r, d.Weight.mul(0.5).add(0.5)),
        ["sigmoid_focal"] = (x, d, r) => losses.sigmoid_focal_loss(x, d.Binary, 0.25, 2.0, r),
        ["sigmoid_focal_soft_no_alpha"] = (x, d, r) => losses.sigmoid_focal_loss(x, d.Soft, null, 1.5, r),
        ["bce"] = (x, d, r) => losses.binary_cross_entropy(x.sigmoid(), d.Soft, d.Weight, r),
        ["kl"] = (x, d, r) => losses.kl_div(x.log_softmax(1), d.Distribution, r),
        ["kl_log_target"] = (x, d, r) => losses.kl_div(x.log_softmax(1), d.LogProbs, r, log_target: true),
    };

    private static Inputs Make(ScalarType dtype)
    {
        var rng = new Rng(404);
        const int n = 37, c = 7;
        var logits = rng.Normal(n * c, 3);
        logits[5] = 1e4;    // extreme logits in one row
        logits[6] = -1e4;
        var idx = rng.Integers(n, 0, c);
        idx[4] = 2;         // make sure the ignored classes occur
        idx[9] = 3;
        idx[11] = 1;
        idx[13] = 0;
        var weight = rng.Uniform(c, 0.2, 2.0);
        var soft = rng.Uniform(n * c, 0, 1);
        var binary = rng.Integers(n * c, 0, 2).Select(v => (double)v).ToArray();
        var dist = rng.ProbabilityRows(n, c);
        dist[3] = 0; // a zero probability
        return new Inputs(
            Rng.Tensor(logits, [n, c], dtype),
            tensor(idx),
            Rng.Tensor(weight, [c], dtype),
            Rng.Tensor(rng.Uniform(n * c, 0.01, 0.99), [n, c], dtype),
            Rng.Tensor(binary, [n, c], dtype),
            Rng.Tensor(soft, [n, c], dtype),
            Rng.Tensor(dist.Select(v => Math.Log(v)).ToArray(), [n, c], dtype),
            Rng.Tensor(dist, [n, c], dtype));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fused_and_composed_paths_agree(string loss, Reduction reduction, KernelCapability capability)
    {
        using var pinned = FusedKernels.UseCapability(capability);
        foreach (var dtype in new[] { ScalarType.Float64, ScalarType.Float32 })
        {
            var (fused, fusedGrad) = Run(loss, reduction, dtype, composed: false);
            var (composed, composedGrad) = Run(loss, reduction, dtype, composed: true);
            var (rtol, atol) = dtype == ScalarType.Float64 ? (1e-10, 1e-12) : (1e-5, 1e-6);
            TensorAssert.Close(fused, composed, rtol, atol * 10, $"({loss}, {dtype}, {capability}: loss)");
            TensorAssert.Close(fusedGrad, composedGrad, rtol, atol, $"({loss}, {dtype}, {capability}: gradient)");
        }
    }

    private static (double[] loss, double[] grad) Run(string loss, Reduction reduction, ScalarType dtype, bool composed)
    {
        using var scope = NewDisposeScope();
        using var path = composed ? FusedKernels.DisableOnThisThread() : null;
        var d = Make(dtype);
        var x = d.Logits.detach().requires_grad_();
        var value = Losses[loss](x, d, reduction);
        // A non-uniform upstream gradient checks backward's scaling, not only the hand-over of the saved gradient.
        var upstream = value.dim() == 0 ? full([], 0.75, dtype) : linspace(0.5, 1.5, value.numel(), dtype).reshape(value.shape);
        value.backward(upstream);
        return (TensorAssert.Values(value), TensorAssert.Values(x.grad!));
    }

    public static TheoryData<string> LossNames() => new(Losses.Keys);

    [Theory]
    [MemberData(nameof(LossNames))]
    public void Without_autograd_the_fused_path_gives_the_same_values_and_records_nothing(string loss)
    {
        // Under no_grad (an evaluation loop) and for an input that does not require grad, the fused kernels skip the
        // gradient sweep and record no node: the values must be bit-for-bit those of the recorded call.
        foreach (var reduction in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
        {
            if (loss.StartsWith("f1_micro", StringComparison.Ordinal) && reduction != Reduction.Mean) continue;
            using var scope = NewDisposeScope();
            var d = Make(ScalarType.Float64);
            var recorded = Losses[loss](d.Logits.detach().requires_grad_(), d, reduction);
            recorded.requires_grad.Should().BeTrue();
            Tensor unrecorded;
            using (no_grad())
                unrecorded = Losses[loss](d.Logits.detach().requires_grad_(), d, reduction);
            var constant = Losses[loss](d.Logits.detach(), d, reduction);
            unrecorded.requires_grad.Should().BeFalse($"{loss}: nothing is recorded under no_grad");
            constant.requires_grad.Should().BeFalse();
            TensorAssert.Values(unrecorded).Should().Equal(TensorAssert.Values(recorded), $"{loss}, {reduction}, no_grad");
            TensorAssert.Values(constant).Should().Equal(TensorAssert.Values(recorded), $"{loss}, {reduction}, constant input");
        }
    }

    [Theory]
    [MemberData(nameof(LossNames))]
    public void A_second_backward_with_retain_graph_recomputes_the_gradient(string loss)
    {
        // The first backward takes the gradient forward saved; the second finds none and recomputes it, so the
        // accumulated gradient is exactly twice the first (the upstream 0.75 is scaled in on both passes).
        using var scope = NewDisposeScope();
        var d = Make(ScalarType.Float64);
        var x = d.Logits.detach().requires_grad_();
        var value = Losses[loss](x, d, Reduction.Mean);
        var upstream = full([], 0.75, ScalarType.Float64);
        value.backward(upstream, retain_graph: true);
        var once = x.grad!.clone();
        value.backward(upstream);
        TensorAssert.Close(x.grad!, once.mul(2), 1e-12, 0, loss);
    }

    [Theory]
    [InlineData("cross_entropy_smoothing")]
    [InlineData("focal")]
    [InlineData("f1_macro")]
    [InlineData("bce_logits_weights")]
    [InlineData("sigmoid_focal_soft_no_alpha")]
    [InlineData("kl")]
    [InlineData("nll_weighted_ignore")]
    public void Fused_path_passes_gradcheck(string loss)
    {
        using var scope = NewDisposeScope();
        var d = Make(ScalarType.Float64);
        // Small, moderate logits: finite differences need the loss smooth around the point.
        var x = d.Logits.narrow(0, 0, 4).div(30).contiguous().requires_grad_();
        var small = new Inputs(x.detach(), d.Indices.narrow(0, 0, 4), d.Weight, d.Probabilities.narrow(0, 0, 4),
            d.Binary.narrow(0, 0, 4), d.Soft.narrow(0, 0, 4), d.LogProbs.narrow(0, 0, 4), d.Distribution.narrow(0, 0, 4));
        FusedKernels.CanUse(x).Should().BeTrue("the fused path must be the one checked");
        GradCheck.gradcheck(t => Losses[loss](t, small, Reduction.Mean), x).Should().BeTrue();
    }

    [Fact]
    public void Spatial_cross_entropy_uses_rows_and_matches_the_composed_path()
    {
        using var scope = NewDisposeScope();
        var rng = new Rng(405);
        var x = Rng.Tensor(rng.Normal(2 * 5 * 3 * 4, 2), [2, 5, 3, 4], requiresGrad: true);
        var y = tensor(rng.Integers(24, 0, 5), [2, 3, 4]);
        var fused = losses.cross_entropy(x, y, reduction: Reduction.None);
        fused.shape.Should().Equal(2, 3, 4);
        fused.sum().backward();
        var g1 = x.grad!.clone();
        x.grad = null;
        using (FusedKernels.DisableOnThisThread())
        {
            var composed = losses.cross_entropy(x, y, reduction: Reduction.None);
            TensorAssert.Close(fused, composed);
            composed.sum().backward();
        }
        TensorAssert.Close(g1, x.grad!);
    }

    [Fact]
    public void F1_and_Dice_agree_on_the_composed_path_too()
    {
        // On the fused path they are one kernel; the composed path computes them by different formulas.
        using var scope = NewDisposeScope();
        using var composed = FusedKernels.DisableOnThisThread();
        var d = Make(ScalarType.Float64);
        TensorAssert.Close(losses.f1_loss(d.Logits, d.Indices), losses.dice_loss(d.Logits, d.Indices));
    }

    [Fact]
    public void Disabling_on_one_thread_leaves_other_threads_fused()
    {
        var other = false;
        var thread = new Thread(() => other = FusedKernels.EnabledOnThisThread);
        using (FusedKernels.DisableOnThisThread())
        {
            FusedKernels.EnabledOnThisThread.Should().BeFalse();
            thread.Start();
            thread.Join();
        }
        other.Should().BeTrue();
        FusedKernels.EnabledOnThisThread.Should().BeTrue();
    }

    [Fact]
    public void Out_of_range_targets_are_reported_with_value_and_position_on_the_fused_path()
    {
        using var scope = NewDisposeScope();
        var x = zeros(3, 4);
        var y = tensor(new float[] { 0, 1, 0.5f, 0, 1, 1, 0, 1.5f, 0, 0, 1, 0 }, [3, 4]);
        FusedKernels.CanUse(x, y).Should().BeTrue();
        var act = () => losses.binary_cross_entropy_with_logits(x, y);
        act.Should().Throw<LossArgumentOutOfRangeException>().WithMessage("BCEWithLogitsLoss: target must lie in [0, 1], but element 7 (flat index) is 1.5*");
        var ce = () => losses.cross_entropy(x, tensor(new long[] { 1, 4, 0 }));
        ce.Should().Throw<LossArgumentOutOfRangeException>().WithMessage("CrossEntropyLoss: target contains class index 4 at flat position 1, outside [0, 4)*");
        var nll = () => losses.nll_loss(x, tensor(new long[] { 1, -3, 0 }));
        nll.Should().Throw<LossArgumentOutOfRangeException>().WithMessage("NLLLoss: target contains class index -3 at flat position 1*");
        var kl = () => losses.kl_div(x, y.neg());
        kl.Should().Throw<LossArgumentOutOfRangeException>().WithMessage("KLDivLoss: target must be non-negative*");
    }

    [Fact]
    public void A_NaN_anywhere_in_a_row_makes_that_row_NaN_even_in_the_vector_tail()
    {
        // 37 classes: the last logits fall outside any full vector (AVX-512 holds 16 floats), where a scalar max would
        // silently drop a NaN and the row's loss would come out finite.
        using var scope = NewDisposeScope();
        foreach (var cap in Enum.GetValues<KernelCapability>().Where(c => c <= FusedKernels.DetectedCapability))
        {
            using var pinned = FusedKernels.UseCapability(cap);
            var x = zeros(2, 37);
            x[0, 36] = full([], float.NaN);
            var loss = losses.cross_entropy(x, tensor(new long[] { 3, 3 }), reduction: Reduction.None).ToArray<float>();
            float.IsNaN(loss[0]).Should().BeTrue($"the NaN logit must propagate ({cap})");
            loss[1].Should().BeApproximately((float)Math.Log(37), 1e-5f, "the other row is untouched");
        }
    }
}
