using LossKit.Torch.Interop;
using static LossKit.Torch.Interop.NativeMethods;

namespace LossKit.Torch;

public static partial class torch
{
    public partial class Tensor
    {
        private static int DType(ScalarType? type) => type is null ? -1 : (int)type.Value;

        private unsafe Tensor ReduceDims(ReadOnlySpan<long> dims, bool keepdim, ScalarType? type, bool mean, string operation)
        {
            fixed (long* d = dims)
                return From(mean
                    ? lk_mean_dims(NativeHandle, d, dims.Length, keepdim ? 1 : 0, DType(type))
                    : lk_sum_dims(NativeHandle, d, dims.Length, keepdim ? 1 : 0, DType(type)), operation);
        }

        /// <summary>Sum of all elements (a 0-D tensor). Integer inputs sum in int64 unless <paramref name="type"/> says otherwise.</summary>
        public Tensor sum(ScalarType? type = null) => From(lk_sum(NativeHandle, DType(type)));
        /// <summary>Sum over <paramref name="dim"/>.</summary>
        public Tensor sum(long dim, bool keepdim = false, ScalarType? type = null) => ReduceDims([dim], keepdim, type, false, "sum");
        /// <summary>Sum over <paramref name="dim"/>.</summary>
        /// <remarks>Exists so that <c>t.sum(0)</c> reduces over dimension 0: without it, C# converts the literal 0 to the
        /// enum value <see cref="ScalarType.Byte"/> and binds <see cref="sum(ScalarType?)"/>, summing everything as uint8.</remarks>
        public Tensor sum(int dim, bool keepdim = false, ScalarType? type = null) => ReduceDims([dim], keepdim, type, false, "sum");
        /// <summary>Sum over the given dimensions.</summary>
        public Tensor sum(long[] dim, bool keepdim = false, ScalarType? type = null) => ReduceDims(dim, keepdim, type, false, "sum");
        /// <summary>Sum over the given dimensions.</summary>
        public Tensor sum(ReadOnlySpan<long> dim, bool keepdim = false, ScalarType? type = null) => ReduceDims(dim, keepdim, type, false, "sum");
        /// <summary>Sum over two dimensions.</summary>
        public Tensor sum(long dim0, long dim1, bool keepdim = false, ScalarType? type = null) => ReduceDims([dim0, dim1], keepdim, type, false, "sum");

        /// <summary>Mean of all elements (floating dtypes; an empty tensor gives NaN).</summary>
        public Tensor mean() => From(lk_mean(NativeHandle, -1));
        /// <summary>Mean of all elements, computed in <paramref name="type"/>.</summary>
        public Tensor mean(ScalarType type) => From(lk_mean(NativeHandle, (int)type));
        /// <summary>Mean over <paramref name="dim"/>.</summary>
        public Tensor mean(long dim, bool keepdim = false, ScalarType? type = null) => ReduceDims([dim], keepdim, type, true, "mean");
        /// <summary>Mean over <paramref name="dim"/>.</summary>
        /// <remarks>Exists so that <c>t.mean(0)</c> reduces over dimension 0 instead of binding <see cref="mean(ScalarType)"/>
        /// with the enum value 0 (<see cref="ScalarType.Byte"/>).</remarks>
        public Tensor mean(int dim, bool keepdim = false, ScalarType? type = null) => ReduceDims([dim], keepdim, type, true, "mean");
        /// <summary>Mean over the given dimensions.</summary>
        public Tensor mean(long[] dimensions, bool keepdim = false, ScalarType? type = null) => ReduceDims(dimensions, keepdim, type, true, "mean");

        /// <summary>Largest element (NaN if any element is NaN).</summary>
        public Tensor max() => From(lk_max_all(NativeHandle));
        /// <summary>Smallest element (NaN if any element is NaN).</summary>
        public Tensor min() => From(lk_min_all(NativeHandle));

        /// <summary>Largest values along <paramref name="dim"/> and their indices.</summary>
        public (Tensor values, Tensor indexes) max(long dim, bool keepdim = false)
        {
            NativeError.Check(lk_max_dim(NativeHandle, dim, keepdim ? 1 : 0, out var v, out var i));
            return (new Tensor(new TensorHandle(v)), new Tensor(new TensorHandle(i)));
        }

