using LossKit.Torch.Interop;
using static LossKit.Torch.Interop.NativeMethods;

namespace LossKit.Torch;

public static partial class torch
{
    public partial class Tensor
    {
        /// <summary>The same data with another shape (a view when possible, else a copy); one size may be -1.</summary>
        public unsafe Tensor reshape(params long[] shape)
        {
            fixed (long* s = shape) return From(lk_reshape(NativeHandle, s, shape.Length));
        }

        /// <summary>A view with another shape (the tensor must be viewable so: see <see cref="contiguous"/>); one size may be -1.</summary>
        public unsafe Tensor view(params long[] shape)
        {
            fixed (long* s = shape) return From(lk_view(NativeHandle, s, shape.Length));
        }

        /// <summary>A view with the shape of <paramref name="other"/>.</summary>
        public Tensor view_as(Tensor other) => view(other.shape);

        /// <summary>Flattens dimensions <paramref name="start_dim"/> to <paramref name="end_dim"/> into one.</summary>
        public Tensor flatten(long start_dim = 0, long end_dim = -1) => From(lk_flatten(NativeHandle, start_dim, end_dim));

        /// <summary>Inserts a dimension of size 1 at <paramref name="dim"/>.</summary>
        public Tensor unsqueeze(long dim) => From(lk_unsqueeze(NativeHandle, dim));

        /// <summary>Removes dimension <paramref name="dim"/> if it has size 1, or every size-1 dimension when null.</summary>
        public Tensor squeeze(long? dim = null) =>
            dim is null ? From(lk_squeeze(NativeHandle)) : From(lk_squeeze_dim(NativeHandle, dim.Value));

        /// <summary>Swaps two dimensions (a view).</summary>
        public Tensor transpose(long dim0, long dim1) => From(lk_transpose(NativeHandle, dim0, dim1));

        /// <summary>Transpose of a 2-D tensor (a view).</summary>
        public Tensor t() => transpose(0, 1);

        /// <summary>Reorders the dimensions (a view).</summary>
        public unsafe Tensor permute(params long[] permutation)
        {
            fixed (long* p = permutation) return From(lk_permute(NativeHandle, p, permutation.Length));
        }

        /// <summary>Broadcasts size-1 dimensions to the given sizes without copying (-1 keeps a size).</summary>
        public unsafe Tensor expand(params long[] sizes)
        {
            fixed (long* s = sizes) return From(lk_expand(NativeHandle, s, sizes.Length));
        }

        /// <summary>Broadcasts to the shape of <paramref name="other"/>.</summary>
        public Tensor expand_as(Tensor other) => expand(other.shape);

        /// <summary>Repeats the tensor along each dimension (a copy).</summary>
        public unsafe Tensor repeat(params long[] sizes)
        {
            fixed (long* s = sizes) return From(lk_repeat(NativeHandle, s, sizes.Length));
        }

        /// <summary>The slice [start, start + length) of dimension <paramref name="dim"/> (a view).</summary>
        public Tensor narrow(long dim, long start, long length) => From(lk_narrow(NativeHandle, dim, start, length));

        /// <summary>The slice [start, finish) with a step along <paramref name="dim"/> (a view).</summary>
        public Tensor slice(long dim, long start, long finish, long step = 1) =>
            index(Enumerable.Repeat(TensorIndex.Colon, (int)(dim < 0 ? dim + this.dim() : dim)).Append(TensorIndex.Slice(start, finish, step)).ToArray());

        /// <summary>Index <paramref name="index"/> of dimension <paramref name="dim"/>, which is removed (a view).</summary>
        public Tensor select(long dim, long index) => From(lk_select(NativeHandle, dim, index));

        /// <summary>Elements at <paramref name="index"/> (int64, 1-D) along <paramref name="dim"/>.</summary>
        public Tensor index_select(long dim, Tensor index) => From(lk_index_select(NativeHandle, dim, index.NativeHandle));

        /// <summary>out[i][j] = this[index[i][j]][j] (for dim 0), and so on: values picked along <paramref name="dim"/>.</summary>
        public Tensor gather(long dim, Tensor index) => From(lk_gather(NativeHandle, dim, index.NativeHandle));

        /// <summary>A copy with values of <paramref name="src"/> written at <paramref name="index"/> along <paramref name="dim"/>.</summary>
        public Tensor scatter(long dim, Tensor index, Tensor src) => From(lk_scatter(NativeHandle, dim, index.NativeHandle, src.NativeHandle));

