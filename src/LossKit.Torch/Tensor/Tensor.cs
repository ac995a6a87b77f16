using System.Runtime.CompilerServices;
using LossKit.Torch.Interop;

namespace LossKit.Torch;

public static partial class torch
{
    /// <summary>
    /// A tensor: an n-dimensional array in libtorch, with autograd. Owns exactly one native tensor reference.
    /// </summary>
    /// <remarks>
    /// <para><b>Lifetime.</b> <see cref="Dispose()"/> releases the native reference at once (the memory is freed when no
    /// other tensor or autograd graph still uses it). Any use afterwards throws <see cref="ObjectDisposedException"/>.
    /// Tensors created inside a <see cref="torch.NewDisposeScope"/> are disposed with the scope. A tensor nobody disposes
    /// is still released by its finalizer (a <see cref="System.Runtime.InteropServices.SafeHandle"/>), and its native
    /// memory is reported to the GC as memory pressure so that such tensors are collected in time: a CPU storage of at
    /// least 4 KiB that the tensor holds alone (views and aliases are not counted again), reported when the tensor is
    /// created outside every dispose scope or leaves its last one (a tensor in a scope is freed by it, and cannot be
    /// collected before). Deterministic disposal is still the way to keep memory flat and the GC idle.</para>
    /// <para><b>Threads.</b> Distinct tensors can be used from different threads at the same time. One tensor can be
    /// read from several threads, but must not be modified (in-place ops, <c>backward</c> into its graph, its
    /// <see cref="grad"/>) by one thread while another uses it, exactly as in PyTorch; dispose it on one thread, when no
    /// other uses it. A tensor belongs to the dispose scope of the thread that created it.</para>
    /// </remarks>
    public partial class Tensor : IDisposable
    {
        private TensorHandle? _handle;

        internal DisposeScope? OwningDisposeScope { get; set; }

        /// <summary>Wraps a native handle that this tensor now owns, registering it on the thread's current dispose scope.</summary>
        internal Tensor(TensorHandle handle) : this(handle, registerInScope: true) { }

        private protected Tensor(TensorHandle handle, bool registerInScope)
        {
            _handle = handle;
            // A tensor in a dispose scope is freed with it (and cannot be collected before: the scope references it), so
            // only tensors outside every scope tell the GC about their native memory; see TensorHandle.TrackMemoryPressure.
            var scope = registerInScope ? DisposeScopeManager.CurrentScope : null;
            if (scope is null) handle.TrackMemoryPressure();
            else scope.Register(this);
        }

        /// <summary>Called when the tensor leaves its last dispose scope without being disposed: from now on only the
        /// caller, or the finalizer, releases it, so its native memory is reported to the GC.</summary>
        internal void OnLeftDisposeScopes() => _handle?.TrackMemoryPressure();

        /// <summary>Wraps the result of a native call: throws the native error when the call failed.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Tensor From(TensorHandle handle, [CallerMemberName] string operation = "") =>
            new(NativeError.Check(handle, operation));

        internal TensorHandle NativeHandle
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => _handle ?? throw Disposed();
        }

        private static ObjectDisposedException Disposed() =>
            new(nameof(Tensor), "This tensor has been disposed (directly or by its dispose scope) and can no longer be used.");

        /// <summary>The native handle (an <c>lk_tensor</c>). Throws when the tensor is disposed.</summary>
        public IntPtr Handle => NativeHandle.DangerousGetHandle();

        /// <summary>True once the tensor has been disposed.</summary>
        public bool IsInvalid => _handle is null;

        /// <summary>Releases the native tensor now and removes it from its dispose scope.</summary>
        public void Dispose()
        {
            Dispose(true);
            GC.SuppressFinalize(this);
        }

        /// <summary>Releases the native tensor.</summary>
        protected virtual void Dispose(bool disposing)
        {
            var h = Interlocked.Exchange(ref _handle, null);
            if (h is null) return;
            OwningDisposeScope?.Forget(this);
            h.Dispose();
        }

