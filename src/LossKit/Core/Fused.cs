using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>
/// Routes validated arguments to LossKit.Torch's fused CPU kernels when they apply (float32/float64 on the CPU, the
/// input the only tensor that requires grad), so each loss keeps one composed implementation for everything else.
/// Every method returns null when the fused path does not apply.
/// </summary>
internal static class Fused
{
    /// <summary>
    /// A softmax-family loss of logits (C), (N, C) or (N, C, d1, ...) against validated int64 indices: the kernel runs on
    /// rows of C logits (spatial inputs are moved to rows first); for <c>None</c> the result has the target's shape.
    /// </summary>
    internal static Tensor? Rowwise(FusedKernels.RowwiseLoss kind, Tensor input, Tensor indices, Tensor? weight, long ignoreIndex,
        double p0, Reduction reduction, Action reportFailure) =>
        ClassIndexCall(input, indices, weight, reduction, reportFailure,
            (x, t) => FusedKernels.rowwise_loss(kind, x, t, reduction, p0, weight, ignoreIndex));

    /// <summary>
    /// NLL of log-probabilities (C) or (N, C) through libtorch's kernel in one call (with LossKit's empty-mean rule);
    /// null for spatial inputs, which libtorch's nll_loss2d already handles without moving classes last.
    /// </summary>
    internal static Tensor? Nll(Tensor input, Tensor indices, Tensor? weight, long ignoreIndex, Reduction reduction, Action reportFailure) =>
        input.dim() > 2 ? null : ClassIndexCall(input, indices, weight, reduction, reportFailure,
            (x, t) => FusedKernels.nll_loss(x, t, reduction, weight, ignoreIndex));


    /// <summary>
    /// True when a class-index loss will take the fused path, so its target values can be left to the kernel's check
    /// (the weights are detached and converted to the input's dtype before the call, so only their device matters).
    /// </summary>
    internal static bool ClassIndexCandidate(Tensor input, Tensor? weight) =>
        FusedKernels.CanUse(input) && (weight is null || weight.device_type == DeviceType.CPU);

    private static Tensor? ClassIndexCall(Tensor input, Tensor indices, Tensor? weight, Reduction reduction, Action reportFailure,
        Func<Tensor, Tensor, Tensor> call)
    {
        if (!FusedKernels.CanUse(input, weight)) return null;
        try
        {
            return Rows(input, indices, reduction, call);
        }
        catch (ArgumentOutOfRangeException)
        {
            // The kernel found a class index out of range: report it the way the managed check words it.
            reportFailure();
            throw;
        }
    }

    private static Tensor Rows(Tensor input, Tensor indices, Reduction reduction, Func<Tensor, Tensor, Tensor> call)
    {
        var dims = input.dim();
        if (dims == 2) return call(input, indices);
        using var scope = NewDisposeScope();
        Tensor rows;
        if (dims == 1)
        {
            rows = input.unsqueeze(0);
        }
        else
        {
            // (N, C, d1, ...) -> (N, d1, ..., C) -> (N·d1·..., C): one copy, then the single-pass kernel.
            var order = new long[dims];
            order[0] = 0;
            for (var d = 2; d < dims; d++) order[d - 1] = d;
            order[dims - 1] = 1;
            rows = input.permute(order).reshape(-1, input.size(1));
        }
        var result = call(rows, indices.reshape(-1));
        if (reduction == Reduction.None) result = result.reshape(indices.shape);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// An element-wise loss with optional weights and pos_weight (already validated as broadcastable to the input):
    /// supported layouts are none, one per element, one per last-dimension entry, and a single value. A value check that
    /// fails inside the kernel is reported by re-running <paramref name="reportFailure"/>, the loss's own exact check.
    /// </summary>
    internal static Tensor? Elementwise(FusedKernels.ElementwiseLoss kind, Tensor input, Tensor target, Reduction reduction,
        double p0 = 0, double p1 = 0, Tensor? weight = null, Tensor? posWeight = null,
        FusedKernels.ValueChecks checks = FusedKernels.ValueChecks.None, Action? reportFailure = null)
    {
        if (!FusedKernels.CanUse(input, target, weight, posWeight)) return null;
        using var scope = NewDisposeScope();
        var shape = input.shape;
        var cols = shape.Length == 0 ? 1 : shape[^1];
        Tensor? w = null, pw = null;
        var layout = FusedKernels.WeightLayout.Full;
        if (weight is not null)
        {
            var ws = weight.shape;
            if (ws.SequenceEqual(shape)) w = weight;
            else if (PerLastDim(weight, cols) is { } perColumn) (w, layout) = (perColumn, FusedKernels.WeightLayout.PerLastDim);
            else return null;
        }
        if (posWeight is not null)
        {
            pw = PerLastDim(posWeight, cols);
            if (pw is null) return null;
        }
        try
        {
            return FusedKernels.elementwise_loss(kind, input, target, reduction, p0, p1, w, layout, pw, checks).MoveToOuterDisposeScope();
        }
        catch (ArgumentException) when (reportFailure is not null)
        {
            reportFailure();
            throw;
        }
    }

    // A (C) view of a tensor whose only non-1 dimension is a trailing C, or a single value expanded to (C); else null.
    private static Tensor? PerLastDim(Tensor t, long cols)
    {
        var s = t.shape;
        var n = t.numel();
        if (n == 1) return t.reshape(1).expand(cols).contiguous();
        if (s.Length >= 1 && s[^1] == cols && n == cols) return t.reshape(cols);
        return null;
    }
}
