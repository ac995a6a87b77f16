using LossKit.Torch.Modules;
using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests.Optim;

/// <summary>Small helpers for hand-written optimizer tests.</summary>
internal static class P
{
    /// <summary>A float64 parameter holding <paramref name="values"/> (the caller disposes it).</summary>
    public static Parameter Make(params double[] values)
    {
        using var data = tensor(values);
        return new Parameter(data);
    }

    /// <summary>Accumulates the gradient <paramref name="g"/> into <paramref name="p"/> by backward of the linear loss Σ g·p.</summary>
    public static void Backward(Parameter p, params double[] g)
    {
        using var scope = NewDisposeScope();
        (tensor(g) * p).sum().backward();
    }

    /// <summary>The values of <paramref name="p"/>.</summary>
    public static double[] Values(Tensor p) => p.ToArray<double>();

    /// <summary>The gradient of <paramref name="p"/>, or null.</summary>
    public static double[]? Grad(Tensor p)
    {
        using var g = p.grad;
        return g?.ToArray<double>();
    }
}
