using System.Runtime.InteropServices;
using LossKit.Torch.Interop;
using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests;

public class ErrorTests
{
    // ----- the native guard: every error kind of the C ABI becomes the documented .NET exception ----------------

    public static TheoryData<int, Type, string> ErrorKinds => new()
    {
        { 1, typeof(TorchException), "boom 1" },                                   // c10::Error (TORCH_CHECK)
        { 2, typeof(ArgumentOutOfRangeException), "boom 2" },                      // c10::IndexError
        { 3, typeof(ArgumentException), "boom 3" },                                // c10::ValueError
        { 4, typeof(ArgumentException), "boom 4" },                                // c10::TypeError
        { 5, typeof(NotSupportedException), "boom 5" },                            // c10::NotImplementedError
        { 6, typeof(InsufficientMemoryException), "native memory allocation failed (std::bad_alloc)" },
        { 7, typeof(TorchException), "a native exception of unknown type was thrown" },
    };

    [Theory]
    [MemberData(nameof(ErrorKinds))]
    public void every_native_error_kind_becomes_the_documented_exception(int kind, Type expected, string text)
    {
        var status = NativeMethods.lk_debug_raise(kind, $"boom {kind}");
        status.Should().Be(kind, "the status returned is the error kind");
        NativeMethods.lk_last_error_kind().Should().Be(kind);

        var act = () => NativeError.Check(status, "debug_raise");
        var thrown = act.Should().Throw<Exception>().Which;
        thrown.GetType().Should().Be(expected);
        thrown.Message.Should().StartWith($"debug_raise: {text}");
        if (thrown is ArgumentException arg) arg.ParamName.Should().BeNull();

        // The failure leaves nothing behind: the next call on this thread works.
        using var scope = NewDisposeScope();
        (tensor(new[] { 1.0 }) + 1).item<double>().Should().Be(2);
    }

    [Fact]
    public void TorchException_is_an_ExternalException_as_in_TorchSharp()
    {
        var act = () => NativeError.Check(NativeMethods.lk_debug_raise(1, "x"), "op");
        act.Should().Throw<ExternalException>();
    }

    [Fact]
    public void a_successful_call_returns_ok_and_the_checks_pass_it_through()
    {
        NativeError.Check(0, "anything");
        NativeError.Check(5L, "anything").Should().Be(5);
        NativeMethods.lk_abi_version().Should().Be(NativeMethods.AbiVersion);
    }

    [Fact]
    public void the_last_error_is_per_thread()
    {
        NativeMethods.lk_debug_raise(2, "main thread");
        string? other = null;
        var t = new Thread(() =>
        {
            NativeMethods.lk_debug_raise(3, "other thread");
            other = Marshal.PtrToStringUTF8(NativeMethods.lk_last_error_message());
        });
        t.Start();
        t.Join();
        other.Should().Contain("other thread");
        Marshal.PtrToStringUTF8(NativeMethods.lk_last_error_message()).Should().Contain("main thread");
        NativeMethods.lk_last_error_kind().Should().Be(2);
    }

