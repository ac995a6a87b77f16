using System.Runtime.InteropServices;

namespace LossKit.Torch.Interop;

// tensor.cpp: lifetime, metadata, data transfer, creation.
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial void lk_tensor_free(IntPtr t);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_tensor_alias(TensorHandle t);
    [LibraryImport(Lib)] internal static partial long lk_tensor_dim(TensorHandle t);
    [LibraryImport(Lib)] internal static partial long lk_tensor_sizes(TensorHandle t, long* output, int capacity);
    [LibraryImport(Lib)] internal static partial long lk_tensor_numel(TensorHandle t);
    [LibraryImport(Lib)] internal static partial long lk_tensor_data_address(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int lk_tensor_dtype(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int lk_tensor_device(TensorHandle t, out int type, out int index);
    [LibraryImport(Lib)] internal static partial long lk_tensor_storage_nbytes(TensorHandle t);
    // A few loads, no allocation, no exception, no callback into the runtime: safe (and cheap) without a GC transition.
    [LibraryImport(Lib), SuppressGCTransition] internal static partial long lk_tensor_pressure_nbytes(IntPtr t, long minBytes);
    [LibraryImport(Lib)] internal static partial int lk_tensor_is_contiguous(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int lk_tensor_requires_grad(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int lk_tensor_set_requires_grad(TensorHandle t, int requiresGrad);
    [LibraryImport(Lib)] internal static partial int lk_tensor_is_leaf(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int lk_tensor_grad(TensorHandle t, out IntPtr grad);
    [LibraryImport(Lib)] internal static partial int lk_tensor_set_grad(TensorHandle t, TensorHandle grad);
    [LibraryImport(Lib)] internal static partial int lk_tensor_retain_grad(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int lk_tensor_copy_to_buffer(TensorHandle t, void* dst, long nbytes);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_tensor_from_buffer(void* src, long nbytes, int dtype, long* shape, int ndim, int deviceType, int deviceIndex, int requiresGrad);

    [LibraryImport(Lib)] internal static partial TensorHandle lk_empty(long* shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_zeros(long* shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_ones(long* shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_full(long* shape, int ndim, NativeScalar value, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_rand(long* shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_randn(long* shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_randint(long low, long high, long* shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_arange(NativeScalar start, NativeScalar end, NativeScalar step, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_linspace(double start, double end, long steps, int dtype, int deviceType, int deviceIndex, int requiresGrad);
}
