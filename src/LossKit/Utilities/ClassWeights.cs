using LossKit.Torch;
using static LossKit.Torch.torch;

namespace LossKit;

/// <summary>How <see cref="ClassWeights.FromTargets"/> turns class counts into weights.</summary>
public enum ClassWeighting
{
    /// <summary>w_c ∝ 1 / n_c (see <see cref="ClassWeights.InverseFrequency(long[], bool, ScalarType, Device?)"/>).</summary>
    InverseFrequency = 0,

    /// <summary>w_c ∝ (1 - β) / (1 - β^n_c) (see <see cref="ClassWeights.EffectiveNumber(long[], double, bool, ScalarType, Device?)"/>).</summary>
    EffectiveNumber = 1,
}

/// <summary>
/// Class weights for imbalanced data, to pass as the <c>weight</c> of a classification loss: from counts per class, or
/// counted from a target tensor.
/// </summary>
/// <remarks>
/// <para>Normalisation (<c>normalize</c> true, the default): the weights are scaled to sum to C, the number of classes (their
/// mean is 1), so a weighted loss keeps roughly the scale of the unweighted one. With <c>normalize</c> false the raw values
/// are returned (1 / n_c, or (1 - β) / (1 - β^n_c)). For a loss whose mean divides by the sum of the target weights
/// (cross-entropy, NLL), the scale cancels and only the ratios matter.</para>
/// <para>A zero count is an error (<see cref="LossArgumentOutOfRangeException"/> naming the class): its weight would be
/// infinite, and silently giving it weight 0 would ignore the class if it ever appears. Drop the class, or add a pseudo-count.
/// Negative, NaN or infinite counts are errors too.</para>
/// <para>The weights are computed in float64 and returned as a 1-D tensor of <c>dtype</c> (Float32 by default, or Float64).</para>
/// </remarks>
public static class ClassWeights
{
    /// <summary>
    /// Inverse-frequency weights w_c = 1 / n_c, scaled to sum to C when <paramref name="normalize"/> (so w_c = C / (n_c · Σ_k 1/n_k)).
    /// </summary>
    /// <param name="counts">Samples per class, each &gt; 0.</param>
    /// <param name="normalize">Scale the weights to sum to C (mean 1).</param>
    /// <param name="dtype">Float32 (default) or Float64.</param>
    /// <param name="device">Where to create the tensor (default CPU).</param>
    /// <example>Counts [10, 30, 60] give [2, 2/3, 1/3] (1/n = [0.1, 1/30, 1/60] sums to 0.15; times 3 / 0.15 = 20).</example>
    public static Tensor InverseFrequency(long[] counts, bool normalize = true, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        const string method = "ClassWeights.InverseFrequency";
        var values = FromArray(method, counts);
        return Make(method, values.Select(n => 1.0 / n).ToArray(), normalize, dtype, device);
    }

    /// <summary>Inverse-frequency weights from a 1-D tensor of counts (any numeric dtype; the result is on its device).</summary>
    /// <inheritdoc cref="InverseFrequency(long[], bool, ScalarType, Device?)"/>
    public static Tensor InverseFrequency(Tensor counts, bool normalize = true, ScalarType dtype = ScalarType.Float32)
    {
        const string method = "ClassWeights.InverseFrequency";
        var values = Validate.ClassCountsTensor(method, counts);
        return Make(method, values.Select(n => 1.0 / n).ToArray(), normalize, dtype, counts.device);
    }

    /// <summary>
    /// Weights from the "effective number of samples" (Cui et al., "Class-Balanced Loss Based on Effective Number of Samples",
    /// CVPR 2019): E_c = (1 - β^n_c) / (1 - β), w_c = 1 / E_c = (1 - β) / (1 - β^n_c), scaled to sum to C when
    /// <paramref name="normalize"/>.
    /// </summary>
    /// <param name="counts">Samples per class, each &gt; 0.</param>
    /// <param name="beta">β in [0, 1): 0 gives equal weights, β → 1 approaches inverse frequency. The paper uses 0.9 to 0.9999.</param>
    /// <param name="normalize">Scale the weights to sum to C (mean 1).</param>
    /// <param name="dtype">Float32 (default) or Float64.</param>
    /// <param name="device">Where to create the tensor (default CPU).</param>
    public static Tensor EffectiveNumber(long[] counts, double beta = 0.999, bool normalize = true, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        const string method = "ClassWeights.EffectiveNumber";
        var values = FromArray(method, counts);
        return Make(method, Effective(method, values, beta), normalize, dtype, device);
    }

