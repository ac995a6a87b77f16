namespace LossKit.Torch;

public static partial class torch
{
    /// <summary>Element types of tensors. The values are libtorch's (c10::ScalarType) and TorchSharp's.</summary>
    /// <remarks>LossKit.Torch supports float32, float64, int64, int32 and bool everywhere; the other members exist
    /// so that code written against TorchSharp compiles, and work where libtorch supports them.</remarks>
    public enum ScalarType : sbyte
    {
        /// <summary>8-bit unsigned integer (uint8).</summary>
        Byte = 0,
        /// <summary>8-bit signed integer.</summary>
        Int8 = 1,
        /// <summary>16-bit signed integer.</summary>
        Int16 = 2,
        /// <summary>32-bit signed integer.</summary>
        Int32 = 3,
        /// <summary>64-bit signed integer: the dtype of class indices.</summary>
        Int64 = 4,
        /// <summary>IEEE half precision.</summary>
        Float16 = 5,
        /// <summary>IEEE single precision: the default floating dtype.</summary>
        Float32 = 6,
        /// <summary>IEEE double precision: what gradient checks use.</summary>
        Float64 = 7,
        /// <summary>Boolean: the dtype of masks and comparison results.</summary>
        Bool = 11,
        /// <summary>bfloat16.</summary>
        BFloat16 = 15,
    }

#pragma warning disable CA2211 // TorchSharp exposes these aliases as mutable static fields; mirrored for source compatibility.
    /// <summary>Alias of <see cref="ScalarType.Bool"/>.</summary>
    public static ScalarType @bool = ScalarType.Bool;
    /// <summary>Alias of <see cref="ScalarType.Byte"/>.</summary>
    public static ScalarType uint8 = ScalarType.Byte;
    /// <summary>Alias of <see cref="ScalarType.Int8"/>.</summary>
    public static ScalarType int8 = ScalarType.Int8;
    /// <summary>Alias of <see cref="ScalarType.Int16"/>.</summary>
    public static ScalarType int16 = ScalarType.Int16;
    /// <summary>Alias of <see cref="ScalarType.Int32"/>.</summary>
    public static ScalarType int32 = ScalarType.Int32;
    /// <summary>Alias of <see cref="ScalarType.Int64"/>.</summary>
    public static ScalarType int64 = ScalarType.Int64;
    /// <summary>Alias of <see cref="ScalarType.Float16"/>.</summary>
    public static ScalarType float16 = ScalarType.Float16;
    /// <summary>Alias of <see cref="ScalarType.BFloat16"/>.</summary>
    public static ScalarType bfloat16 = ScalarType.BFloat16;
    /// <summary>Alias of <see cref="ScalarType.Float32"/>.</summary>
    public static ScalarType float32 = ScalarType.Float32;
    /// <summary>Alias of <see cref="ScalarType.Float64"/>.</summary>
    public static ScalarType float64 = ScalarType.Float64;
    /// <summary>Alias of <see cref="ScalarType.Int16"/>.</summary>
    public static ScalarType @short = ScalarType.Int16;
    /// <summary>Alias of <see cref="ScalarType.Int32"/>.</summary>
    public static ScalarType @int = ScalarType.Int32;
    /// <summary>Alias of <see cref="ScalarType.Int64"/>.</summary>
    public static ScalarType @long = ScalarType.Int64;
    /// <summary>Alias of <see cref="ScalarType.Float16"/>.</summary>
    public static ScalarType half = ScalarType.Float16;
    /// <summary>Alias of <see cref="ScalarType.Float32"/>.</summary>
    public static ScalarType @float = ScalarType.Float32;
    /// <summary>Alias of <see cref="ScalarType.Float64"/>.</summary>
    public static ScalarType @double = ScalarType.Float64;
#pragma warning restore CA2211

    /// <summary>True for the integer dtypes (including <see cref="ScalarType.Bool"/>, as in PyTorch's is_integral with bool).</summary>
    public static bool is_integral(ScalarType type) =>
        type is ScalarType.Byte or ScalarType.Int8 or ScalarType.Int16 or ScalarType.Int32 or ScalarType.Int64 or ScalarType.Bool;

    /// <summary>True for the floating-point dtypes.</summary>
    public static bool is_floating_point(ScalarType type) =>
        type is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;

    /// <summary>Size in bytes of one element of <paramref name="type"/>.</summary>
    public static int element_size(ScalarType type) => type switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown dtype."),
    };

    /// <summary>The dtype of new floating-point tensors when none is given: <see cref="ScalarType.Float32"/>.</summary>
    public static ScalarType get_default_dtype() => ScalarType.Float32;

    // The .NET element type that matches a dtype, for data<T>() and tensor(T[]).
    internal static ScalarType ScalarTypeOf<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return ScalarType.Float32;
        if (typeof(T) == typeof(double)) return ScalarType.Float64;
        if (typeof(T) == typeof(long)) return ScalarType.Int64;
        if (typeof(T) == typeof(int)) return ScalarType.Int32;
        if (typeof(T) == typeof(bool)) return ScalarType.Bool;
        if (typeof(T) == typeof(byte)) return ScalarType.Byte;
        if (typeof(T) == typeof(sbyte)) return ScalarType.Int8;
        if (typeof(T) == typeof(short)) return ScalarType.Int16;
        if (typeof(T) == typeof(Half)) return ScalarType.Float16;
        throw new NotSupportedException($"No tensor dtype corresponds to the .NET type {typeof(T).Name}.");
    }
}
