using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>
/// Mean squared error: ℓᵢ = (xᵢ - yᵢ)².
/// </summary>
/// <remarks>
/// <para>Shapes: input and target of the same shape (any), floating, same dtype and device.</para>
/// <para>Reductions: <c>None</c> gives ℓ with the input's shape; <c>Sum</c> gives Σᵢ ℓᵢ; <c>Mean</c> (default) gives
/// Σᵢ ℓᵢ / n over all n elements (0 for an empty input).</para>
/// <para>Gradient: ∂ℓᵢ/∂xᵢ = 2(xᵢ - yᵢ). NaN or ±∞ in input or target give a NaN or ∞ loss.</para>
/// <para>Use it for regression with roughly Gaussian noise; with outliers prefer <see cref="HuberLoss"/> or <see cref="SmoothLoss"/>.</para>
/// </remarks>
public sealed class MSELoss : Loss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss.</summary>
    public MSELoss(Reduction reduction = Reduction.Mean) : base(nameof(MSELoss), reduction) { }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input, Tensor target) => losses.mse_loss(input, target, reduction);
}

public static partial class losses
{
    /// <summary>Creates an <see cref="LossKit.MSELoss"/>: (x - y)².</summary>
    public static MSELoss MSELoss(Reduction reduction = Reduction.Mean) => new(reduction);

    /// <summary>Mean squared error (x - y)², reduced by <paramref name="reduction"/> (see <see cref="LossKit.MSELoss"/>).</summary>
    public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        LossChecks.Active
            ? LossChecks.Checked(nameof(LossKit.MSELoss), input, (target, reduction),
                static (x, a) => mse_loss_unchecked(x, a.target, a.reduction))
            : mse_loss_unchecked(input, target, reduction);

    private static Tensor mse_loss_unchecked(Tensor input, Tensor target, Reduction reduction)
    {
        Validate.Elementwise(nameof(LossKit.MSELoss), input, target);
        Validate.Reduction(nameof(LossKit.MSELoss), reduction, allowBatchMean: false);
        if (reduction == Reduction.Mean && input.numel() == 0) return input.sum();
        if (FusedKernels.CanUse(input, target))
            return FusedKernels.elementwise_loss(FusedKernels.ElementwiseLoss.MSE, input, target, reduction);
        return nn.functional.mse_loss(input, target, reduction);
    }
}
