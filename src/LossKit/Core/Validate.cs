using System.Globalization;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>
/// The one place where losses check their arguments and raise errors, before any native call, so that a user sees a
/// .NET exception that names the loss, the argument and the offending shapes or values instead of a libtorch message.
/// </summary>
internal static partial class Validate
{
    internal static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

    internal static string Describe(Tensor t) => $"{t.dtype} {Shape(t)} on {t.device}";

    /// <summary>The tensor exists and has not been disposed.</summary>
    internal static void Alive(string loss, Tensor? t, string argument)
    {
        if (t is null) throw new LossArgumentException(loss, argument, $"{argument} is null.");
        if (t.IsInvalid)
            throw new ObjectDisposedException(argument, $"{loss}: {argument} has been disposed (directly or by its dispose scope) and cannot be used.");
    }

    internal static void Reduction(string loss, Reduction reduction, bool allowBatchMean)
    {
        if (reduction is nn.Reduction.None or nn.Reduction.Mean or nn.Reduction.Sum) return;
        if (reduction == nn.Reduction.BatchMean && allowBatchMean) return;
        throw new LossArgumentException(loss, nameof(reduction), reduction == nn.Reduction.BatchMean
            ? "reduction BatchMean is only defined for KL divergence; use Mean or Sum."
            : $"unknown reduction {reduction}.");
    }

