namespace LossKit.Torch.Modules;

using static torch;

/// <summary>
/// y = x Wᵀ + b. Input (*, in_features), output (*, out_features). Weight and bias are initialised as PyTorch does
/// (U(-1/√in, 1/√in), through kaiming_uniform_ with a = √5), so the same seed gives the same initial weights.
/// </summary>
public sealed class Linear : nn.Module<Tensor, Tensor>
{
    /// <summary>The weight, shape (out_features, in_features).</summary>
    public Parameter weight { get; }

    /// <summary>The bias, shape (out_features), or null.</summary>
    public Parameter? bias { get; }

    /// <summary>Size of each input sample.</summary>
    public long in_features { get; }

    /// <summary>Size of each output sample.</summary>
    public long out_features { get; }

    internal Linear(long inputSize, long outputSize, bool hasBias, Device? device, ScalarType? dtype) : base(nameof(Linear))
    {
        if (inputSize < 0) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "Linear: in_features must be >= 0.");
        if (outputSize < 0) throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, "Linear: out_features must be >= 0.");
        if (dtype is { } dt && !is_floating_point(dt)) throw new ArgumentException($"Linear: dtype must be floating point, not {dt}.", nameof(dtype));
        in_features = inputSize;
        out_features = outputSize;
        using (var w = empty([outputSize, inputSize], dtype, device))
            weight = new Parameter(w);
        if (hasBias)
        {
            using var b = empty([outputSize], dtype, device);
            bias = new Parameter(b);
        }
        reset_parameters();
        register_parameter(nameof(weight), weight);
        register_parameter(nameof(bias), bias);
    }

    /// <summary>Re-draws weight and bias as at construction (PyTorch's reset_parameters).</summary>
    public void reset_parameters()
    {
        nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
        if (bias is not null)
        {
            var fanIn = in_features;
            var bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
            nn.init.uniform_(bias, -bound, bound);
        }
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => nn.functional.linear(input, weight, bias);
}
