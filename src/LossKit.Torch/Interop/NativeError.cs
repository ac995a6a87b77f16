using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LossKit.Torch.Interop;

/// <summary>
/// Turns the C ABI's failure results into .NET exceptions carrying libtorch's message, prefixed with the
/// name of the operation that failed. The last error is thread-local on the native side and read on the same
/// thread right after the failing call, so concurrent failures on other threads cannot mix messages.
/// </summary>
internal static class NativeError
{
    /// <summary>Returns <paramref name="handle"/>, or throws the calling thread's last native error when it is invalid.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TensorHandle Check(TensorHandle handle, [CallerMemberName] string operation = "")
    {
        if (handle.IsInvalid) ThrowLast(operation, handle);
        return handle;
    }

    /// <summary>Throws the calling thread's last native error when <paramref name="status"/> is not 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Check(int status, [CallerMemberName] string operation = "")
    {
        if (status != 0) ThrowLast(operation, null);
    }

    /// <summary>Throws the calling thread's last native error when a count result is negative.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long Check(long count, [CallerMemberName] string operation = "")
    {
        if (count < 0) ThrowLast(operation, null);
        return count;
    }

    [DoesNotReturn, StackTraceHidden, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLast(string operation, TensorHandle? invalid)
    {
        invalid?.Dispose();
        var kind = (NativeErrorKind)NativeMethods.lk_last_error_kind();
        var message = Marshal.PtrToStringUTF8(NativeMethods.lk_last_error_message()) ?? "unknown native error";
        if (kind == NativeErrorKind.NonFinite) throw NonFinite(message);
        throw Create(kind, string.IsNullOrEmpty(operation) ? message : $"{operation}: {message}");
    }

    // The gradient check of lk_check_finite: its message already starts with the loss's name (no operation prefix).
    private static Exception NonFinite(string message)
    {
        if (NativeMethods.lk_last_non_finite(out var loss, out var argument, out var count, out var numel, out var index, out var value) != 0)
            return new TorchException(message);
        return new NonFiniteLossException(Marshal.PtrToStringUTF8(loss) ?? "loss", NonFiniteKind.Gradient,
            Marshal.PtrToStringUTF8(argument) ?? "input", count, numel, index, value, message);
    }

    internal static Exception Create(NativeErrorKind kind, string message) => kind switch
    {
        NativeErrorKind.Index => new ArgumentOutOfRangeException(paramName: null, message),
        NativeErrorKind.Value => new ArgumentException(message),
        NativeErrorKind.Type => new ArgumentException(message),
        NativeErrorKind.NotImplemented => new NotSupportedException(message),
        NativeErrorKind.OutOfMemory => new InsufficientMemoryException(message),
        NativeErrorKind.NonFinite => new ArithmeticException(message),
        _ => new TorchException(message),
    };
}
