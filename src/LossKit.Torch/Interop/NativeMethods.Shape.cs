using System.Runtime.InteropServices;

namespace LossKit.Torch.Interop;

// ops_shape.cpp: views, reshaping, joining, indexing, conversion.
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial TensorHandle lk_reshape(TensorHandle a, long* shape, int ndim);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_view(TensorHandle a, long* shape, int ndim);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_flatten(TensorHandle a, long startDim, long endDim);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_unsqueeze(TensorHandle a, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_squeeze(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_squeeze_dim(TensorHandle a, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_transpose(TensorHandle a, long dim0, long dim1);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_permute(TensorHandle a, long* dims, int ndims);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_contiguous(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_expand(TensorHandle a, long* shape, int ndim);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_repeat(TensorHandle a, long* repeats, int ndim);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_cat(IntPtr* tensors, int count, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_stack(IntPtr* tensors, int count, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_narrow(TensorHandle a, long dim, long start, long length);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_select(TensorHandle a, long dim, long index);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_index_get(TensorHandle a, NativeIndex* indices, int count);
    [LibraryImport(Lib)] internal static partial int lk_index_put_(TensorHandle a, NativeIndex* indices, int count, TensorHandle value);
    [LibraryImport(Lib)] internal static partial int lk_index_put_scalar_(TensorHandle a, NativeIndex* indices, int count, NativeScalar value);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_index_select(TensorHandle a, long dim, TensorHandle index);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_gather(TensorHandle a, long dim, TensorHandle index);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_scatter(TensorHandle a, long dim, TensorHandle index, TensorHandle src);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_scatter_scalar(TensorHandle a, long dim, TensorHandle index, NativeScalar value);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_scatter_add(TensorHandle a, long dim, TensorHandle index, TensorHandle src);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_one_hot(TensorHandle a, long numClasses);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_masked_select(TensorHandle a, TensorHandle mask);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_clone(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_detach(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle lk_to(TensorHandle a, int dtype, int deviceType, int deviceIndex, int copy);
}