    [Fact]
    public void concurrent_failures_on_many_threads_report_their_own_messages()
    {
        var mismatches = 0;
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            using var scope = NewDisposeScope();
            var a = zeros(i % 5 + 2);                            // sizes >= 2, so neither broadcasts
            var b = zeros(i % 5 + 8);
            try
            {
                _ = a + b;
                Interlocked.Increment(ref mismatches);
            }
            catch (TorchException e)
            {
                if (!e.Message.Contains($"tensor a ({i % 5 + 2}) must match the size of tensor b ({i % 5 + 8})"))
                    Interlocked.Increment(ref mismatches);
            }
        });
        mismatches.Should().Be(0);
    }

    // ----- errors from real operations ----------------------------------------------------------------------

    [Fact]
    public void shape_mismatch_in_add_names_the_operation_and_the_sizes()
    {
        using var scope = NewDisposeScope();
        var act = () => ones(3) + ones(4);
        act.Should().Throw<TorchException>()
            .WithMessage("add: The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0*");
        var sub = () => ones(2, 3).sub(ones(3, 2));
        sub.Should().Throw<TorchException>().WithMessage("sub: The size of tensor a*");
        var mul = () => ones(2) * ones(3);
        mul.Should().Throw<TorchException>().WithMessage("mul: *");
        var scalarLeft = () => 1 - (ones(2) + ones(5));
        scalarLeft.Should().Throw<TorchException>().WithMessage("add: *");
    }

    [Fact]
    public void shape_mismatch_in_matmul_names_the_operation_and_the_shapes()
    {
        using var scope = NewDisposeScope();
        var act = () => ones(2, 3).matmul(ones(2, 3));
        act.Should().Throw<TorchException>().WithMessage("matmul: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)*");
        var cat = () => torch.cat([ones(2, 3), ones(2, 4)]);
        cat.Should().Throw<TorchException>().WithMessage("cat: Sizes of tensors must match except in dimension 0*");
        var reshape = () => ones(2, 3).reshape(4);
        reshape.Should().Throw<TorchException>().WithMessage("reshape: shape '[4]' is invalid for input of size 6*");
    }

    [Fact]
    public void out_of_range_indices_and_dimensions_are_ArgumentOutOfRange()
    {
        using var scope = NewDisposeScope();
        var select = () => ones(3).select(0, 5);
        select.Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("select: select(): index 5 out of range for tensor of size [3] at dimension 0*");
        var indexer = () => ones(2, 3)[5];
        indexer.Should().Throw<ArgumentOutOfRangeException>().WithMessage("index: index 5 is out of bounds for dimension 0 with size 2*");
        var dim = () => ones(3).sum(5L);
        dim.Should().Throw<ArgumentOutOfRangeException>().WithMessage("sum: Dimension out of range (expected to be in range of [-1, 0], but got 5)*");
        var transpose = () => ones(2, 3).transpose(0, 4);
        transpose.Should().Throw<ArgumentOutOfRangeException>().WithMessage("transpose: Dimension out of range*");
    }

    [Fact]
    public void reading_with_the_wrong_type_or_count_is_a_managed_error()
    {
        using var scope = NewDisposeScope();
        var asFloat = () => tensor(1.5).item<float>();
        asFloat.Should().Throw<ArgumentException>().WithMessage("*dtype Float64*Single*");
        var many = () => ones(2).item<float>();
        many.Should().Throw<InvalidOperationException>().WithMessage("item<Single>() needs a tensor with exactly one element*");
    }

    [Fact]
    public void backward_errors()
    {
        using var scope = NewDisposeScope();
        var plain = () => ones(2).sum().backward();
        plain.Should().Throw<TorchException>()
            .WithMessage("backward: the tensor does not require grad and has no grad_fn*");
        var nonScalar = () => (ones(2, requires_grad: true) * 2).backward();
        nonScalar.Should().Throw<TorchException>().WithMessage("backward: grad can be implicitly created only for scalar outputs*");
        var wrongGradShape = () => (ones(2, requires_grad: true) * 2).backward(ones(3));
        wrongGradShape.Should().Throw<TorchException>().WithMessage("backward: *");
        var twoGrads = () => (ones(2, requires_grad: true) * 2).backward([ones(2), ones(2)]);
        twoGrads.Should().Throw<ArgumentException>().WithMessage("backward: 2 gradients given for one tensor.*");

        // A tensor the graph saved, modified in place before backward.
        var x = ones(2, requires_grad: true);
        var e = x.exp();
        var f = e.sum();
        e.add_(1);
        var stale = () => f.backward();
        stale.Should().Throw<TorchException>().WithMessage("backward: one of the variables needed for gradient computation has been modified by an inplace operation*");
    }

    [Fact]
    public void requires_grad_errors()
    {
        using var scope = NewDisposeScope();
        var nonLeaf = () => (ones(2, requires_grad: true) * 2).requires_grad = false;
        nonLeaf.Should().Throw<TorchException>().WithMessage("requires_grad: you can only change requires_grad flags of leaf variables*");
        var integral = () => tensor(new long[] { 1, 2 }, requires_grad: true);
        integral.Should().Throw<TorchException>().WithMessage("tensor: Only Tensors of floating point*can require gradients*");
        var parameter = () => new Modules.Parameter(tensor(new long[] { 1 }));
        parameter.Should().Throw<TorchException>().WithMessage("Parameter: Only Tensors of floating point*");
        var grad = () => ones(2, requires_grad: true).grad = ones(3);
        grad.Should().Throw<TorchException>().WithMessage("grad: assigned grad has shape [3] but the tensor has shape [2]*");
    }

    [Fact]
    public void dtype_errors()
    {
        using var scope = NewDisposeScope();
        var mean = () => tensor(new long[] { 1, 2 }).mean();
        mean.Should().Throw<TorchException>().WithMessage("mean: mean(): could not infer output dtype*Got: Long*");
        var inplace = () => tensor(new long[] { 1 }).mul_(0.5);
        inplace.Should().Throw<TorchException>().WithMessage("mul_: result type Float can't be cast to the desired output type Long*");
        var oneHot = () => nn.functional.one_hot(tensor(new long[] { 0, 3 }), 3);
        oneHot.Should().Throw<TorchException>().WithMessage("one_hot: Class values must be smaller than num_classes*");
    }

    [Fact]
    public void argument_errors_of_the_binding_itself()
    {
        using var scope = NewDisposeScope();
        var clampNothing = () => ones(2).clamp((Scalar?)null, null);
        clampNothing.Should().Throw<TorchException>().WithMessage("clamp: at least one of min and max must be given*");
        var clampNothingInPlace = () => ones(2).clamp_();
        clampNothingInPlace.Should().Throw<TorchException>().WithMessage("clamp_: at least one of min and max must be given*");
        var emptyCat = () => torch.cat(new List<Tensor>());
        emptyCat.Should().Throw<ArgumentException>().WithMessage("cat: expected a non-empty list of tensors.*");
        var dropout = () => nn.functional.dropout(ones(2), 1.5);
        dropout.Should().Throw<ArgumentOutOfRangeException>();
        var threads = () => set_num_threads(0);
        threads.Should().Throw<ArgumentOutOfRangeException>();
        var device = () => new Device("tpu");
        device.Should().Throw<ArgumentException>().WithMessage("Unknown device 'tpu'*");
        var deviceIndex = () => new Device("cuda:x");
        deviceIndex.Should().Throw<ArgumentException>().WithMessage("Invalid device index in 'cuda:x'*");
        var cpuIndex = () => new Device(DeviceType.CPU, 1);
        cpuIndex.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void use_after_dispose_is_ObjectDisposed_everywhere()
    {
        var t = ones(2);
        var other = ones(2);
        t.Dispose();
        var ops = new Action[]
        {
            () => t.add(other), () => other.add(t), () => _ = t + 1, () => t.sum(), () => t.item<float>(),
            () => t.ToArray<float>(), () => t.reshape(2, 1), () => t.add_(1), () => _ = t.requires_grad,
            () => _ = t.grad, () => t.backward(), () => torch.cat([other, t]), () => _ = other[t],
            () => autograd.grad([t], [other]), () => t.detach(), () => _ = t.dtype,
        };
        foreach (var op in ops)
            op.Should().Throw<ObjectDisposedException>();
        other.Dispose();
    }

    [Fact]
    public void after_any_error_the_next_valid_call_works()
    {
        using var scope = NewDisposeScope();
        var attempts = new Action[]
        {
            () => _ = ones(3) + ones(4),
            () => ones(3).select(0, 9),
            () => tensor(new long[] { 1 }).mean(),
            () => ones(2).sum().backward(),
            () => NativeError.Check(NativeMethods.lk_debug_raise(7, "unknown"), "raise"),
            () => NativeError.Check(NativeMethods.lk_debug_raise(6, "oom"), "raise"),
        };
        foreach (var attempt in attempts)
        {
            attempt.Should().Throw<Exception>();
            var x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
            var y = (x * x).sum();
            y.backward();
            x.grad!.ShouldBeClose([2, 4]);
            y.item<double>().Should().Be(5);
        }
    }

    [Fact]
    public void errors_leave_the_scope_consistent()
    {
        using var scope = NewDisposeScope();
        var a = ones(3);
        var b = ones(4);
        var count = scope.DisposablesCount;
        var act = () => a.matmul(b);
        act.Should().Throw<TorchException>();
        scope.DisposablesCount.Should().Be(count, "a failed operation registers no tensor");

        // Also when the failure comes after an intermediate was made: tensor() converts the data to int64, then
        // cannot make the int64 tensor require grad.
        var intGrad = () => tensor(new[] { 1.0 }, ScalarType.Int64, requires_grad: true);
        intGrad.Should().Throw<TorchException>().WithMessage("*Only Tensors of floating point*");
        scope.DisposablesCount.Should().Be(count, "the converted tensor is disposed when the call fails");
    }
}
