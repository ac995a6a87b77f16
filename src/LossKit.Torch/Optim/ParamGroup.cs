namespace LossKit.Torch.Modules;

/// <summary>
/// A group of parameters that share hyperparameters (learning rate and the optimizer's options), as in TorchSharp and
/// PyTorch's <c>param_groups</c>. Give layers different learning rates by passing several groups to an optimizer
/// (<c>torch.optim.Adam(new[] { new Adam.ParamGroup(body.parameters(), lr: 1e-4), new Adam.ParamGroup(head.parameters()) })</c>),
/// or by <see cref="torch.optim.Optimizer.add_param_group"/>.
/// </summary>
/// <remarks>
/// The parameters are copied into a list when the group is created (PyTorch's <c>list(params)</c>). A group belongs to
/// at most one optimizer. Options left null take the optimizer's defaults when the group is added.
/// </remarks>
public class ParamGroup : torch.optim.ILearningRateController
{
    private readonly List<Parameter> _parameters;

    /// <summary>Creates a group of <paramref name="parameters"/> with <paramref name="options"/> (null: all defaults).</summary>
    /// <exception cref="ArgumentException">A parameter is null.</exception>
    public ParamGroup(IEnumerable<Parameter> parameters, OptimizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters.ToList();
        if (_parameters.Any(p => p is null))
            throw new ArgumentException("ParamGroup: the parameter list contains null.", nameof(parameters));
        Options = options ?? new OptimizerOptions();
    }

    /// <summary>The parameters of the group, in order.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>The group's hyperparameters (the optimizer's own options type once the group is added).</summary>
    public OptimizerOptions Options { get; internal set; }

    /// <summary>The optimizer this group was added to, or null.</summary>
    internal torch.optim.Optimizer? Owner { get; set; }

    /// <summary>
    /// The learning rate the next step uses for this group. Schedulers set it; setting it yourself between steps works
    /// as <c>param_group['lr'] = x</c> does in PyTorch.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative, infinite or NaN value.</exception>
    /// <exception cref="InvalidOperationException">Read before a learning rate was given or taken from the optimizer.</exception>
    public double LearningRate
    {
        get => Options.LearningRate ?? throw new InvalidOperationException(
            "ParamGroup: this group has no learning rate yet; it takes the optimizer's default when it is added to an optimizer.");
        set
        {
            OptimArgs.NonNegative("ParamGroup", nameof(LearningRate), value);
            Options.LearningRate = value;
        }
    }

    /// <summary>The learning rate a schedule starts from (see <see cref="OptimizerOptions.InitialLearningRate"/>).</summary>
    public double InitialLearningRate
    {
        get => Options.InitialLearningRate;
        set => Options.InitialLearningRate = value;
    }
}
