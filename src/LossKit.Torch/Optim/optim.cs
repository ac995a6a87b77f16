using LossKit.Torch.Modules;

namespace LossKit.Torch;

public static partial class torch
{
    /// <summary>
    /// Optimizers and learning-rate schedulers, as <c>torch.optim</c> in TorchSharp and PyTorch. The update rules are
    /// PyTorch 1.13's, operation for operation, so that the same gradients give the same parameters.
    /// </summary>
    /// <remarks>
    /// <code>
    /// using var optimizer = torch.optim.Adam(model.parameters(), lr: 1e-3);
    /// var scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size: 10, gamma: 0.5);
    /// for (var epoch = 0; epoch &lt; epochs; epoch++)
    /// {
    ///     using (var scope = torch.NewDisposeScope())
    ///     {
    ///         optimizer.zero_grad();
    ///         criterion.call(model.call(x), y).backward();
    ///         optimizer.step();
    ///     }
    ///     scheduler.step();
    /// }
    /// </code>
    /// Where TorchSharp's factories have defaults that differ from PyTorch's (Adam's and AdamW's beta2, AdamW's
    /// weight_decay), these use PyTorch's.
    /// </remarks>
    public static partial class optim
    {
        // ----- SGD ---------------------------------------------------------------------------------------

        /// <summary>Stochastic gradient descent (optionally with momentum): see <see cref="Modules.SGD"/> for the update rule.</summary>
        /// <param name="parameters">The parameters to optimize (one group).</param>
        /// <param name="learningRate">Learning rate γ (no default, as in PyTorch), ≥ 0.</param>
        /// <param name="momentum">Momentum factor μ ≥ 0 (default 0).</param>
        /// <param name="dampening">Dampening τ of the momentum (default 0).</param>
        /// <param name="weight_decay">L2 penalty λ ≥ 0 added to the gradient (default 0).</param>
        /// <param name="nesterov">Nesterov momentum (default false; needs momentum &gt; 0 and dampening 0).</param>
        /// <param name="maximize">Maximize the objective instead of minimizing it (default false).</param>
        /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is negative, infinite or NaN.</exception>
        /// <exception cref="ArgumentException">Nesterov without momentum or with dampening; no parameters, or a parameter given twice.</exception>
        public static SGD SGD(IEnumerable<Parameter> parameters, double learningRate, double momentum = 0, double dampening = 0,
            double weight_decay = 0, bool nesterov = false, bool maximize = false) =>
            new(Modules.SGD.OneGroup(parameters), learningRate, momentum, dampening, weight_decay, nesterov, maximize);

        /// <summary>Stochastic gradient descent over named parameters (<c>model.named_parameters()</c>); the names are ignored.</summary>
        /// <inheritdoc cref="SGD(IEnumerable{Parameter}, double, double, double, double, bool, bool)"/>
        public static SGD SGD(IEnumerable<(string name, Parameter parameter)> parameters, double learningRate, double momentum = 0, double dampening = 0,
            double weight_decay = 0, bool nesterov = false, bool maximize = false) =>
            SGD(Names(parameters), learningRate, momentum, dampening, weight_decay, nesterov, maximize);

        /// <summary>
        /// Stochastic gradient descent over parameter groups with their own options (for instance a different learning
        /// rate per layer); options a group leaves null take the values given here.
        /// </summary>
        /// <inheritdoc cref="SGD(IEnumerable{Parameter}, double, double, double, double, bool, bool)"/>
        public static SGD SGD(IEnumerable<SGD.ParamGroup> parameters, double learningRate, double momentum = 0, double dampening = 0,
            double weight_decay = 0, bool nesterov = false, bool maximize = false) =>
            new(parameters, learningRate, momentum, dampening, weight_decay, nesterov, maximize);

        // ----- Adam --------------------------------------------------------------------------------------

