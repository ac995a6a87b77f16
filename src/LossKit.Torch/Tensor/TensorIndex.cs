using LossKit.Torch.Interop;

namespace LossKit.Torch;

public static partial class torch
{
    /// <summary>
    /// One entry of an index expression <c>t[...]</c>: an integer, a slice, an ellipsis, a new axis, a bool, or an
    /// index/mask tensor. Converts implicitly from <see cref="long"/>, <see cref="System.Range"/> and tensors, so
    /// <c>t[0, 1..3]</c>, <c>t[TensorIndex.Ellipsis, 0]</c> and <c>t[mask]</c> work as in TorchSharp.
    /// </summary>
    public readonly struct TensorIndex
    {
        internal readonly int Kind;
        internal readonly long Start;
        internal readonly long Stop;
        internal readonly long Step;
        internal readonly Tensor? IndexTensor;

        private TensorIndex(int kind, long start = NativeIndex.NoneValue, long stop = NativeIndex.NoneValue, long step = NativeIndex.NoneValue, Tensor? tensor = null)
        {
            Kind = kind;
            Start = start;
            Stop = stop;
            Step = step;
            IndexTensor = tensor;
        }

        /// <summary>A single position; the dimension is removed. Negative counts from the end.</summary>
        public static TensorIndex Single(long index) => new(NativeIndex.Single, index);

        /// <summary>start:stop:step; omitted bounds mean the whole extent.</summary>
        public static TensorIndex Slice(long? start = null, long? stop = null, long? step = null)
        {
            if (step == 0) throw new ArgumentException("A slice step cannot be zero.", nameof(step));
            return new(NativeIndex.Slice, start ?? NativeIndex.NoneValue, stop ?? NativeIndex.NoneValue, step ?? NativeIndex.NoneValue);
        }

        /// <summary>A slice from a C# range (<c>1..3</c>, <c>^2..</c>); from-end indices become negative positions.</summary>
        public static TensorIndex Slice(System.Range range)
        {
            // ^0 is the length: as a start it selects nothing (long.MaxValue, which libtorch clamps to the size), as a
            // stop it means "to the end" (no bound). Other from-end indices are negative positions.
            long? start = range.Start.IsFromEnd ? (range.Start.Value == 0 ? long.MaxValue : -range.Start.Value) : range.Start.Value;
            long? stop = range.End.IsFromEnd ? (range.End.Value == 0 ? null : -range.End.Value) : range.End.Value;
            return Slice(start, stop);
        }

        /// <summary>True adds a dimension of size 1 (and selects it); false adds an empty one.</summary>
        public static TensorIndex Bool(bool value) => new(NativeIndex.Bool, value ? 1 : 0);

        /// <summary>Advanced indexing by an int64 index tensor or a bool mask.</summary>
        public static TensorIndex Tensor(Tensor tensor) => new(NativeIndex.TensorIndex, tensor: tensor ?? throw new ArgumentNullException(nameof(tensor)));

#pragma warning disable CA2211 // mirrors TorchSharp's static fields
        /// <summary>... : as many full slices as needed.</summary>
        public static TensorIndex Ellipsis = new(NativeIndex.Ellipsis);
        /// <summary>None: inserts a dimension of size 1.</summary>
        public static TensorIndex None = new(NativeIndex.NewAxis);
        /// <summary>Alias of <see cref="None"/>.</summary>
        public static TensorIndex Null = new(NativeIndex.NewAxis);
        /// <summary>: (the whole dimension).</summary>
        public static TensorIndex Colon = Slice();
#pragma warning restore CA2211

        /// <summary>A single position.</summary>
        public static implicit operator TensorIndex(long value) => Single(value);
        /// <summary>A slice.</summary>
        public static implicit operator TensorIndex(System.Range range) => Slice(range);
        /// <summary>Advanced indexing by a tensor.</summary>
        public static implicit operator TensorIndex(Tensor tensor) => Tensor(tensor);
    }

