namespace LossKit.Torch.Modules;

using static torch;

/// <summary>Applies its modules one after the other. Submodules are named "0", "1", ... unless names are given.</summary>
public class Sequential : nn.Module<Tensor, Tensor>
{
    private readonly List<nn.Module<Tensor, Tensor>> _layers = new();

    internal Sequential(IEnumerable<(string name, nn.Module<Tensor, Tensor> module)> modules) : base(nameof(Sequential))
    {
        foreach (var (n, m) in modules) append(n, m);
    }

    /// <summary>Appends a module under the next index as its name.</summary>
    public Sequential append(nn.Module<Tensor, Tensor> module) => append(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);

    /// <summary>Appends a module under <paramref name="name"/>.</summary>
    public Sequential append(string name, nn.Module<Tensor, Tensor> module)
    {
        ArgumentNullException.ThrowIfNull(module);
        register_module(name, module);
        _layers.Add(module);
        return this;
    }

    /// <summary>Number of modules.</summary>
    public int Count => _layers.Count;

    /// <summary>The module at <paramref name="index"/>.</summary>
    public nn.Module<Tensor, Tensor> this[int index] => _layers[index];

    /// <summary>Runs each module on the output of the previous one. Intermediate tensors are disposed at once.</summary>
    public override Tensor forward(Tensor input)
    {
        if (_layers.Count == 0) return input.alias();
        var x = _layers[0].call(input);
        for (var i = 1; i < _layers.Count; i++)
        {
            var next = _layers[i].call(x);
            // The intermediate is kept alive by the autograd graph where needed; the managed handle is not. A layer may
            // return its input object itself (an identity): then x is the caller's tensor and must not be disposed.
            if (!ReferenceEquals(next, x) && !ReferenceEquals(x, input)) x.Dispose();
            x = next;
        }
        return x;
    }
}
