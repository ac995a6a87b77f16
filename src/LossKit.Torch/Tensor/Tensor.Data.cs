using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LossKit.Torch.Interop;
using LossKit.Torch.Utils;

namespace LossKit.Torch;

public static partial class torch
{
    public partial class Tensor
    {
        /// <summary>
        /// The values of the tensor, in row-major order, as a read-only accessor over a copy taken now (from any device,
        /// any layout). <typeparamref name="T"/> must match <see cref="dtype"/> (float for Float32, double for Float64,
        /// long for Int64, int for Int32, bool for Bool).
        /// </summary>
        /// <exception cref="ArgumentException"><typeparamref name="T"/> does not match the tensor's dtype.</exception>
        public TensorAccessor<T> data<T>() where T : unmanaged => new(CopyToArray<T>(), shape);

        /// <summary>The values of the tensor as a new array in row-major order (see <see cref="data{T}"/>).</summary>
        public T[] ToArray<T>() where T : unmanaged => CopyToArray<T>();

        /// <summary>The value of a one-element tensor.</summary>
        /// <exception cref="InvalidOperationException">The tensor has more or fewer than one element.</exception>
        public T item<T>() where T : unmanaged
        {
            var n = numel();
            if (n != 1)
                throw new InvalidOperationException($"item<{typeof(T).Name}>() needs a tensor with exactly one element; this one has shape {FormatShape(shape)} ({n} elements).");
            return CopyToArray<T>()[0];
        }

        private unsafe T[] CopyToArray<T>() where T : unmanaged
        {
            var h = NativeHandle;
            var expected = ScalarTypeOf<T>();
            var actual = dtype;
            if (expected != actual)
                throw new ArgumentException($"The tensor has dtype {actual}, so its values cannot be read as {typeof(T).Name} (that needs dtype {expected}). Convert it first, e.g. tensor.to(ScalarType.{expected}).");
            var result = new T[numel()];
            fixed (T* p = result)
                NativeError.Check(NativeMethods.lk_tensor_copy_to_buffer(h, p, (long)result.Length * sizeof(T)), "data");
            return result;
        }

        /// <summary>Reads a one-element tensor as a float (any numeric dtype).</summary>
        public static explicit operator float(Tensor value) => (float)value.ToDouble();

        /// <summary>Reads a one-element tensor as a double (any numeric dtype).</summary>
        public static explicit operator double(Tensor value) => value.ToDouble();

        /// <summary>Reads a one-element tensor as a long (any integral dtype).</summary>
        public static explicit operator long(Tensor value) => value.to(ScalarType.Int64).DisposeAfter(t => t.item<long>());

        /// <summary>Reads a one-element tensor as a bool.</summary>
        public static explicit operator bool(Tensor value) => value.to(ScalarType.Bool).DisposeAfter(t => t.item<bool>());

        /// <summary>The value of a one-element tensor of any numeric dtype, as a double.</summary>
        public double ToDouble() => dtype == ScalarType.Float64 ? item<double>() : to(ScalarType.Float64).DisposeAfter(t => t.item<double>());

        private TResult DisposeAfter<TResult>(Func<Tensor, TResult> read)
        {
            try { return read(this); }
            finally { Dispose(); }
        }
    }

    // ----- creation from .NET data ---------------------------------------------------------------------

