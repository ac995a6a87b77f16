using System.Runtime.InteropServices;

namespace LossKit.Torch.Interop;

// autograd.cpp and nn.cpp.
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int lk_backward(TensorHandle t, TensorHandle gradient, int retainGraph, int createGraph);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial TensorHandle lk_check_finite(TensorHandle tensor, string loss, string argument);
    [LibraryImport(Lib)] internal static partial int lk_autograd_grad(IntPtr* outputs, int nOutputs, IntPtr* inputs, int nInputs, IntPtr* gradOutputs, int retainGraph, int createGraph, int allowUnused, IntPtr* results);

    [LibraryImport(Lib)] internal static partial TensorHandle lk_linear(TensorHandle input, TensorHandle weight, TensorHandle bias);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_dropout(TensorHandle input, double p, int train);
}
