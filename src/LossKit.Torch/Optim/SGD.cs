namespace LossKit.Torch.Modules;

using static torch;

/// <summary>
/// Stochastic gradient descent, optionally with momentum (heavy-ball or Nesterov), dampening and L2 weight decay:
/// PyTorch 1.13's <c>torch.optim.SGD</c>. Create it with <see cref="torch.optim.SGD(IEnumerable{Parameter}, double, double, double, double, bool, bool)"/>.
/// </summary>
/// <remarks>
/// <para>Each step, for every parameter θ whose gradient ∇ is not null, with learning rate γ, momentum μ, dampening τ and
/// weight decay λ (the group's options), in this order:</para>
/// <code>
/// g ← maximize ? −∇ : ∇
/// if λ ≠ 0:   g ← g + λ·θ                       (L2 penalty, added to the gradient)
/// if μ ≠ 0:   b ← b is new ? g : μ·b + (1 − τ)·g   (the momentum buffer starts as a copy of g, undamped)
///             g ← nesterov ? g + μ·b : b
/// θ ← θ − γ·g
/// </code>
/// <para>γ multiplies the whole velocity (PyTorch's form; Sutskever et al. put γ inside the buffer). Defaults: momentum 0,
/// dampening 0, weight_decay 0, nesterov false, maximize false; the learning rate has no default. Nesterov momentum
/// needs μ &gt; 0 and τ = 0.</para>
/// <para>State: <c>momentum_buffer</c> (created at a parameter's first update with μ ≠ 0).</para>
/// </remarks>
public sealed class SGD : torch.optim.Optimizer
{
    private readonly Options _defaults;

    internal SGD(IEnumerable<Modules.ParamGroup> groups, double learningRate, double momentum, double dampening, double weight_decay, bool nesterov, bool maximize)
        : base(nameof(SGD))
    {
        Check(Name, nameof(learningRate), learningRate, momentum, dampening, weight_decay, nesterov);
        _defaults = new Options { LearningRate = learningRate, momentum = momentum, dampening = dampening, weight_decay = weight_decay, nesterov = nesterov, maximize = maximize };
        AddParamGroups(groups);
    }

    internal static Modules.ParamGroup[] OneGroup(IEnumerable<Parameter> parameters) => OneGroup(nameof(SGD), parameters, new Options());

    private static void Check(string owner, string lrName, double lr, double momentum, double dampening, double weight_decay, bool nesterov)
    {
        OptimArgs.NonNegative(owner, lrName, lr);
        OptimArgs.NonNegative(owner, nameof(momentum), momentum);
        OptimArgs.Finite(owner, nameof(dampening), dampening);
        OptimArgs.NonNegative(owner, nameof(weight_decay), weight_decay);
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException($"{owner}: nesterov momentum requires a momentum > 0 and zero dampening; got momentum {OptimArgs.Format(momentum)} and dampening {OptimArgs.Format(dampening)}.", nameof(nesterov));
    }

    private protected override OptimizerOptions PrepareOptions(OptimizerOptions given, int groupIndex)
    {
        var o = given switch
        {
            Options mine => mine,
            _ when given.GetType() == typeof(OptimizerOptions) => Convert(given),
            _ => throw new ArgumentException($"{Owner(groupIndex)}: the group's options are {OptionsName(given)}, not SGD.Options.", "param_group"),
        };
        var lr = o.LearningRate ?? _defaults.LearningRate!.Value;
        var momentum = o.momentum ?? _defaults.momentum!.Value;
        var dampening = o.dampening ?? _defaults.dampening!.Value;
        var weight_decay = o.weight_decay ?? _defaults.weight_decay!.Value;
        var nesterov = o.nesterov ?? _defaults.nesterov!.Value;
        Check(Owner(groupIndex), "lr", lr, momentum, dampening, weight_decay, nesterov);
        o.LearningRate = lr;
        o.momentum = momentum;
        o.dampening = dampening;
        o.weight_decay = weight_decay;
        o.nesterov = nesterov;
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
        Check(Owner(groupIndex), "lr", o.LearningRate!.Value, o.momentum!.Value, o.dampening!.Value, o.weight_decay!.Value, o.nesterov!.Value);
    }

    private protected override void Update(Modules.ParamGroup group, Parameter parameter, Tensor grad)
    {
        var o = (Options)group.Options;
        var lr = o.LearningRate!.Value;
        var momentum = o.momentum!.Value;
        var dampening = o.dampening!.Value;
        var weight_decay = o.weight_decay!.Value;

        var d_p = o.maximize!.Value ? grad.neg() : grad;
        if (weight_decay != 0) d_p = d_p.add(parameter, weight_decay);
        if (momentum != 0)
        {
            var state = GetState<State>(parameter);
            if (state.momentum_buffer is null)
            {
                state.momentum_buffer = d_p.clone().DetachFromDisposeScope();
            }
            else
            {
                state.momentum_buffer.mul_(momentum).add_(d_p, 1 - dampening);
            }
            d_p = o.nesterov!.Value ? d_p.add(state.momentum_buffer, momentum) : state.momentum_buffer;
        }
        parameter.add_(d_p, -lr);
    }

    private sealed class State : IOptimizerState
    {
        public Tensor? momentum_buffer;

        public IEnumerable<Tensor> Tensors => momentum_buffer is null ? [] : [momentum_buffer];

        public void Dispose()
        {
            momentum_buffer?.Dispose();
            momentum_buffer = null;
        }
    }

    /// <summary>The options of an SGD parameter group; null options take the optimizer's defaults.</summary>
    public sealed class Options : OptimizerOptions
    {
        /// <summary>Momentum factor μ (default 0: no momentum).</summary>
        public double? momentum { get; set; }

        /// <summary>Dampening τ of the momentum (default 0).</summary>
        public double? dampening { get; set; }

        /// <summary>L2 penalty λ added to the gradient (default 0).</summary>
        public double? weight_decay { get; set; }

        /// <summary>Nesterov momentum (default false; needs momentum &gt; 0 and dampening 0).</summary>
        public bool? nesterov { get; set; }

        /// <summary>Maximize the objective instead of minimizing it (default false).</summary>
        public bool? maximize { get; set; }
    }

    /// <summary>A group of parameters with its own SGD options (null options take the optimizer's defaults).</summary>
    public sealed class ParamGroup : ParamGroup<Options>
    {
        /// <summary>Creates a group with the given options object.</summary>
        public ParamGroup(IEnumerable<Parameter> parameters, Options options) : base(parameters, options) { }

        /// <summary>Creates a group; options left null take the optimizer's defaults when the group is added.</summary>
        /// <remarks>TorchSharp's constructor defaults every option (lr = 1e-3, ...) instead, so that its groups ignore
        /// the optimizer's defaults; here an option you do not give comes from the optimizer, as in PyTorch.</remarks>
        public ParamGroup(IEnumerable<Parameter> parameters, double? lr = null, double? momentum = null, double? dampening = null,
            double? weight_decay = null, bool? nesterov = null, bool? maximize = null)
            : base(parameters, new Options { LearningRate = lr, momentum = momentum, dampening = dampening, weight_decay = weight_decay, nesterov = nesterov, maximize = maximize })
        {
        }
    }
}
