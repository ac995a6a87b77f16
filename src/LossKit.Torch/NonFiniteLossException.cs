using System.Globalization;

// The losses' namespace: the exception belongs to them (LossKit.LossChecks turns it on), but the binding must be able to
// raise it, because the gradient check fails inside Tensor.backward().
namespace LossKit;

/// <summary>What <see cref="NonFiniteLossException"/> found not to be finite.</summary>
public enum NonFiniteKind
{
    /// <summary>The value the loss returned (any element of it, for reduction None).</summary>
    LossValue = 0,

    /// <summary>The gradient of the loss flowing back to one of its arguments (the input), during <c>backward</c>.</summary>
    Gradient = 1,
}

/// <summary>
/// A loss value, or the gradient a loss sends back to its input, holds NaN or an infinity while
/// <c>LossKit.LossChecks.ThrowOnNonFinite</c> (or <c>LossChecks.ThrowOnNonFiniteOnThisThread()</c>) is on. The message
/// names the loss, whether it was the value or the gradient, the argument, how many elements were not finite, and the
/// first one's flat index and value.
/// </summary>
/// <remarks>
/// A value check throws from the loss call itself; a gradient check throws from <c>loss.backward()</c> (or
/// <c>torch.autograd.grad</c>), after which the gradients accumulated so far by that backward pass are incomplete: clear
/// them (<c>optimizer.zero_grad()</c>) before the next step. Derives from <see cref="ArithmeticException"/>.
/// </remarks>
public sealed class NonFiniteLossException : ArithmeticException
{
    /// <summary>Creates the exception with the details of the first non-finite element.</summary>
    public NonFiniteLossException(string loss, NonFiniteKind kind, string argument, long count, long total, long index, double value, string message)
        : base(message)
    {
        Loss = loss;
        Kind = kind;
        Argument = argument;
        Count = count;
        Total = total;
        Index = index;
        Value = value;
    }

    /// <summary>Creates the exception with a message built from the details.</summary>
    public NonFiniteLossException(string loss, NonFiniteKind kind, string argument, long count, long total, long index, double value)
        : this(loss, kind, argument, count, total, index, value, Describe(loss, kind, argument, count, total, index, value)) { }

    /// <summary>The name of the loss (for example "CrossEntropyLoss").</summary>
    public string Loss { get; }

    /// <summary>Whether the loss value or the gradient was not finite.</summary>
    public NonFiniteKind Kind { get; }

    /// <summary>"loss" for the value; the argument the gradient flows back to ("input", "log_probs") for a gradient.</summary>
    public string Argument { get; }

    /// <summary>How many elements were NaN or infinite.</summary>
    public long Count { get; }

    /// <summary>How many elements were checked.</summary>
    public long Total { get; }

    /// <summary>The flat (row-major) index of the first element that is not finite.</summary>
    public long Index { get; }

    /// <summary>The first element that is not finite (NaN, +∞ or -∞).</summary>
    public double Value { get; }

    internal static string Describe(string loss, NonFiniteKind kind, string argument, long count, long total, long index, double value)
    {
        var what = kind == NonFiniteKind.LossValue ? "the loss value" : $"the gradient flowing back to {argument}";
        return string.Create(CultureInfo.InvariantCulture,
            $"{loss}: {what} is not finite: {count} of {total} elements are NaN or infinite; the first is {Format(value)} at flat index {index}.");
    }

    internal static string Format(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "+Infinity" : double.IsNegativeInfinity(value) ? "-Infinity"
        : value.ToString("R", CultureInfo.InvariantCulture);
}