        /// <summary>Smallest values along <paramref name="dim"/> and their indices.</summary>
        public (Tensor values, Tensor indexes) min(long dim, bool keepdim = false)
        {
            NativeError.Check(lk_min_dim(NativeHandle, dim, keepdim ? 1 : 0, out var v, out var i));
            return (new Tensor(new TensorHandle(v)), new Tensor(new TensorHandle(i)));
        }

        /// <summary>Flat index of the largest element.</summary>
        public Tensor argmax() => From(lk_argmax(NativeHandle));
        /// <summary>Index of the largest element along <paramref name="dim"/>.</summary>
        public Tensor argmax(long dim, bool keepdim = false) => From(lk_argmax_dim(NativeHandle, dim, keepdim ? 1 : 0));
        /// <summary>Flat index of the smallest element.</summary>
        public Tensor argmin() => From(lk_argmin(NativeHandle));
        /// <summary>Index of the smallest element along <paramref name="dim"/>.</summary>
        public Tensor argmin(long dim, bool keepdim = false) => From(lk_argmin_dim(NativeHandle, dim, keepdim ? 1 : 0));

        /// <summary>log(sum(exp(x))) over <paramref name="dim"/>, computed stably.</summary>
        public Tensor logsumexp(long dim, bool keepdim = false) => logsumexp([dim], keepdim);

        /// <summary>log(sum(exp(x))) over the given dimensions, computed stably.</summary>
        public unsafe Tensor logsumexp(long[] dims, bool keepdim = false)
        {
            fixed (long* d = dims) return From(lk_logsumexp(NativeHandle, d, dims.Length, keepdim ? 1 : 0));
        }

        /// <summary>exp(x) / sum(exp(x)) along <paramref name="dim"/>, computed stably.</summary>
        public Tensor softmax(long dim, ScalarType? dtype = null) => From(lk_softmax(NativeHandle, dim, DType(dtype)));
        /// <summary>x - logsumexp(x) along <paramref name="dim"/>, computed stably.</summary>
        public Tensor log_softmax(long dim, ScalarType? dtype = null) => From(lk_log_softmax(NativeHandle, dim, DType(dtype)));
        /// <summary>Cumulative sum along <paramref name="dim"/>.</summary>
        public Tensor cumsum(long dim, ScalarType? type = null) => From(lk_cumsum(NativeHandle, dim, DType(type)));
        /// <summary>True (a 0-D bool tensor) when every element is non-zero.</summary>
        public Tensor all() => From(lk_all(NativeHandle));
        /// <summary>True (a 0-D bool tensor) when any element is non-zero.</summary>
        public Tensor any() => From(lk_any(NativeHandle));
    }

    /// <summary>Sum of all elements.</summary>
    public static Tensor sum(Tensor input, ScalarType? type = null) => input.sum(type);
    /// <summary>Sum over <paramref name="dim"/>.</summary>
    public static Tensor sum(Tensor input, long dim, bool keepdim = false, ScalarType? type = null) => input.sum(dim, keepdim, type);
    /// <summary>Sum over <paramref name="dim"/> (so that <c>torch.sum(t, 0)</c> does not bind the dtype overload with ScalarType.Byte).</summary>
    public static Tensor sum(Tensor input, int dim, bool keepdim = false, ScalarType? type = null) => input.sum(dim, keepdim, type);
    /// <summary>Mean of all elements.</summary>
    public static Tensor mean(Tensor input) => input.mean();
    /// <summary>log(sum(exp(x))) over <paramref name="dim"/>.</summary>
    public static Tensor logsumexp(Tensor input, long dim, bool keepdim = false) => input.logsumexp(dim, keepdim);
    /// <summary>Softmax along <paramref name="dim"/>.</summary>
    public static Tensor softmax(Tensor input, long dim, ScalarType? dtype = null) => input.softmax(dim, dtype);
    /// <summary>Log-softmax along <paramref name="dim"/>.</summary>
    public static Tensor log_softmax(Tensor input, long dim, ScalarType? dtype = null) => input.log_softmax(dim, dtype);
    /// <summary>Index of the largest element along <paramref name="dim"/>.</summary>
    public static Tensor argmax(Tensor input, long dim, bool keepdim = false) => input.argmax(dim, keepdim);
}
