using System.Globalization;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>
/// A weighted sum of losses on the same (input, target): ℓ = Σ_i w_i · ℓ_i(input, target), for example cross-entropy plus
/// Dice for segmentation.
/// </summary>
/// <remarks>
/// <para>Every component must reduce to a scalar (a 0-dimensional tensor): a component whose output has any other shape (for
/// example one with <see cref="Reduction.None"/>) makes <c>forward</c> throw <see cref="LossArgumentException"/>. Each
/// component applies its own reduction; the combined loss's <see cref="Loss{T1, T2, TResult}.reduction"/> is reported as
/// <see cref="Reduction.Mean"/> and has no effect.</para>
/// <para>Weights must be finite (negative weights are allowed); a weight of 0 still evaluates its component (and its validation).</para>
/// <para>The combined loss owns its components: they are registered as submodules "0", "1", ..., and disposing the combined
/// loss disposes them. The gradient is the weighted sum of the components' gradients.</para>
/// </remarks>
public sealed class CombinedLoss : Loss<Tensor, Tensor, Tensor>
{
    private readonly (Loss<Tensor, Tensor, Tensor> loss, double weight)[] _components;

    /// <summary>Creates the weighted sum of <paramref name="components"/>, taking ownership of them.</summary>
    /// <param name="components">(loss, weight) pairs; at least one.</param>
    public CombinedLoss(params (Loss<Tensor, Tensor, Tensor> loss, double weight)[] components) : base(nameof(CombinedLoss), Reduction.Mean)
    {
        Validate.CombinedComponents(components);
        _components = components.ToArray();
        for (var i = 0; i < _components.Length; i++) register_module(i.ToString(CultureInfo.InvariantCulture), _components[i].loss);
    }

    /// <summary>The (loss, weight) pairs, in order.</summary>
    public IReadOnlyList<(Loss<Tensor, Tensor, Tensor> loss, double weight)> components => _components;

    /// <summary>Σ_i w_i · ℓ_i(input, target).</summary>
    public override Tensor forward(Tensor input, Tensor target) =>
        LossChecks.Active
            ? LossChecks.Checked(nameof(CombinedLoss), input, (this, target), static (x, a) => a.Item1.Sum(x, a.target))
            : Sum(input, target);

    private Tensor Sum(Tensor input, Tensor target)
    {
        using var scope = NewDisposeScope();
        Tensor? total = null;
        for (var i = 0; i < _components.Length; i++)
        {
            var (loss, weight) = _components[i];
            var value = loss.call(input, target);
            Validate.CombinedComponentOutput(i, loss, value);
            var term = value.mul(weight);
            total = total is null ? term : total.add(term);
        }
        return total!.MoveToOuterDisposeScope();
    }

    /// <summary>The weighted sum, written out.</summary>
    public override string ToString() =>
        "CombinedLoss(" + string.Join(" + ", _components.Select(c => $"{c.weight.ToString(CultureInfo.InvariantCulture)} * {c.loss}")) + ")";
}

public static partial class losses
{
    /// <summary>
    /// A <see cref="CombinedLoss"/>: the weighted sum of the given losses, which it owns, e.g.
    /// <c>losses.Combine((losses.CrossEntropyLoss(), 1.0), (losses.DiceLoss(), 0.5))</c>.
    /// </summary>
    public static CombinedLoss Combine(params (Loss<Tensor, Tensor, Tensor> loss, double weight)[] components) => new(components);
}