        /// <summary>Moves this tensor to the scope outside its current dispose scope (or out of all scopes when there is none).</summary>
        public Tensor MoveToOuterDisposeScope()
        {
            var scope = OwningDisposeScope;
            if (scope is not null) scope.MoveToOuter(this);
            return this;
        }

        /// <summary>Moves this tensor to <paramref name="scope"/> (null: out of all scopes).</summary>
        public Tensor MoveToOtherDisposeScope(DisposeScope? scope)
        {
            if (OwningDisposeScope is { } current) current.MoveToOther(scope, this);
            else scope?.Include(this);
            return this;
        }

        /// <summary>Takes this tensor out of its dispose scope: the caller must dispose it.</summary>
        public Tensor DetachFromDisposeScope()
        {
            OwningDisposeScope?.Detach(this);
            return this;
        }

        // ----- metadata -------------------------------------------------------------------------------

        /// <summary>Number of dimensions.</summary>
        public long dim() => NativeError.Check(NativeMethods.lk_tensor_dim(NativeHandle));

        /// <summary>Number of dimensions.</summary>
        public long Dimensions => dim();

        /// <summary>Number of dimensions.</summary>
        public long ndim => dim();

        /// <summary>The size of each dimension (a fresh array).</summary>
        public unsafe long[] shape
        {
            get
            {
                var h = NativeHandle;
                Span<long> buffer = stackalloc long[8];
                long n;
                fixed (long* p = buffer) n = NativeError.Check(NativeMethods.lk_tensor_sizes(h, p, buffer.Length));
                if (n <= buffer.Length) return buffer[..(int)n].ToArray();
                var result = new long[n];
                fixed (long* p = result) NativeError.Check(NativeMethods.lk_tensor_sizes(h, p, result.Length));
                return result;
            }
        }

        /// <summary>The size of each dimension.</summary>
        public long[] size() => shape;

        /// <summary>The size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
        public long size(int dim)
        {
            var s = shape;
            var d = dim < 0 ? dim + s.Length : dim;
            if (d < 0 || d >= s.Length)
                throw new ArgumentOutOfRangeException(nameof(dim), dim, $"Dimension out of range for a tensor of shape {FormatShape(s)}.");
            return s[d];
        }

        /// <summary>Number of elements.</summary>
        public long numel() => NativeError.Check(NativeMethods.lk_tensor_numel(NativeHandle));

        /// <summary>The address of the first element (internal: allocation tests; PyTorch's data_ptr()).</summary>
        internal long DataAddress => NativeError.Check(NativeMethods.lk_tensor_data_address(NativeHandle));

        /// <summary>Number of elements.</summary>
        public long NumberOfElements => numel();

        /// <summary>The element type.</summary>
        public ScalarType dtype => (ScalarType)NativeError.Check((long)NativeMethods.lk_tensor_dtype(NativeHandle));

        /// <summary>Bytes per element.</summary>
        public long element_size() => torch.element_size(dtype);

        /// <summary>Bytes per element.</summary>
        public long ElementSize => element_size();

        /// <summary>The device the tensor lives on.</summary>
        public Device device
        {
            get
            {
                NativeError.Check(NativeMethods.lk_tensor_device(NativeHandle, out var type, out var index));
                return new Device((DeviceType)type, index);
            }
        }

        /// <summary>The type of the device the tensor lives on.</summary>
        public DeviceType device_type => device.type;

        /// <summary>The index of the device the tensor lives on (-1 for the CPU).</summary>
        public int device_index => device.index;

        /// <summary>True when the tensor is on a CUDA device.</summary>
        public bool is_cuda => device_type == DeviceType.CUDA;

        /// <summary>True when the tensor is on the CPU.</summary>
        public bool is_cpu() => device_type == DeviceType.CPU;

        /// <summary>True for integer and bool dtypes.</summary>
        public bool is_integral() => torch.is_integral(dtype);

        /// <summary>True for floating-point dtypes.</summary>
        public bool is_floating_point() => torch.is_floating_point(dtype);

