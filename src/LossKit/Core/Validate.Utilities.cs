using System.Globalization;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>Argument checks of the helpers (<see cref="ClassWeights"/>, <see cref="CombinedLoss"/>).</summary>
internal static partial class Validate
{
    /// <summary>Class counts: at least one, every one finite and &gt; 0 (a zero count has no finite inverse).</summary>
    internal static void ClassCounts(string method, IReadOnlyList<double> counts)
    {
        if (counts.Count == 0)
            throw new LossArgumentException(method, "counts", "counts is empty; pass one count per class.");
        for (var c = 0; c < counts.Count; c++)
        {
            var n = counts[c];
            if (n > 0 && double.IsFinite(n)) continue;
            var value = n.ToString("R", CultureInfo.InvariantCulture);
            throw new LossArgumentOutOfRangeException(method, "counts", n == 0
                ? $"class {c} has count 0, so its weight 1/count would be infinite; drop the class, or add a pseudo-count " +
                  "(for example counts + 1) if it may appear later."
                : $"class {c} has count {value}; counts must be finite and > 0.");
        }
    }

    /// <summary>A counts tensor: 1-D, numeric.</summary>
    internal static double[] ClassCountsTensor(string method, Tensor counts)
    {
        Alive(method, counts, "counts");
        if (counts.dim() != 1 || counts.dtype == ScalarType.Bool)
            throw new LossArgumentException(method, "counts",
                $"counts must be a 1-D numeric tensor with one count per class, got {counts.dtype} with shape {Shape(counts)}.");
        using var asDouble = counts.to(ScalarType.Float64);
        var values = asDouble.ToArray<double>();
        ClassCounts(method, values);
        return values;
    }

    internal static void WeightDtype(string method, ScalarType dtype)
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new LossArgumentException(method, "dtype", $"dtype must be Float32 or Float64, got {dtype}.");
    }

    /// <summary>
    /// An integer target for counting: values in [0, classes) or ignore_index. Returns the counted values, flattened (int64).
    /// </summary>
    internal static Tensor CountedTargets(string method, Tensor target, long classes, long ignoreIndex)
    {
        Alive(method, target, "target");
        if (classes < 1)
            throw new LossArgumentOutOfRangeException(method, "classes", $"classes must be >= 1, got {classes}.");
        var dtype = target.dtype;
        if (dtype is not (ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte))
            throw new LossArgumentException(method, "target",
                $"target must be an integer tensor of class indices (int64), got {dtype} with shape {Shape(target)}.");
        using var scope = NewDisposeScope();
        var flat = target.to(ScalarType.Int64).reshape(-1);
        var kept = flat.masked_select(flat.ne(ignoreIndex));
        if (kept.numel() > 0)
        {
            var bad = kept.lt(0).logical_or(kept.ge(classes));
            if (bad.any().item<bool>())
            {
                var flatBad = flat.lt(0).logical_or(flat.ge(classes)).logical_and(flat.ne(ignoreIndex));
                var position = flatBad.to(ScalarType.Int64).argmax().item<long>();
                var value = flat[position].item<long>();
                throw new LossArgumentOutOfRangeException(method, "target",
                    $"target contains class index {value} at flat position {position}, outside [0, {classes}) and not ignore_index ({ignoreIndex}).");
            }
        }
        return kept.MoveToOuterDisposeScope();
    }

    /// <summary>The components of a <see cref="CombinedLoss"/>: at least one, none null or disposed, finite weights.</summary>
    internal static void CombinedComponents(IReadOnlyList<(Loss<Tensor, Tensor, Tensor> loss, double weight)>? components)
    {
        const string loss = nameof(CombinedLoss);
        if (components is null || components.Count == 0)
            throw new LossArgumentException(loss, "components", "at least one (loss, weight) component is needed.");
        for (var i = 0; i < components.Count; i++)
        {
            var (component, weight) = components[i];
            if (component is null)
                throw new LossArgumentException(loss, "components", $"component {i} is null.");
            if (component.IsDisposed)
                throw new ObjectDisposedException(component.GetName(), $"{loss}: component {i} ({component.GetName()}) has been disposed.");
            if (!double.IsFinite(weight))
                throw new LossArgumentOutOfRangeException(loss, "components",
                    $"component {i} ({component.GetName()}) has weight {weight.ToString(CultureInfo.InvariantCulture)}; weights must be finite.");
        }
    }

    /// <summary>A component's output must be a scalar so that the weighted sum is a scalar loss.</summary>
    internal static void CombinedComponentOutput(int index, Loss<Tensor, Tensor, Tensor> component, Tensor value)
    {
        if (value.dim() == 0) return;
        var hint = component.reduction == nn.Reduction.None ? " (its reduction is None: use Mean or Sum)" : "";
        throw new LossArgumentException(nameof(CombinedLoss), "components",
            $"component {index} ({component.GetName()}) returned shape {Shape(value)}, not a scalar{hint}; every component must reduce to a scalar.");
    }
}