        /// <summary>Adam (optionally AMSGrad): see <see cref="Modules.Adam"/> for the update rule.</summary>
        /// <param name="parameters">The parameters to optimize (one group).</param>
        /// <param name="lr">Learning rate γ ≥ 0 (default 1e-3).</param>
        /// <param name="beta1">Decay rate β₁ of the first-moment average, in [0, 1) (default 0.9).</param>
        /// <param name="beta2">Decay rate β₂ of the second-moment average, in [0, 1) (default 0.999, PyTorch's; TorchSharp's factory used 0.99).</param>
        /// <param name="eps">ε ≥ 0 added to the denominator (default 1e-8).</param>
        /// <param name="weight_decay">L2 penalty λ ≥ 0 added to the gradient (default 0).</param>
        /// <param name="amsgrad">Use AMSGrad (default false).</param>
        /// <param name="maximize">Maximize the objective instead of minimizing it (default false).</param>
        /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of its range, infinite or NaN.</exception>
        /// <exception cref="ArgumentException">No parameters, or a parameter given twice.</exception>
        public static Adam Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
            double weight_decay = 0, bool amsgrad = false, bool maximize = false) =>
            new(Modules.Adam.OneGroup(parameters), lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

        /// <summary>Adam over named parameters (<c>model.named_parameters()</c>); the names are ignored.</summary>
        /// <inheritdoc cref="Adam(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/>
        public static Adam Adam(IEnumerable<(string name, Parameter parameter)> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
            double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false) =>
            Adam(Names(parameters), lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

        /// <summary>Adam over parameter groups with their own options; options a group leaves null take the values given here.</summary>
        /// <inheritdoc cref="Adam(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/>
        public static Adam Adam(IEnumerable<Adam.ParamGroup> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
            double weight_decay = 0, bool amsgrad = false, bool maximize = false) =>
            new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

        // ----- AdamW -------------------------------------------------------------------------------------

        /// <summary>AdamW, Adam with decoupled weight decay: see <see cref="Modules.AdamW"/> for the update rule.</summary>
        /// <param name="parameters">The parameters to optimize (one group).</param>
        /// <param name="lr">Learning rate γ ≥ 0 (default 1e-3).</param>
        /// <param name="beta1">Decay rate β₁ of the first-moment average, in [0, 1) (default 0.9).</param>
        /// <param name="beta2">Decay rate β₂ of the second-moment average, in [0, 1) (default 0.999, PyTorch's; TorchSharp's factory used 0.99).</param>
        /// <param name="eps">ε ≥ 0 added to the denominator (default 1e-8).</param>
        /// <param name="weight_decay">Decoupled weight decay λ ≥ 0: each step multiplies the parameters by 1 − γλ (default 0.01, PyTorch's; TorchSharp used 0).</param>
        /// <param name="amsgrad">Use AMSGrad (default false).</param>
        /// <param name="maximize">Maximize the objective instead of minimizing it (default false).</param>
        /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of its range, infinite or NaN.</exception>
        /// <exception cref="ArgumentException">No parameters, or a parameter given twice.</exception>
        public static AdamW AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
            double weight_decay = 0.01, bool amsgrad = false, bool maximize = false) =>
            new(Modules.AdamW.OneGroup(parameters), lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

        /// <summary>AdamW over named parameters (<c>model.named_parameters()</c>); the names are ignored.</summary>
        /// <inheritdoc cref="AdamW(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/>
        public static AdamW AdamW(IEnumerable<(string name, Parameter parameter)> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
            double eps = 1e-8, double weight_decay = 0.01, bool amsgrad = false, bool maximize = false) =>
            AdamW(Names(parameters), lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

        /// <summary>AdamW over parameter groups with their own options; options a group leaves null take the values given here.</summary>
        /// <inheritdoc cref="AdamW(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/>
        public static AdamW AdamW(IEnumerable<AdamW.ParamGroup> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
            double weight_decay = 0.01, bool amsgrad = false, bool maximize = false) =>
            new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

        // ----- RMSprop -----------------------------------------------------------------------------------

        /// <summary>RMSprop (optionally centered, with momentum): see <see cref="Modules.RMSProp"/> for the update rule.
        /// TorchSharp's spelling; <see cref="RMSprop(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/> is the same.</summary>
        /// <param name="parameters">The parameters to optimize (one group).</param>
        /// <param name="lr">Learning rate γ ≥ 0 (default 0.01).</param>
        /// <param name="alpha">Smoothing constant α in [0, 1] (default 0.99).</param>
        /// <param name="eps">ε ≥ 0 added to the denominator (default 1e-8).</param>
        /// <param name="weight_decay">L2 penalty λ ≥ 0 added to the gradient (default 0).</param>
        /// <param name="momentum">Momentum factor μ ≥ 0 (default 0).</param>
        /// <param name="centered">Normalize by the estimated variance of the gradient (default false).</param>
        /// <param name="maximize">Maximize the objective instead of minimizing it (default false).</param>
        /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of its range, infinite or NaN.</exception>
        /// <exception cref="ArgumentException">No parameters, or a parameter given twice.</exception>
        public static RMSProp RMSProp(IEnumerable<Parameter> parameters, double lr = 0.01, double alpha = 0.99, double eps = 1e-8,
            double weight_decay = 0, double momentum = 0, bool centered = false, bool maximize = false) =>
            new(Modules.RMSProp.OneGroup(parameters), lr, alpha, eps, weight_decay, momentum, centered, maximize);

        /// <summary>RMSprop over named parameters (<c>model.named_parameters()</c>); the names are ignored.</summary>
        /// <inheritdoc cref="RMSProp(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/>
        public static RMSProp RMSProp(IEnumerable<(string name, Parameter parameter)> parameters, double lr = 0.01, double alpha = 0.99, double eps = 1e-8,
            double weight_decay = 0, double momentum = 0, bool centered = false, bool maximize = false) =>
            RMSProp(Names(parameters), lr, alpha, eps, weight_decay, momentum, centered, maximize);

        /// <summary>RMSprop over parameter groups with their own options; options a group leaves null take the values given here.</summary>
        /// <inheritdoc cref="RMSProp(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/>
        public static RMSProp RMSProp(IEnumerable<RMSProp.ParamGroup> parameters, double lr = 0.01, double alpha = 0.99, double eps = 1e-8,
            double weight_decay = 0, double momentum = 0, bool centered = false, bool maximize = false) =>
            new(parameters, lr, alpha, eps, weight_decay, momentum, centered, maximize);

        /// <summary>RMSprop, PyTorch's spelling of <see cref="RMSProp(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/>.</summary>
        /// <inheritdoc cref="RMSProp(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/>
        public static RMSProp RMSprop(IEnumerable<Parameter> parameters, double lr = 0.01, double alpha = 0.99, double eps = 1e-8,
            double weight_decay = 0, double momentum = 0, bool centered = false, bool maximize = false) =>
            RMSProp(parameters, lr, alpha, eps, weight_decay, momentum, centered, maximize);

        /// <summary>RMSprop over named parameters, PyTorch's spelling.</summary>
        /// <inheritdoc cref="RMSProp(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/>
        public static RMSProp RMSprop(IEnumerable<(string name, Parameter parameter)> parameters, double lr = 0.01, double alpha = 0.99, double eps = 1e-8,
            double weight_decay = 0, double momentum = 0, bool centered = false, bool maximize = false) =>
            RMSProp(parameters, lr, alpha, eps, weight_decay, momentum, centered, maximize);

        /// <summary>RMSprop over parameter groups, PyTorch's spelling.</summary>
        /// <inheritdoc cref="RMSProp(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/>
        public static RMSProp RMSprop(IEnumerable<RMSProp.ParamGroup> parameters, double lr = 0.01, double alpha = 0.99, double eps = 1e-8,
            double weight_decay = 0, double momentum = 0, bool centered = false, bool maximize = false) =>
            RMSProp(parameters, lr, alpha, eps, weight_decay, momentum, centered, maximize);

        private static IEnumerable<Parameter> Names(IEnumerable<(string name, Parameter parameter)> parameters)
        {
            ArgumentNullException.ThrowIfNull(parameters);
            return parameters.Select(np => np.parameter);
        }
    }
}