    private static unsafe Tensor FromSpan<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> dimensions, ScalarType? dtype, Device? device, bool requires_grad)
        where T : unmanaged
    {
        long count = 1;
        foreach (var d in dimensions)
        {
            if (d < 0) throw new ArgumentException($"tensor: negative dimension in shape {Tensor.FormatShape(dimensions.ToArray())}.", nameof(dimensions));
            count *= d;
        }
        if (count != data.Length)
            throw new ArgumentException($"tensor: {data.Length} values given for shape {Tensor.FormatShape(dimensions.ToArray())}, which holds {count}.", nameof(data));
        var source = ScalarTypeOf<T>();
        var dev = device ?? CPU;
        Tensor result;
        fixed (T* p = data)
        fixed (long* s = dimensions)
            result = Tensor.From(NativeMethods.lk_tensor_from_buffer(p, (long)data.Length * sizeof(T), (int)source, s, dimensions.Length,
                (int)dev.type, dev.index, dtype is null || dtype == source ? (requires_grad ? 1 : 0) : 0), "tensor");
        if (dtype is null || dtype == source) return result;
        using (result)
        {
            var converted = result.to(dtype.Value);
            if (!requires_grad) return converted;
            try
            {
                converted.requires_grad = true;
            }
            catch
            {
                converted.Dispose();   // e.g. an integral dtype cannot require grad: do not leave the copy behind
                throw;
            }
            return converted;
        }
    }

    // The elements of a rectangular array in row-major order. Goes through the array's data reference rather than
    // element [0, 0], which does not exist (and throws) when a dimension is 0.
    private static ReadOnlySpan<T> Elements<T>(Array rawArray) where T : unmanaged =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(rawArray)), rawArray.Length);

    /// <summary>A 1-D tensor holding a copy of <paramref name="rawArray"/>.</summary>
    public static Tensor tensor(float[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromSpan<float>(rawArray, [rawArray.LongLength], dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of <paramref name="rawArray"/> (row-major).</summary>
    public static Tensor tensor(float[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromSpan<float>(rawArray, dimensions, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of <paramref name="data"/> (row-major).</summary>
    public static Tensor tensor(ReadOnlySpan<float> data, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromSpan(data, dimensions, dtype, device, requires_grad);
    /// <summary>A 2-D tensor holding a copy of <paramref name="rawArray"/>.</summary>
    public static Tensor tensor(float[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromSpan(Elements<float>(rawArray), [rawArray.GetLongLength(0), rawArray.GetLongLength(1)], dtype, device, requires_grad);
    /// <summary>A 0-D tensor holding <paramref name="scalar"/>.</summary>
    public static Tensor tensor(float scalar, Device? device = null, bool requires_grad = false) =>
        FromSpan<float>([scalar], [], null, device, requires_grad);

    /// <summary>A 1-D tensor holding a copy of <paramref name="rawArray"/>.</summary>
    public static Tensor tensor(double[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromSpan<double>(rawArray, [rawArray.LongLength], dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of <paramref name="rawArray"/> (row-major).</summary>
    public static Tensor tensor(double[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromSpan<double>(rawArray, dimensions, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of <paramref name="data"/> (row-major).</summary>
    public static Tensor tensor(ReadOnlySpan<double> data, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromSpan(data, dimensions, dtype, device, requires_grad);
    /// <summary>A 2-D tensor holding a copy of <paramref name="rawArray"/>.</summary>
    public static Tensor tensor(double[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromSpan(Elements<double>(rawArray), [rawArray.GetLongLength(0), rawArray.GetLongLength(1)], dtype, device, requires_grad);
    /// <summary>A 0-D tensor holding <paramref name="scalar"/>.</summary>
    public static Tensor tensor(double scalar, Device? device = null, bool requires_grad = false) =>
        FromSpan<double>([scalar], [], null, device, requires_grad);

    /// <summary>A 1-D tensor holding a copy of <paramref name="rawArray"/>.</summary>
    public static Tensor tensor(long[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromSpan<long>(rawArray, [rawArray.LongLength], dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of <paramref name="rawArray"/> (row-major).</summary>
    public static Tensor tensor(long[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromSpan<long>(rawArray, dimensions, dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of <paramref name="data"/> (row-major).</summary>
    public static Tensor tensor(ReadOnlySpan<long> data, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromSpan(data, dimensions, dtype, device, requires_grad);
    /// <summary>A 2-D tensor holding a copy of <paramref name="rawArray"/>.</summary>
    public static Tensor tensor(long[,] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromSpan(Elements<long>(rawArray), [rawArray.GetLongLength(0), rawArray.GetLongLength(1)], dtype, device, requires_grad);
    /// <summary>A 0-D tensor holding <paramref name="scalar"/>.</summary>
    public static Tensor tensor(long scalar, Device? device = null, bool requires_grad = false) =>
        FromSpan<long>([scalar], [], null, device, requires_grad);

    /// <summary>A 1-D tensor holding a copy of <paramref name="rawArray"/>.</summary>
    public static Tensor tensor(int[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromSpan<int>(rawArray, [rawArray.LongLength], dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of <paramref name="rawArray"/> (row-major).</summary>
    public static Tensor tensor(int[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromSpan<int>(rawArray, dimensions, dtype, device, requires_grad);
    /// <summary>A 0-D tensor holding <paramref name="scalar"/>.</summary>
    public static Tensor tensor(int scalar, Device? device = null, bool requires_grad = false) =>
        FromSpan<int>([scalar], [], null, device, requires_grad);

    /// <summary>A 1-D tensor holding a copy of <paramref name="rawArray"/>.</summary>
    public static Tensor tensor(bool[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromSpan<bool>(rawArray, [rawArray.LongLength], dtype, device, requires_grad);
    /// <summary>A tensor of the given shape holding a copy of <paramref name="rawArray"/> (row-major).</summary>
    public static Tensor tensor(bool[] rawArray, ReadOnlySpan<long> dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromSpan<bool>(rawArray, dimensions, dtype, device, requires_grad);
    /// <summary>A 0-D tensor holding <paramref name="scalar"/>.</summary>
    public static Tensor tensor(bool scalar, Device? device = null, bool requires_grad = false) =>
        FromSpan<bool>([scalar], [], null, device, requires_grad);
}