        /// <summary>True when the elements are laid out contiguously in row-major order.</summary>
        public bool is_contiguous() => NativeError.Check((long)NativeMethods.lk_tensor_is_contiguous(NativeHandle)) != 0;

        // ----- autograd state --------------------------------------------------------------------------

        /// <summary>Whether autograd records operations on this tensor.</summary>
        public bool requires_grad
        {
            get => NativeError.Check((long)NativeMethods.lk_tensor_requires_grad(NativeHandle)) != 0;
            set => NativeError.Check(NativeMethods.lk_tensor_set_requires_grad(NativeHandle, value ? 1 : 0));
        }

        /// <summary>Sets <see cref="requires_grad"/> and returns this tensor.</summary>
        public Tensor requires_grad_(bool requires_grad = true)
        {
            this.requires_grad = requires_grad;
            return this;
        }

        /// <summary>Sets <see cref="requires_grad"/> and returns this tensor.</summary>
        public Tensor with_requires_grad(bool requires_grad = true) => requires_grad_(requires_grad);

        /// <summary>True for tensors created by the user (not by a recorded operation).</summary>
        public bool is_leaf => NativeError.Check((long)NativeMethods.lk_tensor_is_leaf(NativeHandle)) != 0;

        /// <summary>Makes a non-leaf tensor keep its gradient after <see cref="backward(Tensor?, bool, bool)"/>.</summary>
        public void retain_grad() => NativeError.Check(NativeMethods.lk_tensor_retain_grad(NativeHandle));

        /// <summary>
        /// The gradient accumulated by <see cref="backward(Tensor?, bool, bool)"/>, or null when there is none. Each read
        /// returns a new tensor object viewing the same gradient (dispose it, or read it inside a dispose scope);
        /// setting null clears the gradient.
        /// </summary>
        public Tensor? grad
        {
            get
            {
                NativeError.Check(NativeMethods.lk_tensor_grad(NativeHandle, out var g));
                return g == IntPtr.Zero ? null : new Tensor(new TensorHandle(g));
            }
            set => NativeError.Check(NativeMethods.lk_tensor_set_grad(NativeHandle, value?.NativeHandle ?? TensorHandle.Null));
        }

        /// <summary>
        /// Computes the gradient of this tensor with respect to every leaf that requires grad, accumulating into their
        /// <see cref="grad"/>.
        /// </summary>
        /// <param name="gradient">The gradient of some final value with respect to this tensor; null for a tensor with
        /// one element (then 1). <c>loss.backward()</c> without arguments is the other overload.</param>
        /// <param name="retain_graph">Keep the graph so backward can run through it again.</param>
        /// <param name="create_graph">Record the backward pass itself, for higher-order derivatives.</param>
        public void backward(Tensor? gradient, bool retain_graph = false, bool create_graph = false) =>
            NativeError.Check(NativeMethods.lk_backward(NativeHandle, gradient?.NativeHandle ?? TensorHandle.Null,
                retain_graph || create_graph ? 1 : 0, create_graph ? 1 : 0));

        /// <summary>A new tensor sharing this one's data, outside any autograd graph.</summary>
        public Tensor detach() => From(NativeMethods.lk_detach(NativeHandle));

        /// <summary>A copy of this tensor (gradients flow back to the original).</summary>
        public Tensor clone() => From(NativeMethods.lk_clone(NativeHandle));

        /// <summary>This tensor if it is contiguous, otherwise a contiguous copy.</summary>
        public Tensor contiguous() => From(NativeMethods.lk_contiguous(NativeHandle));

        /// <summary>A second tensor object for the same native tensor (same data, same autograd identity).</summary>
        public Tensor alias() => From(NativeMethods.lk_tensor_alias(NativeHandle));

        // ----- conversion -------------------------------------------------------------------------------

        private Tensor ToNative(int dtype, int deviceType, int deviceIndex, bool copy, [CallerMemberName] string operation = "") =>
            From(NativeMethods.lk_to(NativeHandle, dtype, deviceType, deviceIndex, copy ? 1 : 0), operation);

