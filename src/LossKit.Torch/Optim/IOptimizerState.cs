namespace LossKit.Torch.Modules;

/// <summary>The per-parameter state of an optimizer (moment buffers and the like), which the optimizer owns.</summary>
internal interface IOptimizerState : IDisposable
{
    /// <summary>The state tensors created so far.</summary>
    IEnumerable<torch.Tensor> Tensors { get; }
}
