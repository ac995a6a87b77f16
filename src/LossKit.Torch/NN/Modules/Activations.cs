namespace LossKit.Torch.Modules;

using static torch;

/// <summary>max(x, 0), element-wise.</summary>
public sealed class ReLU : nn.Module<Tensor, Tensor>
{
    internal ReLU() : base(nameof(ReLU)) { }
    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => input.relu();
}

/// <summary>1 / (1 + e^-x), element-wise.</summary>
public sealed class Sigmoid : nn.Module<Tensor, Tensor>
{
    internal Sigmoid() : base(nameof(Sigmoid)) { }
    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => input.sigmoid();
}

/// <summary>tanh(x), element-wise.</summary>
public sealed class Tanh : nn.Module<Tensor, Tensor>
{
    internal Tanh() : base(nameof(Tanh)) { }
    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => input.tanh();
}

/// <summary>Softmax along a dimension.</summary>
public sealed class Softmax : nn.Module<Tensor, Tensor>
{
    internal Softmax(long dim) : base(nameof(Softmax)) => this.dim = dim;
    /// <summary>The dimension that sums to 1.</summary>
    public long dim { get; }
    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => input.softmax(dim);
}

/// <summary>Log-softmax along a dimension.</summary>
public sealed class LogSoftmax : nn.Module<Tensor, Tensor>
{
    internal LogSoftmax(long dim) : base(nameof(LogSoftmax)) => this.dim = dim;
    /// <summary>The dimension normalised over.</summary>
    public long dim { get; }
    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => input.log_softmax(dim);
}

/// <summary>
/// In training mode, zeroes each element with probability p and scales the rest by 1 / (1 - p); in eval mode,
/// the identity. Draws from the global generator (<see cref="torch.manual_seed"/>).
/// </summary>
public sealed class Dropout : nn.Module<Tensor, Tensor>
{
    internal Dropout(double p) : base(nameof(Dropout))
    {
        if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout: p must be in [0, 1].");
        this.p = p;
    }
    /// <summary>The probability of zeroing an element.</summary>
    public double p { get; }
    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => nn.functional.dropout(input, p, training);
}
