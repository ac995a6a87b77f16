using System.Globalization;
using System.Text;

namespace LossKit.Torch;

/// <summary>How <see cref="torch.Tensor.ToString(TensorStringStyle)"/> renders a tensor.</summary>
public enum TensorStringStyle
{
    /// <summary>Shape, dtype and device only: "[2x3], type = Float32, device = cpu".</summary>
    Metadata,
    /// <summary>The metadata line followed by every value, nested in brackets like NumPy.</summary>
    Numpy,
    /// <summary>Metadata, plus the values when the tensor has at most <see cref="torch.Tensor.MaxElementsInToString"/> elements.</summary>
    Default,
}

public static partial class torch
{
    public partial class Tensor
    {
        /// <summary>Tensors with at most this many elements show their values in <see cref="ToString()"/>.</summary>
        public const int MaxElementsInToString = 64;

        /// <summary>
        /// Shape, dtype and device ("[2x3], type = Float32, device = cpu"), followed by the values when the tensor has at
        /// most <see cref="MaxElementsInToString"/> elements. A disposed tensor renders as "Tensor (disposed)".
        /// </summary>
        public override string ToString() => ToString(TensorStringStyle.Default);

        /// <summary>Renders the tensor in the given style.</summary>
        public string ToString(TensorStringStyle style)
        {
            if (IsInvalid) return "Tensor (disposed)";
            var shape = this.shape;
            var meta = $"[{string.Join("x", shape)}], type = {dtype}, device = {device}";
            if (style == TensorStringStyle.Metadata) return meta;
            var n = numel();
            if (style == TensorStringStyle.Default && n > MaxElementsInToString) return meta;
            var text = new StringBuilder(meta).Append('\n');
            string[] values;
            using (var cpu = this.detach())
            {
                values = cpu.dtype switch
                {
                    ScalarType.Float32 => cpu.ToArray<float>().Select(v => Format(v)).ToArray(),
                    ScalarType.Float64 => cpu.ToArray<double>().Select(Format).ToArray(),
                    ScalarType.Int64 => cpu.ToArray<long>().Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray(),
                    ScalarType.Int32 => cpu.ToArray<int>().Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray(),
                    ScalarType.Bool => cpu.ToArray<bool>().Select(v => v ? "True" : "False").ToArray(),
                    _ => ConvertedValues(cpu),
                };
            }
            var width = values.Length == 0 ? 0 : values.Max(v => v.Length);
            var position = 0;
            AppendNested(text, shape, 0, values, ref position, width);
            return text.ToString();
        }

        private static string[] ConvertedValues(Tensor t)
        {
            using var d = t.to(ScalarType.Float64);
            return d.ToArray<double>().Select(Format).ToArray();
        }

        private static string Format(double v) =>
            double.IsNaN(v) ? "nan" : double.IsPositiveInfinity(v) ? "inf" : double.IsNegativeInfinity(v) ? "-inf"
            : v.ToString("0.####", CultureInfo.InvariantCulture);

        private static void AppendNested(StringBuilder text, long[] shape, int dim, string[] values, ref int position, int width)
        {
            if (shape.Length == 0)
            {
                text.Append(values[0]);
                return;
            }
            text.Append('[');
            for (long i = 0; i < shape[dim]; i++)
            {
                if (i > 0)
                {
                    text.Append(',');
                    if (dim == shape.Length - 1) text.Append(' ');
                    else text.Append('\n', shape.Length - 1 - dim).Append(' ', dim + 1);
                }
                if (dim == shape.Length - 1) text.Append(values[position++].PadLeft(width));
                else AppendNested(text, shape, dim + 1, values, ref position, width);
            }
            text.Append(']');
        }
    }
}
