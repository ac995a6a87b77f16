using System.Runtime.InteropServices;

namespace LossKit.Torch;

/// <summary>
/// An error reported by libtorch that has no more specific .NET equivalent: most often a shape or dtype that an
/// operation does not accept ("The size of tensor a (3) must match the size of tensor b (4) at non-singleton
/// dimension 0"). The message starts with the name of the operation.
/// </summary>
/// <remarks>
/// Derives from <see cref="ExternalException"/>, which is what TorchSharp throws for libtorch errors, so existing
/// catch blocks keep working. Index errors from libtorch surface as <see cref="ArgumentOutOfRangeException"/>, value
/// and type errors as <see cref="ArgumentException"/>, missing kernels as <see cref="NotSupportedException"/> and
/// allocation failures as <see cref="InsufficientMemoryException"/>.
/// </remarks>
public sealed class TorchException : ExternalException
{
    /// <summary>Creates the exception with libtorch's message.</summary>
    public TorchException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public TorchException(string message, Exception inner) : base(message, inner) { }
}
