namespace LossKit.Torch.Modules;

using static torch;

/// <summary>
/// AdamW (Loshchilov and Hutter, "Decoupled Weight Decay Regularization"), optionally AMSGrad: Adam whose weight decay
/// shrinks the parameters directly instead of being added to the gradient. PyTorch 1.13's <c>torch.optim.AdamW</c>.
/// Create it with <see cref="torch.optim.AdamW(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/>.
/// </summary>
/// <remarks>
/// <para>Each step, for every parameter θ whose gradient ∇ is not null, with learning rate γ, betas β₁ and β₂, ε and weight
/// decay λ (the group's options), with t the number of steps this parameter has taken (counting this one):</para>
/// <code>
/// g ← maximize ? −∇ : ∇
/// θ ← θ·(1 − γλ)                            (decoupled weight decay, applied first)
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// if amsgrad:  v̂ ← max(v̂, v);  d ← √v̂ / √(1 − β₂ᵗ) + ε
/// else:        d ← √v / √(1 − β₂ᵗ) + ε
/// θ ← θ − (γ / (1 − β₁ᵗ)) · m / d
/// </code>
/// <para>m, v and v̂ start at zero. Defaults: lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0.01,
/// amsgrad false, maximize false.</para>
/// <para>State: <c>step</c> (t, in single precision as in PyTorch), <c>exp_avg</c> (m), <c>exp_avg_sq</c> (v),
/// <c>max_exp_avg_sq</c> (v̂, with amsgrad); created at a parameter's first update.</para>
/// <para><b>Differences from TorchSharp.</b> TorchSharp's factory defaults weight_decay to 0 and beta2 to 0.99; this one
/// uses PyTorch's 0.01 and 0.999.</para>
/// </remarks>
public sealed class AdamW : torch.optim.Optimizer
{
    private readonly Options _defaults;

    internal AdamW(IEnumerable<Modules.ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weight_decay, bool amsgrad, bool maximize)
        : base(nameof(AdamW))
    {
        AdamStep.Check(Name, lr, beta1, beta2, eps, weight_decay);
        _defaults = new Options { LearningRate = lr, beta1 = beta1, beta2 = beta2, eps = eps, weight_decay = weight_decay, amsgrad = amsgrad, maximize = maximize };
        AddParamGroups(groups);
    }

    internal static Modules.ParamGroup[] OneGroup(IEnumerable<Parameter> parameters) => OneGroup(nameof(AdamW), parameters, new Options());

    private protected override OptimizerOptions PrepareOptions(OptimizerOptions given, int groupIndex)
    {
        var o = given switch
        {
            Options mine => mine,
            _ when given.GetType() == typeof(OptimizerOptions) => Convert(given),
            _ => throw new ArgumentException($"{Owner(groupIndex)}: the group's options are {OptionsName(given)}, not AdamW.Options.", "param_group"),
        };
        AdamStep.Resolve(o, _defaults, Owner(groupIndex));
        return o;

        static Options Convert(OptimizerOptions given)
        {
            var o = new Options();
            given.CopyBaseTo(o);
            return o;
        }
    }

    private protected override void ValidateOptions(OptimizerOptions options, int groupIndex) =>
        AdamStep.Check(Owner(groupIndex), (Options)options);

    private protected override void Update(Modules.ParamGroup group, Parameter parameter, Tensor grad) =>
        AdamStep.Apply(GetState<AdamStep.State>(parameter), () => NewStateTensor(parameter), parameter, grad, (Options)group.Options,
            decoupled: true);

    /// <summary>The options of an AdamW parameter group; null options take the optimizer's defaults.</summary>
    public sealed class Options : OptimizerOptions, AdamStep.IOptions
    {
        /// <summary>Decay rate β₁ of the first-moment average, in [0, 1) (default 0.9).</summary>
        public double? beta1 { get; set; }

        /// <summary>Decay rate β₂ of the second-moment average, in [0, 1) (default 0.999).</summary>
        public double? beta2 { get; set; }

        /// <summary>ε added to the denominator (default 1e-8).</summary>
        public double? eps { get; set; }

        /// <summary>Decoupled weight decay λ: each step multiplies the parameters by 1 − γλ (default 0.01).</summary>
        public double? weight_decay { get; set; }

        /// <summary>Use AMSGrad's running maximum of the second moment (default false).</summary>
        public bool? amsgrad { get; set; }

        /// <summary>Maximize the objective instead of minimizing it (default false).</summary>
        public bool? maximize { get; set; }
    }

    /// <summary>A group of parameters with its own AdamW options (null options take the optimizer's defaults).</summary>
    public sealed class ParamGroup : ParamGroup<Options>
    {
        /// <summary>Creates a group with the given options object.</summary>
        public ParamGroup(IEnumerable<Parameter> parameters, Options options) : base(parameters, options) { }

        /// <summary>Creates a group; options left null take the optimizer's defaults when the group is added.</summary>
        /// <remarks>TorchSharp's constructor defaults every option instead, so that its groups ignore the optimizer's
        /// defaults; here an option you do not give comes from the optimizer, as in PyTorch.</remarks>
        public ParamGroup(IEnumerable<Parameter> parameters, double? lr = null, double? beta1 = null, double? beta2 = null,
            double? eps = null, double? weight_decay = null, bool? amsgrad = null, bool? maximize = null)
            : base(parameters, new Options { LearningRate = lr, beta1 = beta1, beta2 = beta2, eps = eps, weight_decay = weight_decay, amsgrad = amsgrad, maximize = maximize })
        {
        }
    }
}
