namespace LossKit.Torch.Modules;

/// <summary>
/// The hyperparameters of one parameter group, as in TorchSharp. Each optimizer has its own subclass
/// (<see cref="SGD.Options"/>, <see cref="Adam.Options"/>, <see cref="AdamW.Options"/>, <see cref="RMSProp.Options"/>)
/// adding its options; an option left null takes the optimizer's default when the group is added to the optimizer
/// (PyTorch's <c>param_group.setdefault(name, default)</c>).
/// </summary>
public class OptimizerOptions
{
    private double _initialLearningRate;
    private bool _hasInitialLearningRate;

    /// <summary>The learning rate; null until set or filled from the optimizer's default.</summary>
    public double? LearningRate { get; set; }

    /// <summary>
    /// The learning rate a schedule starts from (PyTorch's <c>initial_lr</c>). Until it is set, explicitly or by the
    /// first scheduler attached to the optimizer (which, like PyTorch's <c>setdefault</c>, sets it only once, to the
    /// learning rate of that moment), it reads as the learning rate the group was added with.
    /// </summary>
    /// <remarks>TorchSharp always sets it to the learning rate the group was added with; LossKit follows PyTorch.</remarks>
    public double InitialLearningRate
    {
        get => _initialLearningRate;
        set
        {
            _initialLearningRate = value;
            _hasInitialLearningRate = true;
        }
    }

    /// <summary>True once <see cref="InitialLearningRate"/> was set explicitly or by a scheduler.</summary>
    internal bool HasInitialLearningRate => _hasInitialLearningRate;

    /// <summary>The value <see cref="InitialLearningRate"/> reads as until it is set.</summary>
    internal void SetProvisionalInitialLearningRate(double value)
    {
        if (!_hasInitialLearningRate) _initialLearningRate = value;
    }

    /// <summary>Copies the options this base class holds into <paramref name="target"/>.</summary>
    internal void CopyBaseTo(OptimizerOptions target)
    {
        target.LearningRate = LearningRate;
        target._initialLearningRate = _initialLearningRate;
        target._hasInitialLearningRate = _hasInitialLearningRate;
    }
}
