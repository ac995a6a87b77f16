using System.Runtime.InteropServices;

namespace LossKit.Torch.Interop;

// ops_reduce.cpp: reductions and the softmax family.
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial TensorHandle lk_sum(TensorHandle a, int dtype);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_sum_dims(TensorHandle a, long* dims, int ndims, int keepdim, int dtype);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_mean(TensorHandle a, int dtype);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_mean_dims(TensorHandle a, long* dims, int ndims, int keepdim, int dtype);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_max_all(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_min_all(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int lk_max_dim(TensorHandle a, long dim, int keepdim, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int lk_min_dim(TensorHandle a, long dim, int keepdim, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_argmax(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_argmax_dim(TensorHandle a, long dim, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_argmin(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_argmin_dim(TensorHandle a, long dim, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_logsumexp(TensorHandle a, long* dims, int ndims, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_softmax(TensorHandle a, long dim, int dtype);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_log_softmax(TensorHandle a, long dim, int dtype);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_all(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_any(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_cumsum(TensorHandle a, long dim, int dtype);
    [LibraryImport(Lib)] internal static partial int lk_allclose(TensorHandle a, TensorHandle b, double rtol, double atol, int equalNan, out int result);
    [LibraryImport(Lib)] internal static partial int lk_equal(TensorHandle a, TensorHandle b, out int result);
}
