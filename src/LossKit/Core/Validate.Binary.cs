using System.Globalization;
using LossKit.Torch;
using static LossKit.Torch.torch;

namespace LossKit;

// Checks of the binary / multi-label losses (BCE, BCE with logits, sigmoid focal) and KL divergence.
internal static partial class Validate
{
    /// <summary>
    /// Optional element or class weights (BCE's <c>weight</c>, BCE-with-logits' <c>pos_weights</c>): floating, on the
    /// input's device, and broadcastable to the input's shape without enlarging it (no more dimensions than the input,
    /// each trailing dimension equal to the input's or 1): one weight per element, per class along the last dimension
    /// ((C) for input (..., C)), or a single value.
    /// </summary>
    internal static void BroadcastableTo(string loss, Tensor? weight, Tensor input, string argument)
    {
        if (weight is null) return;
        Floating(loss, weight, argument);
        SameDevice(loss, input, "input", weight, argument);
        var ws = weight.shape;
        var xs = input.shape;
        var ok = ws.Length <= xs.Length;
        for (var i = 1; ok && i <= ws.Length; i++)
            ok = ws[^i] == xs[^i] || ws[^i] == 1;
        if (ok) return;
        var classes = xs.Length == 0 ? "" : $" (for per-class {argument} along the last dimension: shape [{xs[^1]}])";
        throw new LossArgumentException(loss, argument,
            $"{argument} of shape {Shape(weight)} does not broadcast to input {Shape(input)}: it must have the input's shape, " +
            $"trailing dimensions that match it or are 1{classes}, or a single value.");
    }

    /// <summary>
    /// Every value of <paramref name="t"/> is &gt;= 0 (NaN and +∞ are let through and propagate). Throws naming the
    /// first negative value and its position.
    /// </summary>
    internal static void NonNegativeValues(string loss, Tensor t, string argument, string hint)
    {
        if (t.numel() == 0) return;
        using var scope = NewDisposeScope();
        // min() is NaN as soon as one element is NaN, so it only serves as the fast path; the mask decides.
        if (t.min().ToDouble() >= 0) return;
        var bad = t.lt(0).flatten();
        if (!bad.any().item<bool>()) return;
        var position = bad.to(ScalarType.Int64).argmax().item<long>();
        var value = t.flatten()[position].ToDouble();
        throw new LossArgumentOutOfRangeException(loss, argument,
            $"{argument} must be non-negative, but element {position} (flat index) is {value.ToString("R", CultureInfo.InvariantCulture)}; " +
            $"{argument} is {Describe(t)}.{hint}");
    }
}
