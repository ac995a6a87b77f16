namespace LossKit.Torch.Modules;

using static torch;

/// <summary>
/// RMSprop (Hinton's lecture 6e), optionally centered (Graves, 2013) and with momentum: PyTorch 1.13's
/// <c>torch.optim.RMSprop</c>. Create it with
/// <see cref="torch.optim.RMSProp(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/> (TorchSharp's
/// spelling) or <see cref="torch.optim.RMSprop(IEnumerable{Parameter}, double, double, double, double, double, bool, bool)"/>
/// (PyTorch's).
/// </summary>
/// <remarks>
/// <para>Each step, for every parameter θ whose gradient ∇ is not null, with learning rate γ, smoothing constant α, ε,
/// weight decay λ and momentum μ (the group's options):</para>
/// <code>
/// g ← maximize ? −∇ : ∇
/// if λ ≠ 0:  g ← g + λ·θ                  (L2 penalty, added to the gradient)
/// v ← α·v + (1 − α)·g²
/// if centered:  a ← α·a + (1 − α)·g;  d ← √(v − a²) + ε
/// else:         d ← √v + ε
/// if μ &gt; 0:  b ← μ·b + g / d;  θ ← θ − γ·b
/// else:       θ ← θ − γ·g / d
/// </code>
/// <para>v, a and b start at zero. ε is added outside the square root. Defaults: lr 0.01, alpha 0.99, eps 1e-8,
/// weight_decay 0, momentum 0, centered false, maximize false. alpha must lie in [0, 1] (PyTorch only checks alpha ≥ 0).</para>
/// <para>State: <c>square_avg</c> (v), <c>grad_avg</c> (a, when centered), <c>momentum_buffer</c> (b, when μ &gt; 0);
/// created at a parameter's first update.</para>
/// </remarks>
public sealed class RMSProp : torch.optim.Optimizer
{
    private readonly Options _defaults;

    internal RMSProp(IEnumerable<Modules.ParamGroup> groups, double lr, double alpha, double eps, double weight_decay, double momentum, bool centered, bool maximize)
        : base(nameof(RMSProp))
    {
        Check(Name, lr, alpha, eps, weight_decay, momentum);
        _defaults = new Options { LearningRate = lr, alpha = alpha, eps = eps, weight_decay = weight_decay, momentum = momentum, centered = centered, maximize = maximize };
        AddParamGroups(groups);
    }

    internal static Modules.ParamGroup[] OneGroup(IEnumerable<Parameter> parameters) => OneGroup(nameof(RMSProp), parameters, new Options());

    private static void Check(string owner, double lr, double alpha, double eps, double weight_decay, double momentum)
    {
        OptimArgs.NonNegative(owner, nameof(lr), lr);
        OptimArgs.NonNegative(owner, nameof(eps), eps);
        OptimArgs.NonNegative(owner, nameof(momentum), momentum);
        OptimArgs.NonNegative(owner, nameof(weight_decay), weight_decay);
        OptimArgs.InClosedUnit(owner, nameof(alpha), alpha);
    }

    private protected override OptimizerOptions PrepareOptions(OptimizerOptions given, int groupIndex)
    {
        var o = given switch
        {
            Options mine => mine,
            _ when given.GetType() == typeof(OptimizerOptions) => Convert(given),
            _ => throw new ArgumentException($"{Owner(groupIndex)}: the group's options are {OptionsName(given)}, not RMSProp.Options.", "param_group"),
        };
        var lr = o.LearningRate ?? _defaults.LearningRate!.Value;
        var alpha = o.alpha ?? _defaults.alpha!.Value;
        var eps = o.eps ?? _defaults.eps!.Value;
        var weight_decay = o.weight_decay ?? _defaults.weight_decay!.Value;
        var momentum = o.momentum ?? _defaults.momentum!.Value;
        Check(Owner(groupIndex), lr, alpha, eps, weight_decay, momentum);
        o.LearningRate = lr;
        o.alpha = alpha;
        o.eps = eps;
        o.weight_decay = weight_decay;
        o.momentum = momentum;
        o.centered ??= _defaults.centered;
        o.maximize ??= _defaults.maximize;
        return o;

        static Options Convert(OptimizerOptions given)
        {
            var o = new Options();
            given.CopyBaseTo(o);
            return o;
        }
    }

