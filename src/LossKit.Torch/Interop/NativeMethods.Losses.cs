using System.Runtime.InteropServices;

namespace LossKit.Torch.Interop;

// losses/: libtorch's own loss kernels. An absent weight is passed as TensorHandle.Null.
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial TensorHandle lk_mse_loss(TensorHandle input, TensorHandle target, long reduction);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_l1_loss(TensorHandle input, TensorHandle target, long reduction);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_huber_loss(TensorHandle input, TensorHandle target, long reduction, double delta);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_smooth_l1_loss(TensorHandle input, TensorHandle target, long reduction, double beta);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_nll_loss(TensorHandle input, TensorHandle target, TensorHandle weight, long reduction, long ignoreIndex);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_cross_entropy(TensorHandle input, TensorHandle target, TensorHandle weight, long reduction, long ignoreIndex, double labelSmoothing);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_binary_cross_entropy(TensorHandle input, TensorHandle target, TensorHandle weight, long reduction);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_binary_cross_entropy_with_logits(TensorHandle input, TensorHandle target, TensorHandle weight, TensorHandle posWeight, long reduction);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_kl_div(TensorHandle input, TensorHandle target, long reduction, int logTarget);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_ctc_loss(TensorHandle logProbs, TensorHandle targets, TensorHandle inputLengths, TensorHandle targetLengths, long blank, long reduction, int zeroInfinity);
}
