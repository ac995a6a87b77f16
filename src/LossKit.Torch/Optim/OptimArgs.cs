using System.Globalization;

namespace LossKit.Torch.Modules;

/// <summary>Argument checks shared by the optimizers and schedulers; every message names its owner and the argument.</summary>
internal static class OptimArgs
{
    internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A finite number &gt;= 0 (NaN and infinities are rejected).</summary>
    internal static void NonNegative(string owner, string name, double value)
    {
        if (!double.IsFinite(value) || value < 0)
            throw new ArgumentOutOfRangeException(name, value, $"{owner}: {name} must be a finite number >= 0; got {Format(value)}.");
    }

    /// <summary>A number in [0, 1).</summary>
    internal static void InHalfOpenUnit(string owner, string name, double value)
    {
        if (!(value >= 0 && value < 1))
            throw new ArgumentOutOfRangeException(name, value, $"{owner}: {name} must be in [0, 1); got {Format(value)}.");
    }

    /// <summary>A number in [0, 1].</summary>
    internal static void InClosedUnit(string owner, string name, double value)
    {
        if (!(value >= 0 && value <= 1))
            throw new ArgumentOutOfRangeException(name, value, $"{owner}: {name} must be in [0, 1]; got {Format(value)}.");
    }

    /// <summary>A finite number (any sign).</summary>
    internal static void Finite(string owner, string name, double value)
    {
        if (!double.IsFinite(value))
            throw new ArgumentOutOfRangeException(name, value, $"{owner}: {name} must be a finite number; got {Format(value)}.");
    }

    /// <summary>An integer &gt;= <paramref name="min"/>.</summary>
    internal static void AtLeast(string owner, string name, int value, int min)
    {
        if (value < min)
            throw new ArgumentOutOfRangeException(name, value, $"{owner}: {name} must be >= {min}; got {value}.");
    }
}
