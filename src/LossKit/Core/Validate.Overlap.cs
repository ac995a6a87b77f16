using System.Globalization;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>Argument checks of the overlap losses (<see cref="F1Loss"/>, <see cref="DiceLoss"/>).</summary>
internal static partial class Validate
{
    /// <summary>The options of an overlap loss, checked by the module's constructor and by the function.</summary>
    internal static void OverlapOptions(string loss, OverlapMode mode, OverlapAverage average, double epsilon, Reduction reduction)
    {
        if (!Enum.IsDefined(mode))
            throw new LossArgumentException(loss, "mode", $"unknown mode {(int)mode}; use OverlapMode.Multiclass, Binary or Multilabel.");
        if (!Enum.IsDefined(average))
            throw new LossArgumentException(loss, "average", $"unknown average {(int)average}; use OverlapAverage.Macro or Micro.");
        NonNegative(loss, epsilon, "epsilon");
        Reduction(loss, reduction, allowBatchMean: false);
        if (average == OverlapAverage.Micro && reduction != nn.Reduction.Mean)
            throw new LossArgumentException(loss, "reduction",
                $"average Micro pools the counts of every class into one score, so there are no per-class losses to keep or add: " +
                $"reduction {reduction} is not defined for it; use Reduction.Mean (or average Macro for per-class losses).");
    }

    /// <summary>
    /// The input and target of an overlap loss. Returns the int64 class-index target in Multiclass mode, null otherwise.
    /// </summary>
    internal static Tensor? OverlapArguments(string loss, Tensor input, Tensor target, OverlapMode mode, bool fromLogits, long ignoreIndex)
    {
        Floating(loss, input, "input");
        Alive(loss, target, "target");
        Tensor? classIndices = null;
        if (mode == OverlapMode.Multiclass)
        {
            if (input.dim() < 1)
                throw new LossArgumentException(loss, "input",
                    "in Multiclass mode input must have a class dimension: (C), (N, C) or (N, C, d1, ...), got a scalar.");
            var classes = input.dim() == 1 ? input.size(0) : input.size(1);
            if (classes < 1)
                throw new LossArgumentException(loss, "input", $"in Multiclass mode input needs at least one class, got shape {Shape(input)}.");
            classIndices = ClassIndexTarget(loss, input, target, ignoreIndex);
        }
        else
        {
            Floating(loss, target, "target");
            SameDevice(loss, input, "input", target, "target");
            SameDtype(loss, input, "input", target, "target");
            SameShape(loss, input, "input", target, "target");
            if (mode == OverlapMode.Multilabel && input.dim() < 2)
                throw new LossArgumentException(loss, "input",
                    $"in Multilabel mode input must be (N, C) or (N, C, d1, ...) with classes along dimension 1, got {Shape(input)}; " +
                    "for a single class use OverlapMode.Binary.");
            TargetInUnitIntervalOrIgnored(loss, target, ignoreIndex);
        }
        try
        {
            if (!fromLogits) ValuesInRange(loss, input, "input", 0, 1);
        }
        catch
        {
            classIndices?.Dispose();
            throw;
        }
        return classIndices;
    }

    /// <summary>Every value of a float target lies in [0, 1] or equals ignore_index (NaN is let through and propagates).</summary>
    private static void TargetInUnitIntervalOrIgnored(string loss, Tensor target, long ignoreIndex)
    {
        if (target.numel() == 0) return;
        using var scope = NewDisposeScope();
        var bad = target.lt(0).logical_or(target.gt(1)).logical_and(target.ne(ignoreIndex)).flatten();
        if (!bad.any().item<bool>()) return;
        var position = bad.to(ScalarType.Int64).argmax().item<long>();
        var value = target.flatten()[position].ToDouble();
        throw new LossArgumentOutOfRangeException(loss, "target",
            $"target must lie in [0, 1] (or equal ignore_index, {ignoreIndex}), but element {position} (flat index) is " +
            $"{value.ToString("R", CultureInfo.InvariantCulture)}; target is {Describe(target)}.");
    }
}
