namespace LossKit.Torch.Modules;

/// <summary>A parameter group whose options have the type one optimizer uses, as in TorchSharp.</summary>
/// <typeparam name="TOptions">The optimizer's options type.</typeparam>
public class ParamGroup<TOptions> : ParamGroup where TOptions : OptimizerOptions
{
    /// <summary>Creates a group of <paramref name="parameters"/> with <paramref name="options"/>.</summary>
    public ParamGroup(IEnumerable<Parameter> parameters, TOptions options) : base(parameters, options ?? throw new ArgumentNullException(nameof(options))) { }

    /// <summary>The group's hyperparameters.</summary>
    public new TOptions Options => (TOptions)base.Options;
}