    private protected override void ValidateOptions(OptimizerOptions options, int groupIndex)
    {
        var o = (Options)options;
        Check(Owner(groupIndex), o.LearningRate!.Value, o.alpha!.Value, o.eps!.Value, o.weight_decay!.Value, o.momentum!.Value);
    }

    private protected override void Update(Modules.ParamGroup group, Parameter parameter, Tensor grad)
    {
        var o = (Options)group.Options;
        var lr = o.LearningRate!.Value;
        var alpha = o.alpha!.Value;
        var eps = o.eps!.Value;
        var weight_decay = o.weight_decay!.Value;
        var momentum = o.momentum!.Value;

        var state = GetState<State>(parameter);
        var square_avg = state.square_avg ??= NewStateTensor(parameter);
        state.step += 1;

        var g = o.maximize!.Value ? grad.neg() : grad;
        if (weight_decay != 0) g = g.add(parameter, weight_decay);

        square_avg.mul_(alpha).addcmul_(g, g, 1 - alpha);

        Tensor avg;
        if (o.centered!.Value)
        {
            var grad_avg = state.grad_avg ??= NewStateTensor(parameter);
            grad_avg.mul_(alpha).add_(g, 1 - alpha);
            // PyTorch: square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_(); the same kernel on a copy.
            avg = square_avg.clone().addcmul_(grad_avg, grad_avg, -1).sqrt_();
        }
        else
        {
            avg = square_avg.sqrt();
        }
        avg.add_(eps);

        if (momentum > 0)
        {
            var buf = state.momentum_buffer ??= NewStateTensor(parameter);
            buf.mul_(momentum).addcdiv_(g, avg);
            parameter.add_(buf, -lr);
        }
        else
        {
            parameter.addcdiv_(g, avg, -lr);
        }
    }

    private sealed class State : IOptimizerState
    {
        public long step;
        public Tensor? square_avg;
        public Tensor? grad_avg;
        public Tensor? momentum_buffer;

        public IEnumerable<Tensor> Tensors => new[] { square_avg, grad_avg, momentum_buffer }.OfType<Tensor>();

        public void Dispose()
        {
            square_avg?.Dispose();
            grad_avg?.Dispose();
            momentum_buffer?.Dispose();
            square_avg = grad_avg = momentum_buffer = null;
        }
    }

    /// <summary>The options of an RMSprop parameter group; null options take the optimizer's defaults.</summary>
    public sealed class Options : OptimizerOptions
    {
        /// <summary>Smoothing constant α of the squared-gradient average, in [0, 1] (default 0.99).</summary>
        public double? alpha { get; set; }

        /// <summary>ε added to the denominator (default 1e-8).</summary>
        public double? eps { get; set; }

        /// <summary>L2 penalty λ added to the gradient (default 0).</summary>
        public double? weight_decay { get; set; }

        /// <summary>Momentum factor μ (default 0).</summary>
        public double? momentum { get; set; }

        /// <summary>Normalize by an estimate of the gradient's variance instead of its second moment (default false).</summary>
        public bool? centered { get; set; }

        /// <summary>Maximize the objective instead of minimizing it (default false).</summary>
        public bool? maximize { get; set; }
    }

    /// <summary>A group of parameters with its own RMSprop options (null options take the optimizer's defaults).</summary>
    public sealed class ParamGroup : ParamGroup<Options>
    {
        /// <summary>Creates a group with the given options object.</summary>
        public ParamGroup(IEnumerable<Parameter> parameters, Options options) : base(parameters, options) { }

        /// <summary>Creates a group; options left null take the optimizer's defaults when the group is added.</summary>
        /// <remarks>TorchSharp's constructor defaults every option instead, so that its groups ignore the optimizer's
        /// defaults; here an option you do not give comes from the optimizer, as in PyTorch.</remarks>
        public ParamGroup(IEnumerable<Parameter> parameters, double? lr = null, double? alpha = null, double? eps = null,
            double? weight_decay = null, double? momentum = null, bool? centered = null, bool? maximize = null)
            : base(parameters, new Options { LearningRate = lr, alpha = alpha, eps = eps, weight_decay = weight_decay, momentum = momentum, centered = centered, maximize = maximize })
        {
        }
    }
}
