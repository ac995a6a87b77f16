using LossKit.Torch;

namespace LossKit;

/// <summary>
/// Every LossKit loss, two ways: a factory that creates the loss module (<c>losses.CrossEntropyLoss(...)</c>, PascalCase,
/// like TorchSharp's <c>torch.nn.CrossEntropyLoss(...)</c>) and the function that computes it
/// (<c>losses.cross_entropy(...)</c>, snake_case, like <c>torch.nn.functional.cross_entropy(...)</c>). The module only
/// holds its options and calls the function, so both give identical results.
/// </summary>
/// <remarks>
/// <para>Arguments are checked before any native call: a wrong rank, shape, dtype or device, a class index out of range,
/// a probability outside [0, 1] or a bad option throws <see cref="LossArgumentException"/> or
/// <see cref="LossArgumentOutOfRangeException"/> naming the loss, the argument and the values; a disposed tensor throws
/// <see cref="ObjectDisposedException"/>.</para>
/// <para>NaN or infinite values in the input or target propagate into the loss as IEEE arithmetic dictates (as in
/// PyTorch), except where a loss documents otherwise (an entry the loss does not read, such as a row whose target is
/// ignore_index, reaches neither the value nor the gradient). <see cref="LossChecks.ThrowOnNonFinite"/> (or
/// <see cref="LossChecks.ThrowOnNonFiniteOnThisThread"/>) turns a NaN or infinite loss value, or gradient flowing back to
/// the input, into a <see cref="NonFiniteLossException"/>.</para>
/// <para>Input and target must have the same shape where PyTorch would broadcast them: silent broadcasting of (N, 1)
/// against (N) is a classic bug, so LossKit refuses it with a message that says how to reshape.</para>
/// <para>Mean over nothing (an empty batch, or every target equal to ignore_index) is 0 with zero gradient, where
/// PyTorch gives NaN.</para>
/// <para><b>Threads.</b> Every function here can be called from many threads at once on separate tensors (the results are
/// those of a sequential run, bit for bit). A loss module holds only its options and its own copy of its weights, which it
/// never changes, so one module may be shared by threads that call it at the same time (not while it is disposed or
/// moved with <c>to</c>). Dispose scopes, grad mode, <see cref="FusedKernels.DisableOnThisThread"/> and
/// <see cref="LossChecks.ThrowOnNonFiniteOnThisThread"/> are per thread; <see cref="FusedKernels.Enabled"/> and
/// <see cref="LossChecks.ThrowOnNonFinite"/> are process-wide. docs/errors-and-guarantees.md has the full table of errors
/// and guarantees.</para>
/// </remarks>
public static partial class losses
{
}
