using LossKit.Torch.Interop;

namespace LossKit.Torch;

/// <summary>
/// A number passed to a tensor operation: floating, integral or boolean. Converts implicitly from the .NET
/// numeric types, so <c>t + 1</c>, <c>t * 0.5f</c> and <c>t.clamp(min: 0)</c> read as they do in TorchSharp.
/// </summary>
/// <remarks>
/// TorchSharp's Scalar is a class that owns a native handle; this one is a plain value (no allocation, nothing to
/// dispose). It still implements <see cref="IDisposable"/> (doing nothing) so that TorchSharp code that disposes
/// scalars compiles unchanged. Integral scalars keep integer tensors integral (<c>int64 tensor + 1</c> stays int64),
/// floating scalars promote them to the default float dtype, exactly like Python numbers in PyTorch.
/// </remarks>
public readonly struct Scalar : IDisposable, IEquatable<Scalar>
{
    internal readonly NativeScalar Value;

    private Scalar(NativeScalar value) => Value = value;

    /// <summary>A floating scalar.</summary>
    public static implicit operator Scalar(double value) => new(new NativeScalar { F = value, Kind = NativeScalar.Floating });
    /// <summary>A floating scalar.</summary>
    public static implicit operator Scalar(float value) => new(new NativeScalar { F = value, Kind = NativeScalar.Floating });
    /// <summary>A floating scalar.</summary>
    public static implicit operator Scalar(Half value) => new(new NativeScalar { F = (double)value, Kind = NativeScalar.Floating });
    /// <summary>An integral scalar.</summary>
    public static implicit operator Scalar(long value) => new(new NativeScalar { I = value, F = value, Kind = NativeScalar.Integral });
    /// <summary>An integral scalar.</summary>
    public static implicit operator Scalar(int value) => new(new NativeScalar { I = value, F = value, Kind = NativeScalar.Integral });
    /// <summary>An integral scalar.</summary>
    public static implicit operator Scalar(short value) => new(new NativeScalar { I = value, F = value, Kind = NativeScalar.Integral });
    /// <summary>An integral scalar.</summary>
    public static implicit operator Scalar(byte value) => new(new NativeScalar { I = value, F = value, Kind = NativeScalar.Integral });
    /// <summary>An integral scalar.</summary>
    public static implicit operator Scalar(sbyte value) => new(new NativeScalar { I = value, F = value, Kind = NativeScalar.Integral });
    /// <summary>A boolean scalar.</summary>
    public static implicit operator Scalar(bool value) => new(new NativeScalar { I = value ? 1 : 0, F = value ? 1 : 0, Kind = NativeScalar.Boolean });

    /// <summary>True for a floating scalar.</summary>
    public bool IsFloatingPoint => Value.Kind == NativeScalar.Floating;

    /// <summary>True for an integral scalar.</summary>
    public bool IsIntegral => Value.Kind == NativeScalar.Integral;

    /// <summary>True for a boolean scalar.</summary>
    public bool IsBoolean => Value.Kind == NativeScalar.Boolean;

    /// <summary>The value as a double.</summary>
    public double ToDouble() => Value.Kind == NativeScalar.Floating ? Value.F : Value.I;

    /// <summary>The value as a 64-bit integer (floating values are truncated).</summary>
    public long ToInt64() => Value.Kind == NativeScalar.Floating ? (long)Value.F : Value.I;

    /// <summary>The value as a boolean (non-zero is true).</summary>
    public bool ToBoolean() => Value.Kind == NativeScalar.Floating ? Value.F != 0 : Value.I != 0;

    /// <summary>Does nothing: this scalar owns no native resource.</summary>
    public void Dispose() { }

    /// <inheritdoc/>
    public bool Equals(Scalar other) => Value.Kind == other.Value.Kind && Value.F.Equals(other.Value.F) && Value.I == other.Value.I;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Scalar s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Value.Kind, Value.F, Value.I);

    /// <summary>Compares two scalars by kind and value.</summary>
    public static bool operator ==(Scalar left, Scalar right) => left.Equals(right);

    /// <summary>Compares two scalars by kind and value.</summary>
    public static bool operator !=(Scalar left, Scalar right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => Value.Kind switch
    {
        NativeScalar.Floating => Value.F.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        NativeScalar.Boolean => Value.I != 0 ? "True" : "False",
        _ => Value.I.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>TorchSharp's <c>ToScalar()</c> extension methods.</summary>
public static class ScalarExtensionMethods
{
    /// <summary>Converts to a floating scalar.</summary>
    public static Scalar ToScalar(this double value) => value;
    /// <summary>Converts to a floating scalar.</summary>
    public static Scalar ToScalar(this float value) => value;
    /// <summary>Converts to an integral scalar.</summary>
    public static Scalar ToScalar(this long value) => value;
    /// <summary>Converts to an integral scalar.</summary>
    public static Scalar ToScalar(this int value) => value;
    /// <summary>Converts to a boolean scalar.</summary>
    public static Scalar ToScalar(this bool value) => value;
}