        /// <summary>Converts to another dtype (a new tensor; the same data when the dtype already matches and <paramref name="copy"/> is false).</summary>
        public Tensor to(ScalarType type, bool copy = false) => ToNative((int)type, -1, -1, copy);

        /// <summary>Moves to another device.</summary>
        public Tensor to(Device device, bool copy = false) => ToNative(-1, (int)device.type, device.index, copy);

        /// <summary>Converts to another dtype and device.</summary>
        public Tensor to(ScalarType type, Device device, bool copy = false) => ToNative((int)type, (int)device.type, device.index, copy);

        /// <summary>Moves to another device.</summary>
        public Tensor to(DeviceType deviceType, int deviceIndex = -1, bool copy = false) => ToNative(-1, (int)deviceType, deviceIndex, copy);

        /// <summary>Moves to the device described by <paramref name="device"/> ("cpu", "cuda:0").</summary>
        public Tensor to(string device) => to(new Device(device));

        /// <summary>Converts to the dtype and device of <paramref name="other"/>.</summary>
        public Tensor to(Tensor other) => to(other.dtype, other.device);

        /// <summary>Converts to another dtype.</summary>
        public Tensor to_type(ScalarType type, bool copy = false) => to(type, copy);

        /// <summary>Converts to another dtype.</summary>
        public Tensor type(ScalarType type) => to(type);

        /// <summary>Converts to the dtype of <paramref name="tensor"/>.</summary>
        public Tensor type_as(Tensor tensor) => to(tensor.dtype);

        /// <summary>Copies to the CPU (the same tensor data if already there).</summary>
        public Tensor cpu() => to(CPU);

        /// <summary>Copies to a CUDA device.</summary>
        public Tensor cuda(Device? device = null) => to(device ?? CUDA);

        /// <summary>Converts to float32.</summary>
        public Tensor @float() => to(ScalarType.Float32);

        /// <summary>Converts to float64.</summary>
        public Tensor @double() => to(ScalarType.Float64);

        /// <summary>Converts to int64.</summary>
        public Tensor @long() => to(ScalarType.Int64);

        /// <summary>Converts to int32.</summary>
        public Tensor @int() => to(ScalarType.Int32);

        /// <summary>Converts to bool.</summary>
        public Tensor @bool() => to(ScalarType.Bool);

        /// <summary>
        /// Replaces this object's data with a detached copy converted to <paramref name="dtype"/> and moved to
        /// <paramref name="device"/> (null keeps either), keeping <see cref="requires_grad"/>. Used by Module.to, so that
        /// references to parameters held elsewhere (optimizers) stay valid, as in PyTorch.
        /// </summary>
        internal void MoveData(ScalarType? dtype, Device? device)
        {
            var old = NativeHandle;
            var requiresGrad = requires_grad;
            var targetDtype = dtype is null ? -1 : (int)dtype.Value;
            var targetType = device is null ? -1 : (int)device.type;
            var targetIndex = device?.index ?? -1;
            using var detached = NativeError.Check(NativeMethods.lk_detach(old), "to");
            var moved = NativeError.Check(NativeMethods.lk_to(detached, targetDtype, targetType, targetIndex, 0), "to");
            if (requiresGrad) NativeError.Check(NativeMethods.lk_tensor_set_requires_grad(moved, 1), "to");
            // An accumulated gradient moves along, as in PyTorch.
            NativeError.Check(NativeMethods.lk_tensor_grad(old, out var grad), "to");
            if (grad != IntPtr.Zero)
            {
                using var oldGrad = new TensorHandle(grad);
                using var movedGrad = NativeError.Check(NativeMethods.lk_to(oldGrad, targetDtype, targetType, targetIndex, 0), "to");
                NativeError.Check(NativeMethods.lk_tensor_set_grad(moved, movedGrad), "to");
            }
            _handle = moved;
            if (OwningDisposeScope is null) moved.TrackMemoryPressure();
            old.Dispose();
        }

        internal static string FormatShape(long[] shape) => "[" + string.Join(", ", shape) + "]";
    }
}
