using System.Globalization;
using LossKit.Torch;
using static LossKit.Torch.torch;

namespace LossKit;

/// <summary>Checks shared by the softmax classification losses (cross-entropy, NLL, label smoothing, focal).</summary>
internal static partial class Validate
{
    /// <summary>
    /// Class scores (logits or log-probabilities) of shape (C), (N, C) or (N, C, d1, ...): floating, at least one class.
    /// Returns C.
    /// </summary>
    internal static long ClassScores(string loss, Tensor input)
    {
        Floating(loss, input, "input");
        if (input.dim() < 1)
            throw new LossArgumentException(loss, "input", "input must have a class dimension: (C), (N, C) or (N, C, d1, ...), got a scalar.");
        var classes = input.dim() == 1 ? input.size(0) : input.size(1);
        if (classes < 1)
            throw new LossArgumentException(loss, "input", $"input must have at least one class, got shape {Shape(input)} (the class dimension is {(input.dim() == 1 ? 0 : 1)}).");
        return classes;
    }

    /// <summary>
    /// Decides whether a cross-entropy target holds class probabilities (a floating tensor of the input's shape) or
    /// class indices (anything else, checked later by <see cref="ClassIndexTarget"/>). A probability target must have
    /// the input's dtype and device, and <paramref name="ignoreIndex"/> must be negative (nothing to ignore).
    /// </summary>
    internal static bool ProbabilityTarget(string loss, Tensor input, Tensor target, long ignoreIndex)
    {
        Alive(loss, target, "target");
        if (!is_floating_point(target.dtype)) return false;
        if (target.dim() != input.dim()) return false; // floating class indices: ClassIndexTarget explains.
        if (!target.shape.SequenceEqual(input.shape))
        {
            var indexShape = input.dim() == 1 ? "[]" : "[" + string.Join(", ", input.shape.Take(1).Concat(input.shape.Skip(2))) + "]";
            throw new LossArgumentException(loss, "target",
                $"a floating target holds class probabilities and must have the input's shape {Shape(input)}, got {Shape(target)}; " +
                $"for class indices pass an int64 target of shape {indexShape}.");
        }
        SameDtype(loss, input, "input", target, "target");
        SameDevice(loss, input, "input", target, "target");
        if (ignoreIndex >= 0)
            throw new LossArgumentException(loss, "ignore_index",
                $"ignore_index ({ignoreIndex.ToString(CultureInfo.InvariantCulture)}) cannot be used with class-probability targets " +
                "(there is no class index to compare it with); leave it at -100, or give the rows to skip a zero target.");
        return true;
    }

    /// <summary>
    /// For losses that take class indices only: a floating target of the input's shape (probabilities) gets a message
    /// that points to cross-entropy; everything else goes through <see cref="ClassIndexTarget"/>. Returns the int64 target.
    /// </summary>
    internal static Tensor ClassIndexOnlyTarget(string loss, Tensor input, Tensor target, long ignoreIndex, bool checkValues = true)
    {
        Alive(loss, target, "target");
        if (is_floating_point(target.dtype) && target.shape.SequenceEqual(input.shape))
            throw new LossArgumentException(loss, "target",
                $"{loss} takes class indices (an int64 tensor without the class dimension), got a floating target of the input's shape {Shape(target)}; " +
                "for class-probability (soft) targets use CrossEntropyLoss / losses.cross_entropy on logits.");
        return ClassIndexTarget(loss, input, target, ignoreIndex, checkValues);
    }

    /// <summary>The number of classes a loss was built for equals the input's class dimension.</summary>
    internal static void ClassCount(string loss, long expected, long actual, Tensor input, string argument = "classes")
    {
        if (expected != actual)
            throw new LossArgumentException(loss, "input",
                $"the loss was created with {argument} = {expected.ToString(CultureInfo.InvariantCulture)}, but input {Shape(input)} has " +
                $"{actual.ToString(CultureInfo.InvariantCulture)} classes in dimension {(input.dim() == 1 ? 0 : 1)}.");
    }

    /// <summary>
    /// What a loss module can check about its class weights before it sees an input: null, or a live 1-D floating
    /// tensor. Returns the weights, so constructors can check them before the base class keeps a reference.
    /// </summary>
    internal static Tensor? ClassWeightOption(string loss, Tensor? weight)
    {
        if (weight is null) return null;
        Floating(loss, weight, "weight");
        if (weight.dim() != 1)
            throw new LossArgumentException(loss, "weight", $"weight must be a 1-D tensor with one entry per class, got shape {Shape(weight)}.");
        return weight;
    }

    /// <summary>The seed convention's label smoothing: C ≥ 2 classes (ε is spread over C - 1 of them), ε in [0, 1].</summary>
    internal static void LabelSmoothingOptions(string loss, long classes, double smoothing)
    {
        if (classes < 2)
            throw new LossArgumentOutOfRangeException(loss, nameof(classes),
                $"classes must be at least 2 (the smoothing is spread over the C - 1 classes other than the true one), got {classes.ToString(CultureInfo.InvariantCulture)}.");
        InRange(loss, smoothing, nameof(smoothing), 0, 1);
    }
}
