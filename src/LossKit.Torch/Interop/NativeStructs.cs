using System.Runtime.InteropServices;

namespace LossKit.Torch.Interop;

/// <summary>The C ABI's <c>lk_scalar</c>: kind 0 = floating (F), 1 = integral (I), 2 = boolean (I != 0).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeScalar
{
    public double F;
    public long I;
    public int Kind;
    public int Reserved;

    public const int Floating = 0;
    public const int Integral = 1;
    public const int Boolean = 2;
}

/// <summary>The C ABI's <c>lk_index</c>: one entry of an index expression <c>t[...]</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeIndex
{
    public int Kind;
    public int Reserved;
    public long Start;
    public long Stop;
    public long Step;
    public IntPtr Tensor;

    public const int Single = 0;
    public const int Slice = 1;
    public const int Ellipsis = 2;
    public const int NewAxis = 3;
    public const int TensorIndex = 4;
    public const int Bool = 5;
    public const long NoneValue = long.MinValue;
}

/// <summary>Error kinds of the C ABI (<c>enum lk_error_kind</c>).</summary>
internal enum NativeErrorKind
{
    Ok = 0,
    Generic = 1,
    Index = 2,
    Value = 3,
    Type = 4,
    NotImplemented = 5,
    OutOfMemory = 6,
    Unknown = 7,
    NonFinite = 8,
}
