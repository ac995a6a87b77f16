using System.Globalization;
using System.Text;
using LossKit.Torch;
using static LossKit.Torch.torch;

namespace LossKit;

/// <summary>
/// Checks a differentiable function's autograd gradients against central finite differences in float64, as
/// <c>torch.autograd.gradcheck</c> does, so you can verify a loss you wrote yourself.
/// </summary>
public static class GradCheck
{
    /// <summary>
    /// Compares the analytical Jacobian (by autograd) of <paramref name="function"/> with the numerical one
    /// ((f(x + ε) - f(x - ε)) / 2ε, one element at a time) for every input that requires grad.
    /// </summary>
    /// <param name="function">The function to check. It receives the inputs and returns a tensor of any shape; it must not
    /// modify its inputs, and must be deterministic.</param>
    /// <param name="inputs">The inputs. Those with <c>requires_grad</c> are checked and must be float64 (finite differences
    /// in float32 are too coarse for these tolerances) and contiguous.</param>
    /// <param name="eps">Perturbation ε (PyTorch's default 1e-6).</param>
    /// <param name="atol">Absolute tolerance (PyTorch's default 1e-5).</param>
    /// <param name="rtol">Relative tolerance (PyTorch's default 1e-3): an element passes when
    /// |analytical - numerical| ≤ atol + rtol · |numerical|.</param>
    /// <param name="raise_exception">Throw <see cref="GradCheckException"/> describing the mismatches instead of returning false.</param>
    /// <returns>True when every element agrees.</returns>
    /// <remarks>Cost: one backward pass per output element and two forward passes per input element, so keep the
    /// inputs small (tens of elements). Points where the function is not differentiable (|x| at 0, a hinge at its
    /// kink) legitimately fail: keep inputs away from them.</remarks>
    public static bool gradcheck(Func<Tensor[], Tensor> function, IReadOnlyList<Tensor> inputs,
        double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3, bool raise_exception = true)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "gradcheck: eps must be positive.");
        var checkedInputs = inputs.Select((t, i) => (t, i)).Where(p => p.t.requires_grad).ToList();
        if (checkedInputs.Count == 0)
            throw new ArgumentException("gradcheck: no input requires grad, so there is nothing to check.", nameof(inputs));
        foreach (var (t, i) in checkedInputs)
        {
            if (t.dtype != ScalarType.Float64)
                throw new ArgumentException($"gradcheck: input {i} is {t.dtype}; inputs that require grad must be float64 (use .to(ScalarType.Float64)).", nameof(inputs));
            if (!t.is_contiguous())
                throw new ArgumentException($"gradcheck: input {i} is not contiguous; pass input.contiguous().", nameof(inputs));
        }

        using var scope = NewDisposeScope();
        var args = inputs.ToArray();

        // Analytical Jacobian: one vector-Jacobian product per output element.
        var output = function(args).flatten();
        if (output.dtype != ScalarType.Float64)
            throw new ArgumentException($"gradcheck: the function returned {output.dtype}; with float64 inputs it should return float64.", nameof(function));
        var outCount = (int)output.numel();
        var analytical = checkedInputs.Select(p => new double[p.t.numel() * outCount]).ToArray();
        for (var j = 0; j < outCount; j++)
        {
            using var inner = NewDisposeScope();
            var element = output[j];
            if (!element.requires_grad) continue; // constant output: zero row.
            var grads = autograd.grad([element], checkedInputs.Select(p => p.t).ToList(), retain_graph: true, allow_unused: true);
            for (var k = 0; k < grads.Count; k++)
            {
                if (grads[k] is not { } g) continue;
                var values = g.contiguous().ToArray<double>();
                for (var e = 0; e < values.Length; e++) analytical[k][e * outCount + j] = values[e];
            }
        }

        // Numerical Jacobian: central differences, one input element at a time.
        var numerical = checkedInputs.Select(p => new double[p.t.numel() * outCount]).ToArray();
        using (no_grad())
        {
            for (var k = 0; k < checkedInputs.Count; k++)
            {
                var flat = checkedInputs[k].t.detach().view(-1);
                var original = flat.ToArray<double>();
                for (var e = 0; e < original.Length; e++)
                {
                    using var inner = NewDisposeScope();
                    flat.index_put_(original[e] + eps, e);
                    var plus = function(args).flatten().ToArray<double>();
                    flat.index_put_(original[e] - eps, e);
                    var minus = function(args).flatten().ToArray<double>();
                    flat.index_put_(original[e], e);
                    for (var j = 0; j < outCount; j++) numerical[k][e * outCount + j] = (plus[j] - minus[j]) / (2 * eps);
                }
            }
        }

        var report = new StringBuilder();
        var failures = 0;
        for (var k = 0; k < checkedInputs.Count; k++)
        {
            for (var idx = 0; idx < numerical[k].Length; idx++)
            {
                var a = analytical[k][idx];
                var n = numerical[k][idx];
                if (Math.Abs(a - n) <= atol + rtol * Math.Abs(n)) continue;
                if (failures++ < 10)
                    report.AppendLine(CultureInfo.InvariantCulture,
                        $"  input {checkedInputs[k].i}, element {idx / outCount}, output element {idx % outCount}: numerical {n:R}, analytical {a:R}");
            }
        }
        if (failures == 0) return true;
        if (!raise_exception) return false;
        throw new GradCheckException(
            $"gradcheck: {failures} Jacobian entries differ (eps {eps}, atol {atol}, rtol {rtol}):{Environment.NewLine}{report}");
    }

    /// <summary>Single-input form of <see cref="gradcheck(Func{Tensor[], Tensor}, IReadOnlyList{Tensor}, double, double, double, bool)"/>.</summary>
    public static bool gradcheck(Func<Tensor, Tensor> function, Tensor input,
        double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3, bool raise_exception = true) =>
        gradcheck(args => function(args[0]), [input], eps, atol, rtol, raise_exception);
}

/// <summary>Thrown by <see cref="GradCheck.gradcheck(Func{Tensor[], Tensor}, IReadOnlyList{Tensor}, double, double, double, bool)"/>
/// when analytical and numerical gradients disagree; the message lists the first mismatches.</summary>
public sealed class GradCheckException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GradCheckException(string message) : base(message) { }
}