    /// <summary>Effective-number weights from a 1-D tensor of counts (any numeric dtype; the result is on its device).</summary>
    /// <inheritdoc cref="EffectiveNumber(long[], double, bool, ScalarType, Device?)"/>
    public static Tensor EffectiveNumber(Tensor counts, double beta = 0.999, bool normalize = true, ScalarType dtype = ScalarType.Float32)
    {
        const string method = "ClassWeights.EffectiveNumber";
        var values = Validate.ClassCountsTensor(method, counts);
        return Make(method, Effective(method, values, beta), normalize, dtype, counts.device);
    }

    /// <summary>
    /// The number of elements of each class in an integer target tensor (any shape), leaving out <paramref name="ignore_index"/>.
    /// </summary>
    /// <param name="target">Class indices (int64; other integer dtypes accepted), values in [0, classes) or ignore_index.</param>
    /// <param name="classes">The number of classes C.</param>
    /// <param name="ignore_index">The value that is not counted (default -100).</param>
    /// <returns>C counts (classes that never occur count 0).</returns>
    public static long[] Count(Tensor target, long classes, long ignore_index = -100)
    {
        using var scope = NewDisposeScope();
        var kept = Validate.CountedTargets("ClassWeights.Count", target, classes, ignore_index);
        var counts = zeros(classes, ScalarType.Int64, kept.device).scatter_add(0, kept, ones_like(kept));
        return counts.ToArray<long>();
    }

    /// <summary>
    /// Weights counted from an integer target tensor: <see cref="Count"/>, then <see cref="InverseFrequency(long[], bool, ScalarType, Device?)"/>
    /// or <see cref="EffectiveNumber(long[], double, bool, ScalarType, Device?)"/>. A class that never occurs is an error
    /// (its count is 0). The result is on the target's device.
    /// </summary>
    /// <param name="target">Class indices, values in [0, classes) or ignore_index.</param>
    /// <param name="classes">The number of classes C.</param>
    /// <param name="method">Inverse frequency (default) or effective number.</param>
    /// <param name="beta">β of the effective number (ignored for inverse frequency).</param>
    /// <param name="normalize">Scale the weights to sum to C (mean 1).</param>
    /// <param name="ignore_index">The value that is not counted (default -100).</param>
    /// <param name="dtype">Float32 (default) or Float64.</param>
    public static Tensor FromTargets(Tensor target, long classes, ClassWeighting method = ClassWeighting.InverseFrequency, double beta = 0.999,
        bool normalize = true, long ignore_index = -100, ScalarType dtype = ScalarType.Float32)
    {
        const string name = "ClassWeights.FromTargets";
        if (!Enum.IsDefined(method))
            throw new LossArgumentException(name, nameof(method), $"unknown method {(int)method}; use InverseFrequency or EffectiveNumber.");
        long[] counts;
        using (var scope = NewDisposeScope())
        {
            var kept = Validate.CountedTargets(name, target, classes, ignore_index);
            counts = zeros(classes, ScalarType.Int64, kept.device).scatter_add(0, kept, ones_like(kept)).ToArray<long>();
        }
        var values = counts.Select(n => (double)n).ToArray();
        Validate.ClassCounts(name, values);
        var raw = method == ClassWeighting.InverseFrequency ? values.Select(n => 1.0 / n).ToArray() : Effective(name, values, beta);
        return Make(name, raw, normalize, dtype, target.device);
    }

    private static double[] FromArray(string method, long[]? counts)
    {
        if (counts is null) throw new LossArgumentException(method, "counts", "counts is null.");
        var values = counts.Select(n => (double)n).ToArray();
        Validate.ClassCounts(method, values);
        return values;
    }

    private static double[] Effective(string method, double[] counts, double beta)
    {
        Validate.InRange(method, beta, nameof(beta), 0, 1, highInclusive: false);
        // (1 - β) / (1 - β^n); β = 0 gives 1 for every n ≥ 1 (0^n = 0). Both differences lose at most a few digits for β < 1 - 1e-9.
        return counts.Select(n => (1 - beta) / (1 - Math.Pow(beta, n))).ToArray();
    }

    private static Tensor Make(string method, double[] raw, bool normalize, ScalarType dtype, Device? device)
    {
        Validate.WeightDtype(method, dtype);
        if (normalize)
        {
            var scale = raw.Length / raw.Sum();
            raw = raw.Select(w => w * scale).ToArray();
        }
        return tensor(raw, [raw.LongLength], dtype, device);
    }
}
