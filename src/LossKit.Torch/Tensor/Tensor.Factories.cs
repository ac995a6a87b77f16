using LossKit.Torch.Interop;
using static LossKit.Torch.Interop.NativeMethods;

namespace LossKit.Torch;

public static partial class torch
{
    private static unsafe Tensor Create(ReadOnlySpan<long> size, ScalarType? dtype, Device? device, bool requires_grad, string operation,
        delegate*<long*, int, int, int, int, int, TensorHandle> factory)
    {
        var dev = device ?? CPU;
        fixed (long* s = size)
            return Tensor.From(factory(s, size.Length, dtype is null ? -1 : (int)dtype.Value, (int)dev.type, dev.index, requires_grad ? 1 : 0), operation);
    }

    // ----- zeros / ones / empty ------------------------------------------------------------------------

    /// <summary>A tensor of zeros. dtype defaults to float32, device to the CPU.</summary>
    public static unsafe Tensor zeros(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Create(size, dtype, device, requires_grad, nameof(zeros), &lk_zeros);
    /// <summary>A tensor of zeros.</summary>
    public static Tensor zeros(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        zeros((ReadOnlySpan<long>)size, dtype, device, requires_grad);
    /// <summary>A 1-D tensor of zeros.</summary>
    public static Tensor zeros(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        zeros([size], dtype, device, requires_grad);
    /// <summary>A 2-D tensor of zeros.</summary>
    public static Tensor zeros(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        zeros([rows, columns], dtype, device, requires_grad);
    /// <summary>A 3-D tensor of zeros.</summary>
    public static Tensor zeros(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        zeros([dim0, dim1, dim2], dtype, device, requires_grad);

    /// <summary>A tensor of ones. dtype defaults to float32, device to the CPU.</summary>
    public static unsafe Tensor ones(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Create(size, dtype, device, requires_grad, nameof(ones), &lk_ones);
    /// <summary>A tensor of ones.</summary>
    public static Tensor ones(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        ones((ReadOnlySpan<long>)size, dtype, device, requires_grad);
    /// <summary>A 1-D tensor of ones.</summary>
    public static Tensor ones(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        ones([size], dtype, device, requires_grad);
    /// <summary>A 2-D tensor of ones.</summary>
    public static Tensor ones(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        ones([rows, columns], dtype, device, requires_grad);
    /// <summary>A 3-D tensor of ones.</summary>
    public static Tensor ones(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        ones([dim0, dim1, dim2], dtype, device, requires_grad);

    /// <summary>An uninitialised tensor (its values are whatever the memory held).</summary>
    public static unsafe Tensor empty(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Create(size, dtype, device, requires_grad, nameof(empty), &lk_empty);
    /// <summary>An uninitialised tensor.</summary>
    public static Tensor empty(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        empty((ReadOnlySpan<long>)size, dtype, device, requires_grad);
    /// <summary>An uninitialised 1-D tensor.</summary>
    public static Tensor empty(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        empty([size], dtype, device, requires_grad);
    /// <summary>An uninitialised 2-D tensor.</summary>
    public static Tensor empty(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        empty([rows, columns], dtype, device, requires_grad);

    /// <summary>An uninitialised 3-D tensor.</summary>
    public static Tensor empty(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        empty([dim0, dim1, dim2], dtype, device, requires_grad);

    /// <summary>A tensor filled with <paramref name="value"/>. Without a dtype, an integral value gives int64, a bool gives bool, a floating value float32.</summary>
    public static unsafe Tensor full(ReadOnlySpan<long> size, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var dev = device ?? CPU;
        fixed (long* s = size)
            return Tensor.From(lk_full(s, size.Length, value.Value, dtype is null ? -1 : (int)dtype.Value, (int)dev.type, dev.index, requires_grad ? 1 : 0), nameof(full));
    }
    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor full(long[] size, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        full((ReadOnlySpan<long>)size, value, dtype, device, requires_grad);
    /// <summary>A 1-D tensor filled with <paramref name="value"/>.</summary>
    public static Tensor full(long size, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        full([size], value, dtype, device, requires_grad);
    /// <summary>A 2-D tensor filled with <paramref name="value"/>.</summary>
    public static Tensor full(long rows, long columns, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        full([rows, columns], value, dtype, device, requires_grad);

    // ----- random ----------------------------------------------------------------------------------------
    // All draw from libtorch's global generator: torch.manual_seed(s) makes them reproducible, and gives the
    // same numbers as torch.manual_seed(s) followed by the same calls in PyTorch on the CPU.

    /// <summary>Samples from U[0, 1).</summary>
    public static unsafe Tensor rand(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Create(size, dtype, device, requires_grad, nameof(rand), &lk_rand);
    /// <summary>Samples from U[0, 1).</summary>
    public static Tensor rand(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        rand((ReadOnlySpan<long>)size, dtype, device, requires_grad);
    /// <summary>1-D samples from U[0, 1).</summary>
    public static Tensor rand(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        rand([size], dtype, device, requires_grad);
    /// <summary>2-D samples from U[0, 1).</summary>
    public static Tensor rand(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        rand([rows, columns], dtype, device, requires_grad);

    /// <summary>3-D samples from U[0, 1).</summary>
    public static Tensor rand(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        rand([dim0, dim1, dim2], dtype, device, requires_grad);

    /// <summary>Samples from N(0, 1).</summary>
    public static unsafe Tensor randn(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Create(size, dtype, device, requires_grad, nameof(randn), &lk_randn);
    /// <summary>Samples from N(0, 1).</summary>
    public static Tensor randn(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        randn((ReadOnlySpan<long>)size, dtype, device, requires_grad);
    /// <summary>1-D samples from N(0, 1).</summary>
    public static Tensor randn(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        randn([size], dtype, device, requires_grad);
    /// <summary>2-D samples from N(0, 1).</summary>
    public static Tensor randn(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        randn([rows, columns], dtype, device, requires_grad);

    /// <summary>3-D samples from N(0, 1).</summary>
    public static Tensor randn(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        randn([dim0, dim1, dim2], dtype, device, requires_grad);

    /// <summary>Integers drawn uniformly from [low, high). dtype defaults to int64.</summary>
    public static unsafe Tensor randint(long low, long high, ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var dev = device ?? CPU;
        fixed (long* s = size)
            return Tensor.From(lk_randint(low, high, s, size.Length, dtype is null ? -1 : (int)dtype.Value, (int)dev.type, dev.index, requires_grad ? 1 : 0), nameof(randint));
    }
    /// <summary>Integers drawn uniformly from [low, high).</summary>
    public static Tensor randint(long low, long high, long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        randint(low, high, (ReadOnlySpan<long>)size, dtype, device, requires_grad);
    /// <summary>Integers drawn uniformly from [0, high).</summary>
    public static Tensor randint(long high, long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        randint(0, high, (ReadOnlySpan<long>)size, dtype, device, requires_grad);

    // int overloads: a literal 0 converts to any enum, so zeros(5, 0) would otherwise be ambiguous between
    // (rows, columns) and (size, dtype). They forward to the long forms.

    /// <summary>A 2-D tensor of zeros.</summary>
    public static Tensor zeros(int rows, int columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        zeros([rows, columns], dtype, device, requires_grad);
    /// <summary>A 3-D tensor of zeros.</summary>
    public static Tensor zeros(int dim0, int dim1, int dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        zeros([dim0, dim1, dim2], dtype, device, requires_grad);
    /// <summary>A 2-D tensor of ones.</summary>
    public static Tensor ones(int rows, int columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        ones([rows, columns], dtype, device, requires_grad);
    /// <summary>A 3-D tensor of ones.</summary>
    public static Tensor ones(int dim0, int dim1, int dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        ones([dim0, dim1, dim2], dtype, device, requires_grad);
    /// <summary>An uninitialised 2-D tensor.</summary>
    public static Tensor empty(int rows, int columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        empty([rows, columns], dtype, device, requires_grad);
    /// <summary>2-D samples from U[0, 1).</summary>
    public static Tensor rand(int rows, int columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        rand([rows, columns], dtype, device, requires_grad);
    /// <summary>2-D samples from N(0, 1).</summary>
    public static Tensor randn(int rows, int columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        randn([rows, columns], dtype, device, requires_grad);

    // ----- ranges ----------------------------------------------------------------------------------------

    /// <summary>Values from <paramref name="start"/> up to (not including) <paramref name="stop"/> in steps of <paramref name="step"/>.
    /// Without a dtype, integral arguments give int64 and any floating argument float32.</summary>
    public static Tensor arange(Scalar start, Scalar stop, Scalar step, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var dev = device ?? CPU;
        return Tensor.From(lk_arange(start.Value, stop.Value, step.Value, dtype is null ? -1 : (int)dtype.Value, (int)dev.type, dev.index, requires_grad ? 1 : 0), nameof(arange));
    }
    /// <summary>Values from <paramref name="start"/> up to <paramref name="stop"/> in steps of 1.</summary>
    public static Tensor arange(Scalar start, Scalar stop, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        arange(start, stop, 1, dtype, device, requires_grad);
    /// <summary>Values from 0 up to <paramref name="stop"/> in steps of 1.</summary>
    public static Tensor arange(Scalar stop, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        arange(0, stop, 1, dtype, device, requires_grad);

    /// <summary><paramref name="steps"/> evenly spaced values from <paramref name="start"/> to <paramref name="end"/> inclusive.</summary>
    public static Tensor linspace(double start, double end, long steps, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var dev = device ?? CPU;
        return Tensor.From(lk_linspace(start, end, steps, dtype is null ? -1 : (int)dtype.Value, (int)dev.type, dev.index, requires_grad ? 1 : 0), nameof(linspace));
    }

    // ----- *_like ---------------------------------------------------------------------------------------

    /// <summary>Zeros with the shape (and, unless given, the dtype and device) of <paramref name="input"/>.</summary>
    public static Tensor zeros_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        zeros(input.shape, dtype ?? input.dtype, device ?? input.device, requires_grad);
    /// <summary>Ones with the shape (and, unless given, the dtype and device) of <paramref name="input"/>.</summary>
    public static Tensor ones_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        ones(input.shape, dtype ?? input.dtype, device ?? input.device, requires_grad);
    /// <summary>An uninitialised tensor like <paramref name="input"/>.</summary>
    public static Tensor empty_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        empty(input.shape, dtype ?? input.dtype, device ?? input.device, requires_grad);
    /// <summary>A tensor like <paramref name="input"/> filled with <paramref name="value"/>.</summary>
    public static Tensor full_like(Tensor input, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        full(input.shape, value, dtype ?? input.dtype, device ?? input.device, requires_grad);
    /// <summary>U[0, 1) samples like <paramref name="input"/>.</summary>
    public static Tensor rand_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        rand(input.shape, dtype ?? input.dtype, device ?? input.device, requires_grad);
    /// <summary>N(0, 1) samples like <paramref name="input"/>.</summary>
    public static Tensor randn_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        randn(input.shape, dtype ?? input.dtype, device ?? input.device, requires_grad);
    /// <summary>Integers from [low, high) like <paramref name="input"/>.</summary>
    public static Tensor randint_like(Tensor input, long low, long high, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        randint(low, high, input.shape, dtype ?? input.dtype, device ?? input.device, requires_grad);

    public partial class Tensor
    {
        /// <summary>Zeros like this tensor.</summary>
        public Tensor zeros_like(ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => torch.zeros_like(this, dtype, device, requires_grad);
        /// <summary>Ones like this tensor.</summary>
        public Tensor ones_like(ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => torch.ones_like(this, dtype, device, requires_grad);
        /// <summary>An uninitialised tensor like this one.</summary>
        public Tensor empty_like(ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => torch.empty_like(this, dtype, device, requires_grad);
        /// <summary>A tensor like this one filled with <paramref name="value"/>.</summary>
        public Tensor full_like(Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => torch.full_like(this, value, dtype, device, requires_grad);
        /// <summary>U[0, 1) samples like this tensor.</summary>
        public Tensor rand_like(ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => torch.rand_like(this, dtype, device, requires_grad);
        /// <summary>N(0, 1) samples like this tensor.</summary>
        public Tensor randn_like(ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => torch.randn_like(this, dtype, device, requires_grad);
    }
}