        /// <summary>A copy with <paramref name="value"/> written at <paramref name="index"/> along <paramref name="dim"/>.</summary>
        public Tensor scatter(long dim, Tensor index, Scalar value) => From(lk_scatter_scalar(NativeHandle, dim, index.NativeHandle, value.Value));

        /// <summary>A copy with values of <paramref name="src"/> added at <paramref name="index"/> along <paramref name="dim"/>.</summary>
        public Tensor scatter_add(long dim, Tensor index, Tensor src) => From(lk_scatter_add(NativeHandle, dim, index.NativeHandle, src.NativeHandle));

        /// <summary>The elements where <paramref name="mask"/> (bool) is true, as a 1-D tensor.</summary>
        public Tensor masked_select(Tensor mask) => From(lk_masked_select(NativeHandle, mask.NativeHandle));
    }

    private static unsafe Tensor Join(IEnumerable<Tensor> tensors, long dim, bool stack)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors as IList<Tensor> ?? tensors.ToList();
        if (list.Count == 0) throw new ArgumentException($"{(stack ? "stack" : "cat")}: expected a non-empty list of tensors.", nameof(tensors));
        var handles = new TensorHandle[list.Count];
        var raw = new IntPtr[list.Count];
        var added = 0;
        try
        {
            for (; added < list.Count; added++)
            {
                handles[added] = list[added].NativeHandle;
                var ok = false;
                handles[added].DangerousAddRef(ref ok);
                raw[added] = handles[added].DangerousGetHandle();
            }
            fixed (IntPtr* r = raw)
                return stack ? Tensor.From(lk_stack(r, list.Count, dim), "stack") : Tensor.From(lk_cat(r, list.Count, dim), "cat");
        }
        finally
        {
            for (var i = 0; i < added; i++) handles[i].DangerousRelease();
        }
    }

    /// <summary>Concatenates tensors along an existing dimension.</summary>
    public static Tensor cat(IList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: false);

    /// <summary>Concatenates tensors along an existing dimension.</summary>
    public static Tensor concatenate(IList<Tensor> tensors, long axis = 0) => Join(tensors, axis, stack: false);

    /// <summary>Stacks tensors of equal shape along a new dimension.</summary>
    public static Tensor stack(IEnumerable<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: true);

    /// <summary>Reshapes <paramref name="input"/>.</summary>
    public static Tensor reshape(Tensor input, params long[] shape) => input.reshape(shape);
    /// <summary>Flattens dimensions of <paramref name="input"/>.</summary>
    public static Tensor flatten(Tensor input, long start_dim = 0, long end_dim = -1) => input.flatten(start_dim, end_dim);
    /// <summary>Inserts a dimension of size 1.</summary>
    public static Tensor unsqueeze(Tensor input, long dim) => input.unsqueeze(dim);
    /// <summary>Removes size-1 dimensions.</summary>
    public static Tensor squeeze(Tensor input, long? dim = null) => input.squeeze(dim);
    /// <summary>Swaps two dimensions.</summary>
    public static Tensor transpose(Tensor input, long dim0, long dim1) => input.transpose(dim0, dim1);
    /// <summary>Reorders dimensions.</summary>
    public static Tensor permute(Tensor input, params long[] permutation) => input.permute(permutation);
    /// <summary>A slice along a dimension.</summary>
    public static Tensor narrow(Tensor input, long dim, long start, long length) => input.narrow(dim, start, length);
    /// <summary>Values picked along a dimension.</summary>
    public static Tensor gather(Tensor input, long dim, Tensor index) => input.gather(dim, index);
    /// <summary>Elements at indices along a dimension.</summary>
    public static Tensor index_select(Tensor input, long dim, Tensor index) => input.index_select(dim, index);
    /// <summary>Values of src written at indices.</summary>
    public static Tensor scatter(Tensor input, long dim, Tensor index, Tensor src) => input.scatter(dim, index, src);
    /// <summary>Values of src added at indices.</summary>
    public static Tensor scatter_add(Tensor input, long dim, Tensor index, Tensor src) => input.scatter_add(dim, index, src);
    /// <summary>A copy with a value where the mask is true.</summary>
    public static Tensor masked_fill(Tensor input, Tensor mask, Scalar value) => input.masked_fill(mask, value);
    /// <summary>A copy of the tensor.</summary>
    public static Tensor clone(Tensor input) => input.clone();
}
