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

    /// <summary>The options Adam's and AdamW's groups both have (each class keeps its own public Options type).</summary>
    internal interface IOptions
    {
        double? LearningRate { get; set; }
        double? beta1 { get; set; }
        double? beta2 { get; set; }
        double? eps { get; set; }
        double? weight_decay { get; set; }
        bool? amsgrad { get; set; }
        bool? maximize { get; set; }
    }

    /// <summary>
    /// Fills the options a group left null from the optimizer's <paramref name="defaults"/>, after checking the
    /// values it would get (a group that fails the check is left as it was).
    /// </summary>
    internal static void Resolve(IOptions o, IOptions defaults, string owner)
    {
        var lr = o.LearningRate ?? defaults.LearningRate!.Value;
        var beta1 = o.beta1 ?? defaults.beta1!.Value;
        var beta2 = o.beta2 ?? defaults.beta2!.Value;
        var eps = o.eps ?? defaults.eps!.Value;
        var weight_decay = o.weight_decay ?? defaults.weight_decay!.Value;
        Check(owner, lr, beta1, beta2, eps, weight_decay);
        o.LearningRate = lr;
        o.beta1 = beta1;
        o.beta2 = beta2;
        o.eps = eps;
        o.weight_decay = weight_decay;
        o.amsgrad ??= defaults.amsgrad;
        o.maximize ??= defaults.maximize;
    }

    /// <summary>Checks a group's resolved options (after a change through <c>param_groups</c>).</summary>
    internal static void Check(string owner, IOptions o) =>
        Check(owner, o.LearningRate!.Value, o.beta1!.Value, o.beta2!.Value, o.eps!.Value, o.weight_decay!.Value);

    /// <summary>One update of <paramref name="parameter"/> with a group's resolved options.</summary>
    internal static void Apply(State state, Func<Tensor> newStateTensor, Parameter parameter, Tensor grad, IOptions o, bool decoupled) =>
        Apply(state, newStateTensor, parameter, grad, o.LearningRate!.Value, o.beta1!.Value, o.beta2!.Value, o.eps!.Value,
            o.weight_decay!.Value, o.amsgrad!.Value, o.maximize!.Value, decoupled);

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
