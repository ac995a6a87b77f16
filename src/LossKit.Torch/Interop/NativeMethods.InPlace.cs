using System.Runtime.InteropServices;

namespace LossKit.Torch.Interop;

// ops_inplace.cpp: in-place updates (status results).
internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int lk_add_(TensorHandle a, TensorHandle b, NativeScalar alpha);
    [LibraryImport(Lib)] internal static partial int lk_add_scalar_(TensorHandle a, NativeScalar b, NativeScalar alpha);
    [LibraryImport(Lib)] internal static partial int lk_sub_(TensorHandle a, TensorHandle b, NativeScalar alpha);
    [LibraryImport(Lib)] internal static partial int lk_sub_scalar_(TensorHandle a, NativeScalar b, NativeScalar alpha);
    [LibraryImport(Lib)] internal static partial int lk_mul_(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial int lk_mul_scalar_(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial int lk_div_(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial int lk_div_scalar_(TensorHandle a, NativeScalar b);
    [LibraryImport(Lib)] internal static partial int lk_addcmul_(TensorHandle a, TensorHandle t1, TensorHandle t2, NativeScalar value);
    [LibraryImport(Lib)] internal static partial int lk_addcdiv_(TensorHandle a, TensorHandle t1, TensorHandle t2, NativeScalar value);
    [LibraryImport(Lib)] internal static partial int lk_copy_(TensorHandle a, TensorHandle src);
    [LibraryImport(Lib)] internal static partial int lk_zero_(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int lk_fill_(TensorHandle a, NativeScalar value);
    [LibraryImport(Lib)] internal static partial int lk_clamp_(TensorHandle a, NativeScalar* min, NativeScalar* max);
    [LibraryImport(Lib)] internal static partial int lk_sqrt_(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int lk_neg_(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int lk_maximum_(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial int lk_masked_fill_(TensorHandle a, TensorHandle mask, NativeScalar value);
    [LibraryImport(Lib)] internal static partial int lk_uniform_(TensorHandle a, double from, double to);
    [LibraryImport(Lib)] internal static partial int lk_normal_(TensorHandle a, double mean, double std);
}
