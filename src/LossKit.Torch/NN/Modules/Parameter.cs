using LossKit.Torch.Interop;

namespace LossKit.Torch.Modules;

/// <summary>
/// A tensor that is a trainable part of a module: a leaf that requires grad (unless created with
/// <c>requires_grad: false</c>) and is returned by <see cref="torch.nn.Module.parameters"/>.
/// </summary>
/// <remarks>
/// A parameter shares the data of the tensor it was created from, but holds its own reference: the source tensor
/// can (and should) still be disposed by its owner. Parameters are never placed in dispose scopes; the module that
/// registers them disposes them.
/// </remarks>
public class Parameter : torch.Tensor
{
    /// <summary>Creates a parameter viewing the data of <paramref name="data"/> (detached from any graph).</summary>
    public Parameter(torch.Tensor data, bool requires_grad = true) : base(Make(data, requires_grad), registerInScope: false) { }

    private static TensorHandle Make(torch.Tensor data, bool requiresGrad)
    {
        ArgumentNullException.ThrowIfNull(data);
        var h = NativeError.Check(NativeMethods.lk_detach(data.NativeHandle), "Parameter");
        if (requiresGrad)
        {
            var status = NativeMethods.lk_tensor_set_requires_grad(h, 1);
            if (status != 0)
            {
                h.Dispose();
                NativeError.Check(status, "Parameter");
            }
        }
        return h;
    }
}