    /// <summary>A floating-point tensor (float32 or float64).</summary>
    internal static void Floating(string loss, Tensor t, string argument)
    {
        Alive(loss, t, argument);
        var dtype = t.dtype;
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16))
            throw new LossArgumentException(loss, argument,
                $"{argument} must be a floating-point tensor (float32 or float64), got {dtype} with shape {Shape(t)}." +
                (argument == "input" && is_integral(dtype) ? " Convert it with .to(ScalarType.Float32)." : ""));
    }

    internal static void SameDevice(string loss, Tensor a, string argA, Tensor b, string argB)
    {
        var da = a.device;
        var db = b.device;
        if (!da.Equals(db))
            throw new LossArgumentException(loss, argB, $"{argA} is on {da} but {argB} is on {db}; move them to the same device.");
    }

    internal static void SameDtype(string loss, Tensor a, string argA, Tensor b, string argB)
    {
        var ta = a.dtype;
        var tb = b.dtype;
        if (ta != tb)
            throw new LossArgumentException(loss, argB, $"{argA} is {ta} but {argB} is {tb}; convert one with .to(ScalarType.{ta}).");
    }

    internal static void SameShape(string loss, Tensor a, string argA, Tensor b, string argB)
    {
        var sa = a.shape;
        var sb = b.shape;
        if (sa.SequenceEqual(sb)) return;
        var hint = sa.Length == sb.Length + 1 && sa[^1] == 1 && sa[..^1].SequenceEqual(sb)
            ? $" (PyTorch would broadcast these to a larger shape, which is almost always a bug: use {argA}.squeeze(-1) or {argB}.unsqueeze(-1).)"
            : sb.Length == sa.Length + 1 && sb[^1] == 1 && sb[..^1].SequenceEqual(sa)
                ? $" (PyTorch would broadcast these to a larger shape, which is almost always a bug: use {argB}.squeeze(-1) or {argA}.unsqueeze(-1).)"
                : "";
        throw new LossArgumentException(loss, argB, $"{argA} and {argB} must have the same shape, got {argA} {Shape(a)} and {argB} {Shape(b)}.{hint}");
    }

    /// <summary>Element-wise losses: floating input and target of the same shape, dtype and device.</summary>
    internal static void Elementwise(string loss, Tensor input, Tensor target)
    {
        Floating(loss, input, "input");
        Floating(loss, target, "target");
        SameDevice(loss, input, "input", target, "target");
        SameDtype(loss, input, "input", target, "target");
        SameShape(loss, input, "input", target, "target");
    }

    internal static void Positive(string loss, double value, string argument)
    {
        if (!(value > 0) || double.IsInfinity(value))
            throw new LossArgumentOutOfRangeException(loss, argument, $"{argument} must be a positive finite number, got {value.ToString(CultureInfo.InvariantCulture)}.");
    }

    internal static void NonNegative(string loss, double value, string argument)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new LossArgumentOutOfRangeException(loss, argument, $"{argument} must be a finite number >= 0, got {value.ToString(CultureInfo.InvariantCulture)}.");
    }

    internal static void InRange(string loss, double value, string argument, double low, double high, bool highInclusive = true)
    {
        var ok = value >= low && (highInclusive ? value <= high : value < high);
        if (!ok)
            throw new LossArgumentOutOfRangeException(loss, argument,
                $"{argument} must be in [{low.ToString(CultureInfo.InvariantCulture)}, {high.ToString(CultureInfo.InvariantCulture)}{(highInclusive ? "]" : ")")}, got {value.ToString(CultureInfo.InvariantCulture)}.");
    }

    /// <summary>
    /// Every value of <paramref name="t"/> lies in [low, high] (NaN is let through: NaN input gives a NaN loss, see the
    /// README's "Errors and guarantees"). Throws naming the first offending value and its position.
    /// </summary>
    internal static void ValuesInRange(string loss, Tensor t, string argument, double low, double high)
    {
        if (t.numel() == 0) return;
        using var scope = NewDisposeScope();
        var min = t.min().ToDouble();
        var max = t.max().ToDouble();
        // min/max are NaN as soon as one element is NaN, so they only serve as the fast path; the mask decides.
        if (min >= low && max <= high) return;
        var bad = t.lt(low).logical_or(t.gt(high)).flatten();
        if (!bad.any().item<bool>()) return;
        var position = bad.to(ScalarType.Int64).argmax().item<long>();
        var value = t.flatten()[position].ToDouble();
        throw new LossArgumentOutOfRangeException(loss, argument,
            $"{argument} must lie in [{low.ToString(CultureInfo.InvariantCulture)}, {high.ToString(CultureInfo.InvariantCulture)}], " +
            $"but element {position} (flat index) is {value.ToString("R", CultureInfo.InvariantCulture)}; {argument} is {Describe(t)}.");
    }

    /// <summary>Class weights: 1-D, floating, one per class, on the input's device.</summary>
    internal static void ClassWeight(string loss, Tensor? weight, long classes, Tensor input, string argument = "weight")
    {
        if (weight is null) return;
        Floating(loss, weight, argument);
        if (weight.dim() != 1 || weight.size(0) != classes)
            throw new LossArgumentException(loss, argument,
                $"{argument} must be a 1-D tensor with one entry per class ({classes}), got shape {Shape(weight)}; input is {Shape(input)}.");
        SameDevice(loss, input, "input", weight, argument);
    }

    /// <summary>
    /// Class-index targets for input (N, C, d1, ...): integer dtype, shape (N, d1, ...), every value in [0, C) or equal to
    /// ignore_index. Returns the target as int64 (int32 targets are converted). With <paramref name="checkValues"/> false
    /// the values are left to a fused kernel, which checks them during its own pass; the caller then reports a failure
    /// through <see cref="ClassIndexValues"/>.
    /// </summary>
    internal static Tensor ClassIndexTarget(string loss, Tensor input, Tensor target, long ignoreIndex, bool checkValues = true)
    {
        Alive(loss, target, "target");
        var dtype = target.dtype;
        if (dtype is not (ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte))
            throw new LossArgumentException(loss, "target",
                $"class-index target must be an integer tensor (int64), got {dtype} with shape {Shape(target)}" +
                (is_floating_point(dtype) && target.dim() == input.dim()
                    ? "; for class probabilities (soft targets) pass a floating target with the input's shape."
                    : is_floating_point(dtype) ? "; convert indices with .to(ScalarType.Int64)." : "."));
        var inShape = input.shape;
        var tShape = target.shape;
        if (inShape.Length < 1)
            throw new LossArgumentException(loss, "input", $"input must have a class dimension: (C), (N, C) or (N, C, d1, ...), got a scalar.");
        var expected = inShape.Length == 1 ? Array.Empty<long>() : inShape.Take(1).Concat(inShape.Skip(2)).ToArray();
        if (!tShape.SequenceEqual(expected))
            throw new LossArgumentException(loss, "target",
                $"for input of shape {Shape(input)} (N, C, ...) the class-index target must have shape [{string.Join(", ", expected)}], got {Shape(target)}.");
        SameDevice(loss, input, "input", target, "target");
        var classes = inShape.Length == 1 ? inShape[0] : inShape[1];
        var t = dtype == ScalarType.Int64 ? target.alias() : target.to(ScalarType.Int64);
        try
        {
            if (checkValues) ClassIndexValues(loss, t, classes, ignoreIndex, input);
            return t;
        }
        catch
        {
            t.Dispose();
            throw;
        }
    }

    /// <summary>Every class index is in [0, C) or equal to ignore_index; throws naming the first offender and its position.</summary>
    internal static void ClassIndexValues(string loss, Tensor t, long classes, long ignoreIndex, Tensor input)
    {
        if (t.numel() == 0) return;
        using var scope = NewDisposeScope();
        var min = t.min().item<long>();
        var max = t.max().item<long>();
        if (min >= 0 && max < classes) return;
        // Slow path (only when some value is outside [0, C)): look past ignore_index for a real offender.
        var bad = t.lt(0).logical_or(t.ge(classes)).logical_and(t.ne(ignoreIndex)).flatten();
        if (!bad.any().item<bool>()) return;
        var position = bad.to(ScalarType.Int64).argmax().item<long>();
        var value = t.flatten()[position].item<long>();
        throw new LossArgumentOutOfRangeException(loss, "target",
            $"target contains class index {value} at flat position {position}, outside [0, {classes}) and not ignore_index ({ignoreIndex}); " +
            $"input is {Shape(input)}, target is {Shape(t)}.");
    }
}
