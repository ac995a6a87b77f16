using System.Collections;

namespace LossKit.Torch.Utils;

/// <summary>
/// The values of a tensor as returned by <see cref="torch.Tensor.data{T}"/>: a read-only copy in row-major order,
/// indexed by flat position or by one index per dimension.
/// </summary>
/// <remarks>
/// Unlike TorchSharp's accessor, which reads CPU memory in place, this one holds a snapshot taken when it was created:
/// later changes to the tensor are not seen, and the tensor cannot be written through it (use indexing and
/// <c>index_put_</c>, or create a new tensor). In exchange it works for tensors on any device and in any layout.
/// </remarks>
public sealed class TensorAccessor<T> : IReadOnlyList<T>, IDisposable where T : unmanaged
{
    private readonly T[] _values;
    private readonly long[] _shape;

    internal TensorAccessor(T[] values, long[] shape)
    {
        _values = values;
        _shape = shape;
    }

    /// <summary>Number of elements.</summary>
    public long Count => _values.LongLength;

    int IReadOnlyCollection<T>.Count => _values.Length;

    /// <summary>The element at a flat row-major position.</summary>
    T IReadOnlyList<T>.this[int index] => _values[index];

    /// <summary>One index: the flat row-major position. Several: one index per dimension (negative counts from the end).</summary>
    public T this[params long[] indices]
    {
        get
        {
            if (indices.Length == 1) return _values[indices[0]];
            if (indices.Length != _shape.Length)
                throw new ArgumentException($"{indices.Length} indices given for a tensor with {_shape.Length} dimensions.", nameof(indices));
            long flat = 0;
            for (var d = 0; d < _shape.Length; d++)
            {
                var i = indices[d] < 0 ? indices[d] + _shape[d] : indices[d];
                if (i < 0 || i >= _shape[d]) throw new IndexOutOfRangeException($"Index {indices[d]} is out of range for dimension {d} of size {_shape[d]}.");
                flat = flat * _shape[d] + i;
            }
            return _values[flat];
        }
    }

    /// <summary>The values as a new array (row-major).</summary>
    public T[] ToArray() => (T[])_values.Clone();

    /// <summary>Copies the values into <paramref name="array"/> starting at <paramref name="arrayIndex"/>.</summary>
    public void CopyTo(T[] array, int arrayIndex = 0) => _values.CopyTo(array, arrayIndex);

    /// <summary>Copies the values into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<T> destination) => _values.CopyTo(destination);

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _values.GetEnumerator();

    /// <summary>Does nothing: the snapshot is managed memory.</summary>
    public void Dispose() { }
}
