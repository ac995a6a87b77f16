using LossKit.Torch.Modules;
using static LossKit.Torch.torch;

namespace LossKit.Torch.Modules;

/// <summary>
/// What Adam and AdamW share: their per-parameter state, the argument checks and the update, which differ only in how
/// weight decay enters (added to the gradient, or applied to the parameters directly: decoupled).
/// </summary>
internal static class AdamStep
{
    internal static void Check(string owner, double lr, double beta1, double beta2, double eps, double weight_decay)
    {
        OptimArgs.NonNegative(owner, nameof(lr), lr);
        OptimArgs.NonNegative(owner, nameof(eps), eps);
        OptimArgs.InHalfOpenUnit(owner, nameof(beta1), beta1);
        OptimArgs.InHalfOpenUnit(owner, nameof(beta2), beta2);
        OptimArgs.NonNegative(owner, nameof(weight_decay), weight_decay);
    }

    /// <summary>One update of <paramref name="parameter"/> in place (PyTorch 1.13's single-tensor Adam / AdamW).</summary>
    internal static void Apply(State state, Func<Tensor> newStateTensor, Parameter parameter, Tensor grad, double lr, double beta1,
        double beta2, double eps, double weight_decay, bool amsgrad, bool maximize, bool decoupled)
    {
        var exp_avg = state.exp_avg ??= newStateTensor();
        var exp_avg_sq = state.exp_avg_sq ??= newStateTensor();

        var g = maximize ? grad.neg() : grad;
        state.step += 1;
        if (decoupled)
            parameter.mul_(1 - lr * weight_decay);     // PyTorch applies it unconditionally; with λ = 0 it multiplies by 1
        else if (weight_decay != 0)
            g = g.add(parameter, weight_decay);        // L2 penalty added to the gradient

        exp_avg.mul_(beta1).add_(g, 1 - beta1);
        exp_avg_sq.mul_(beta2).addcmul_(g, g, 1 - beta2);

        double step = state.step;
        var bias_correction1 = 1 - Math.Pow(beta1, step);
        var bias_correction2 = 1 - Math.Pow(beta2, step);
        var step_size = lr / bias_correction1;
        var bias_correction2_sqrt = Math.Sqrt(bias_correction2);

        Tensor denom;
        if (amsgrad)
        {
            var max_exp_avg_sq = state.max_exp_avg_sq ??= newStateTensor();
            max_exp_avg_sq.maximum_(exp_avg_sq);
            denom = max_exp_avg_sq.sqrt();
        }
        else
        {
            denom = exp_avg_sq.sqrt();
        }
        denom.div_(bias_correction2_sqrt).add_(eps);
        parameter.addcdiv_(exp_avg, denom, -step_size);
    }

    internal sealed class State : IOptimizerState
    {
        // A float, as PyTorch keeps it in a float32 tensor (torch.tensor(0.)).
        public float step;
        public Tensor? exp_avg;
        public Tensor? exp_avg_sq;
        public Tensor? max_exp_avg_sq;

        public IEnumerable<Tensor> Tensors => new[] { exp_avg, exp_avg_sq, max_exp_avg_sq }.OfType<Tensor>();

        public void Dispose()
        {
            exp_avg?.Dispose();
            exp_avg_sq?.Dispose();
            max_exp_avg_sq?.Dispose();
            exp_avg = exp_avg_sq = max_exp_avg_sq = null;
        }
    }
}
