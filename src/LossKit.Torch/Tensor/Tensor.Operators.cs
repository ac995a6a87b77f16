namespace LossKit.Torch;

public static partial class torch
{
#pragma warning disable CS0660, CS0661 // Equals/GetHashCode are overridden in Tensor.Math.cs (reference identity), on purpose.
    public partial class Tensor
    {
        // Arithmetic operators, as in TorchSharp. Each returns a new tensor (and a new dispose-scope entry).

        /// <summary>Element-wise sum.</summary>
        public static Tensor operator +(Tensor left, Tensor right) => left.add(right);
        /// <summary>Element-wise sum.</summary>
        public static Tensor operator +(Tensor left, Scalar right) => left.add(right);
        /// <summary>Element-wise sum.</summary>
        public static Tensor operator +(Scalar left, Tensor right) => right.add(left);
        /// <summary>Element-wise difference.</summary>
        public static Tensor operator -(Tensor left, Tensor right) => left.sub(right);
        /// <summary>Element-wise difference.</summary>
        public static Tensor operator -(Tensor left, Scalar right) => left.sub(right);
        /// <summary>Element-wise difference (scalar minus tensor).</summary>
        public static Tensor operator -(Scalar left, Tensor right) => From(Interop.NativeMethods.lk_rsub_scalar(left.Value, right.NativeHandle), "rsub");
        /// <summary>Element-wise negation.</summary>
        public static Tensor operator -(Tensor value) => value.neg();
        /// <summary>Element-wise product.</summary>
        public static Tensor operator *(Tensor left, Tensor right) => left.mul(right);
        /// <summary>Element-wise product.</summary>
        public static Tensor operator *(Tensor left, Scalar right) => left.mul(right);
        /// <summary>Element-wise product.</summary>
        public static Tensor operator *(Scalar left, Tensor right) => right.mul(left);
        /// <summary>Element-wise true division.</summary>
        public static Tensor operator /(Tensor left, Tensor right) => left.div(right);
        /// <summary>Element-wise true division.</summary>
        public static Tensor operator /(Tensor left, Scalar right) => left.div(right);
        /// <summary>Element-wise true division (scalar divided by tensor).</summary>
        public static Tensor operator /(Scalar left, Tensor right) => From(Interop.NativeMethods.lk_rdiv_scalar(left.Value, right.NativeHandle), "rdiv");
        /// <summary>Element-wise Python-style remainder.</summary>
        public static Tensor operator %(Tensor left, Tensor right) => left.remainder(right);
        /// <summary>Element-wise Python-style remainder.</summary>
        public static Tensor operator %(Tensor left, Scalar right) => left.remainder(right);
        /// <summary>Bitwise and (logical and for bool tensors).</summary>
        public static Tensor operator &(Tensor left, Tensor right) => left.bitwise_and(right);
        /// <summary>Bitwise or (logical or for bool tensors).</summary>
        public static Tensor operator |(Tensor left, Tensor right) => left.bitwise_or(right);
        /// <summary>Bitwise xor (logical xor for bool tensors).</summary>
        public static Tensor operator ^(Tensor left, Tensor right) => left.bitwise_xor(right);
        /// <summary>Bitwise not (logical not for bool tensors).</summary>
        public static Tensor operator ~(Tensor value) => value.bitwise_not();

        // Comparison operators return bool TENSORS, as in TorchSharp. To test a reference for null use `is null`.

        /// <summary>Element-wise ==, a bool tensor. (Use <c>is null</c> to test for null.)</summary>
        public static Tensor operator ==(Tensor left, Tensor right) => NotNull(left).eq(NotNull(right));
        /// <summary>Element-wise !=, a bool tensor. (Use <c>is not null</c> to test for null.)</summary>
        public static Tensor operator !=(Tensor left, Tensor right) => NotNull(left).ne(NotNull(right));
        /// <summary>Element-wise ==, a bool tensor.</summary>
        public static Tensor operator ==(Tensor left, Scalar right) => NotNull(left).eq(right);
        /// <summary>Element-wise !=, a bool tensor.</summary>
        public static Tensor operator !=(Tensor left, Scalar right) => NotNull(left).ne(right);
        /// <summary>Element-wise ==, a bool tensor.</summary>
        public static Tensor operator ==(Scalar left, Tensor right) => NotNull(right).eq(left);
        /// <summary>Element-wise !=, a bool tensor.</summary>
        public static Tensor operator !=(Scalar left, Tensor right) => NotNull(right).ne(left);
        /// <summary>Element-wise &lt;, a bool tensor.</summary>
        public static Tensor operator <(Tensor left, Tensor right) => left.lt(right);
        /// <summary>Element-wise &lt;=, a bool tensor.</summary>
        public static Tensor operator <=(Tensor left, Tensor right) => left.le(right);
        /// <summary>Element-wise &gt;, a bool tensor.</summary>
        public static Tensor operator >(Tensor left, Tensor right) => left.gt(right);
        /// <summary>Element-wise &gt;=, a bool tensor.</summary>
        public static Tensor operator >=(Tensor left, Tensor right) => left.ge(right);
        /// <summary>Element-wise &lt;, a bool tensor.</summary>
        public static Tensor operator <(Tensor left, Scalar right) => left.lt(right);
        /// <summary>Element-wise &lt;=, a bool tensor.</summary>
        public static Tensor operator <=(Tensor left, Scalar right) => left.le(right);
        /// <summary>Element-wise &gt;, a bool tensor.</summary>
        public static Tensor operator >(Tensor left, Scalar right) => left.gt(right);
        /// <summary>Element-wise &gt;=, a bool tensor.</summary>
        public static Tensor operator >=(Tensor left, Scalar right) => left.ge(right);
        /// <summary>Element-wise &lt;, a bool tensor.</summary>
        public static Tensor operator <(Scalar left, Tensor right) => right.gt(left);
        /// <summary>Element-wise &lt;=, a bool tensor.</summary>
        public static Tensor operator <=(Scalar left, Tensor right) => right.ge(left);
        /// <summary>Element-wise &gt;, a bool tensor.</summary>
        public static Tensor operator >(Scalar left, Tensor right) => right.lt(left);
        /// <summary>Element-wise &gt;=, a bool tensor.</summary>
        public static Tensor operator >=(Scalar left, Tensor right) => right.le(left);

        private static Tensor NotNull(Tensor? t) => t ?? throw new ArgumentNullException(nameof(t),
            "Tensor comparison operators compare values element-wise and need two tensors; to test a reference for null use 'is null'.");
    }
#pragma warning restore CS0660, CS0661
}
