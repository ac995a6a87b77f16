using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit;

/// <summary>
/// Base class of every two-input loss (input, target), TorchSharp's pattern: a module that holds only its options and
/// calls the loss's functional form in <c>forward</c>, so <c>loss.call(input, target)</c> and the function
/// <c>losses.xxx(input, target, ...)</c> give identical results.
/// </summary>
/// <remarks>
/// A loss module never changes after construction (its weights are its own detached copy), so threads may share one and
/// call it at the same time; <c>call</c> after <see cref="torch.nn.Module.Dispose()"/> throws
/// <see cref="ObjectDisposedException"/> naming the loss.
/// </remarks>
/// <typeparam name="T1">The input (prediction) type.</typeparam>
/// <typeparam name="T2">The target type.</typeparam>
/// <typeparam name="TResult">The result type.</typeparam>
public abstract class Loss<T1, T2, TResult> : Module<T1, T2, TResult>
{
    /// <summary>Creates the loss with a reduction.</summary>
    protected Loss(string name, Reduction reduction) : base(name)
    {
        Validate.Reduction(name, reduction, allowBatchMean: false);
        this.reduction = reduction;
    }

    /// <summary>Creates a loss that also accepts <see cref="Reduction.BatchMean"/> (KL divergence).</summary>
    private protected Loss(string name, Reduction reduction, bool allowBatchMean) : base(name)
    {
        Validate.Reduction(name, reduction, allowBatchMean);
        this.reduction = reduction;
    }

    /// <summary>How per-element losses are combined: <see cref="Reduction.None"/>, <see cref="Reduction.Mean"/> or <see cref="Reduction.Sum"/>.</summary>
    public Reduction reduction { get; }

    /// <summary>The loss's name and options.</summary>
    public override string ToString() => $"{GetName()}(reduction={reduction})";
}

/// <summary>Base class of four-input losses, such as CTC (log_probs, targets, input_lengths, target_lengths).</summary>
public abstract class Loss<T1, T2, T3, T4, TResult> : Module<T1, T2, T3, T4, TResult>
{
    /// <summary>Creates the loss with a reduction.</summary>
    protected Loss(string name, Reduction reduction) : base(name)
    {
        Validate.Reduction(name, reduction, allowBatchMean: false);
        this.reduction = reduction;
    }

    /// <summary>How per-sample losses are combined.</summary>
    public Reduction reduction { get; }

    /// <summary>The loss's name and options.</summary>
    public override string ToString() => $"{GetName()}(reduction={reduction})";
}

/// <summary>
/// A loss with optional per-class (or per-element) weights. The loss owns a private reference to the weight tensor
/// (the caller may dispose its own), released when the loss is disposed.
/// </summary>
public abstract class WeightedLoss<T1, T2, TResult> : Loss<T1, T2, TResult>
{
    /// <summary>Creates the loss with weights (null: no weighting) and a reduction.</summary>
    protected WeightedLoss(string name, Tensor? weight, Reduction reduction) : base(name, reduction)
    {
        if (weight is not null)
        {
            Validate.Alive(name, weight, nameof(weight));
            // A detached alias: the module keeps the weights alive and no gradient flows into them.
            this.weight = weight.detach().DetachFromDisposeScope();
            register_buffer(nameof(weight), this.weight);
        }
    }

    /// <summary>The weights, or null.</summary>
    public Tensor? weight { get; }
}
