namespace LossKit;

/// <summary>
/// A loss was called with arguments it cannot accept: a wrong rank, shape, dtype or device, or an option out of range.
/// The message names the loss, the argument and the offending shapes or values.
/// </summary>
/// <remarks>Derives from <see cref="ArgumentException"/>, so <c>catch (ArgumentException)</c> catches it.</remarks>
public class LossArgumentException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public LossArgumentException(string loss, string? argument, string message)
        : base($"{loss}: {message}", argument) => Loss = loss;

    /// <summary>The name of the loss that rejected the call (for example "CrossEntropyLoss").</summary>
    public string Loss { get; }
}

/// <summary>
/// A value inside a tensor passed to a loss is out of its valid range: a class index outside [0, C) that is not
/// ignore_index, a probability outside [0, 1], a sequence length longer than its tensor. The message names the loss,
/// the argument, the value and where it was found.
/// </summary>
public class LossArgumentOutOfRangeException : ArgumentOutOfRangeException
{
    /// <summary>Creates the exception.</summary>
    public LossArgumentOutOfRangeException(string loss, string argument, string message)
        : base(argument, $"{loss}: {message}") => Loss = loss;

    /// <summary>The name of the loss that rejected the call.</summary>
    public string Loss { get; }
}
