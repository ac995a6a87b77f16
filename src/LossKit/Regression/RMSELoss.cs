using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>
/// Root mean squared error: √(mean((x - y)²) + ε).
/// </summary>
/// <remarks>
/// <para><b>Why ε.</b> √m has an infinite derivative at m = 0, so a plain √MSE gives NaN or infinite gradients as soon
/// as a batch is fitted exactly. ε (default 1e-8) sits inside the square root: the gradient is finite everywhere
/// ((x - y) / (n √(m + ε)) for the mean) and is exactly 0 at zero error; the price is a value of √ε (1e-4) instead of 0
/// at zero error. Set <c>eps</c> to 0 for the plain formula.</para>
/// <para>Shapes: input and target of the same shape, floating, same dtype and device.</para>
/// <para>Reductions (the root is taken after reducing the squares): <c>Mean</c> (default) √(Σ e² / n + ε), the usual RMSE;
/// <c>Sum</c> √(Σ e² + ε), the Euclidean norm of the error; <c>None</c> √(eᵢ² + ε) per element (≈ |eᵢ|). An empty input
/// gives 0.</para>
/// <para>No PyTorch or TorchSharp loss has it (Keras has RMSE only as a metric).</para>
/// </remarks>
public sealed class RMSELoss : Loss<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How to reduce the squared errors before the root.</param>
    /// <param name="eps">Added inside the square root; must be ≥ 0.</param>
    public RMSELoss(Reduction reduction = Reduction.Mean, double eps = 1e-8) : base(nameof(RMSELoss), reduction)
    {
        Validate.NonNegative(nameof(RMSELoss), eps, nameof(eps));
        this.eps = eps;
    }

    /// <summary>The constant inside the square root.</summary>
    public double eps { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input, Tensor target) => losses.rmse_loss(input, target, reduction, eps);
}

public static partial class losses
{
    /// <summary>Creates an <see cref="LossKit.RMSELoss"/>.</summary>
    public static RMSELoss RMSELoss(Reduction reduction = Reduction.Mean, double eps = 1e-8) => new(reduction, eps);

    /// <summary>Root mean squared error √(reduce((x - y)²) + ε) (see <see cref="LossKit.RMSELoss"/>).</summary>
    public static Tensor rmse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double eps = 1e-8) =>
        LossChecks.Active
            ? LossChecks.Checked(nameof(LossKit.RMSELoss), input, (target, reduction, eps),
                static (x, a) => rmse_loss_unchecked(x, a.target, a.reduction, a.eps))
            : rmse_loss_unchecked(input, target, reduction, eps);

    private static Tensor rmse_loss_unchecked(Tensor input, Tensor target, Reduction reduction, double eps)
    {
        const string name = nameof(LossKit.RMSELoss);
        Validate.NonNegative(name, eps, nameof(eps));
        Validate.Elementwise(name, input, target);
        Validate.Reduction(name, reduction, allowBatchMean: false);
        if (reduction != Reduction.None && input.numel() == 0) return input.sum();
        if (reduction != Reduction.None && FusedKernels.CanUse(input, target))
            return FusedKernels.rmse_loss(input, target, eps, reduction);
        using var scope = NewDisposeScope();
        var squared = nn.functional.mse_loss(input, target, reduction);
        return squared.add(eps).sqrt().MoveToOuterDisposeScope();
    }
}
