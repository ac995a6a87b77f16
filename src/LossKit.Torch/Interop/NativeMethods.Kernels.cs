using System.Runtime.InteropServices;

namespace LossKit.Torch.Interop;

// kernels/: LossKit's fused CPU loss kernels.
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int lk_kernels_capability();
    [LibraryImport(Lib)] internal static partial int lk_kernels_detected_capability();
    [LibraryImport(Lib)] internal static partial int lk_kernels_set_capability(int capability);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_fused_elementwise_loss(TensorHandle input, TensorHandle target, TensorHandle weight, int weightMode, TensorHandle posWeight, int kind, double p0, double p1, long reduction, int checks);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_fused_rowwise_loss(TensorHandle input, TensorHandle target, TensorHandle weight, int kind, double p0, long ignoreIndex, long reduction);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_nll_loss_zero_empty(TensorHandle input, TensorHandle target, TensorHandle weight, long ignoreIndex, long reduction);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_fused_overlap_loss(TensorHandle input, TensorHandle target, double epsilon, long ignoreIndex, int micro, long reduction);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_fused_rmse_loss(TensorHandle input, TensorHandle target, double eps, long reduction);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_fused_ctc_loss(TensorHandle logProbs, TensorHandle targets, TensorHandle inputLengths, TensorHandle targetLengths, long blank, long reduction, int zeroInfinity);
}