    public partial class Tensor
    {
        /// <summary>Indexing as in PyTorch: <c>t[0]</c>, <c>t[1..3, TensorIndex.Ellipsis]</c>, <c>t[mask]</c>.
        /// Setting writes into this tensor in place.</summary>
        [System.Runtime.CompilerServices.IndexerName("TensorItems")]
        public Tensor this[params TensorIndex[] indices]
        {
            get => index(indices);
            set => index_put_(value, indices);
        }

        /// <summary>Selects one position in the first dimension.</summary>
        [System.Runtime.CompilerServices.IndexerName("TensorItems")]
        public Tensor this[long i0]
        {
            get => index(TensorIndex.Single(i0));
            set => index_put_(value, TensorIndex.Single(i0));
        }

        /// <summary>Selects one position in each of the first two dimensions.</summary>
        [System.Runtime.CompilerServices.IndexerName("TensorItems")]
        public Tensor this[long i0, long i1]
        {
            get => index(TensorIndex.Single(i0), TensorIndex.Single(i1));
            set => index_put_(value, TensorIndex.Single(i0), TensorIndex.Single(i1));
        }

        /// <summary>Selects one position in each of the first three dimensions.</summary>
        [System.Runtime.CompilerServices.IndexerName("TensorItems")]
        public Tensor this[long i0, long i1, long i2]
        {
            get => index(TensorIndex.Single(i0), TensorIndex.Single(i1), TensorIndex.Single(i2));
            set => index_put_(value, TensorIndex.Single(i0), TensorIndex.Single(i1), TensorIndex.Single(i2));
        }

        /// <summary>The result of an index expression (a view for integers and slices, a copy for tensors).</summary>
        public unsafe Tensor index(params TensorIndex[] indices)
        {
            var native = ToNative(indices, out var refs);
            try
            {
                fixed (NativeIndex* p = native) return From(NativeMethods.lk_index_get(NativeHandle, p, native.Length));
            }
            finally { Release(refs); }
        }

        /// <summary>Writes <paramref name="value"/> (broadcast) into the indexed part of this tensor; returns this.</summary>
        public unsafe Tensor index_put_(Tensor value, params TensorIndex[] indices)
        {
            var native = ToNative(indices, out var refs);
            try
            {
                fixed (NativeIndex* p = native) NativeError.Check(NativeMethods.lk_index_put_(NativeHandle, p, native.Length, value.NativeHandle));
                return this;
            }
            finally { Release(refs); }
        }

        /// <summary>Writes <paramref name="value"/> into the indexed part of this tensor; returns this.</summary>
        public unsafe Tensor index_put_(Scalar value, params TensorIndex[] indices)
        {
            var native = ToNative(indices, out var refs);
            try
            {
                fixed (NativeIndex* p = native) NativeError.Check(NativeMethods.lk_index_put_scalar_(NativeHandle, p, native.Length, value.Value));
                return this;
            }
            finally { Release(refs); }
        }

        // Index tensors are borrowed by the native call: their handles are add-ref'd for its duration.
        private static NativeIndex[] ToNative(TensorIndex[] indices, out List<TensorHandle>? refs)
        {
            ArgumentNullException.ThrowIfNull(indices);
            refs = null;
            var native = new NativeIndex[indices.Length];
            for (var i = 0; i < indices.Length; i++)
            {
                var ix = indices[i];
                native[i] = new NativeIndex { Kind = ix.Kind, Start = ix.Start, Stop = ix.Stop, Step = ix.Step };
                if (ix.IndexTensor is { } t)
                {
                    var h = t.NativeHandle;
                    var ok = false;
                    h.DangerousAddRef(ref ok);
                    (refs ??= new List<TensorHandle>()).Add(h);
                    native[i].Tensor = h.DangerousGetHandle();
                }
            }
            return native;
        }

        private static void Release(List<TensorHandle>? refs)
        {
            if (refs is null) return;
            foreach (var h in refs) h.DangerousRelease();
        }
    }
}
