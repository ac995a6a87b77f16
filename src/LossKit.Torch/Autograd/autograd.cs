using LossKit.Torch.Interop;
using static LossKit.Torch.Interop.NativeMethods;

namespace LossKit.Torch;

/// <summary>
/// The entry point of LossKit.Torch, mirroring TorchSharp's <c>torch</c> class: tensor creation and operations,
/// <see cref="Tensor"/>, autograd, dispose scopes, <see cref="nn"/> modules and optimizers.
/// Write <c>using static LossKit.Torch.torch;</c> as TorchSharp code writes <c>using static TorchSharp.torch;</c>.
/// </summary>
public static partial class torch
{
    /// <summary>Functional autograd, as torch.autograd in PyTorch.</summary>
    public static class autograd
    {
        /// <summary>
        /// Gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/>, returned instead of being
        /// accumulated into <c>.grad</c>.
        /// </summary>
        /// <param name="outputs">Tensors to differentiate; non-scalar ones need a matching <paramref name="grad_outputs"/> entry.</param>
        /// <param name="inputs">Tensors (that require grad) to differentiate with respect to.</param>
        /// <param name="grad_outputs">The "vector" of the vector-Jacobian product for each output; null entries mean ones for scalars.</param>
        /// <param name="retain_graph">Keep the graph for another backward pass (defaults to <paramref name="create_graph"/>).</param>
        /// <param name="create_graph">Record the computation of the gradients, for higher-order derivatives.</param>
        /// <param name="allow_unused">Return null for inputs the outputs do not depend on, instead of throwing.</param>
        public static unsafe IList<Tensor?> grad(IList<Tensor> outputs, IList<Tensor> inputs, IList<Tensor?>? grad_outputs = null,
            bool? retain_graph = null, bool create_graph = false, bool allow_unused = false)
        {
            ArgumentNullException.ThrowIfNull(outputs);
            ArgumentNullException.ThrowIfNull(inputs);
            if (outputs.Count == 0) throw new ArgumentException("autograd.grad: no outputs given.", nameof(outputs));
            if (inputs.Count == 0) throw new ArgumentException("autograd.grad: no inputs given.", nameof(inputs));
            if (grad_outputs is not null && grad_outputs.Count != outputs.Count)
                throw new ArgumentException($"autograd.grad: {grad_outputs.Count} grad_outputs given for {outputs.Count} outputs.", nameof(grad_outputs));

            var refs = new List<TensorHandle>();
            IntPtr Borrow(Tensor? t)
            {
                if (t is null) return IntPtr.Zero;
                var h = t.NativeHandle;
                var ok = false;
                h.DangerousAddRef(ref ok);
                refs.Add(h);
                return h.DangerousGetHandle();
            }

            try
            {
                var outs = outputs.Select(Borrow).ToArray();
                var ins = inputs.Select(Borrow).ToArray();
                var gouts = grad_outputs?.Select(Borrow).ToArray();
                var results = new IntPtr[inputs.Count];
                fixed (IntPtr* o = outs)
                fixed (IntPtr* i = ins)
                fixed (IntPtr* g = gouts)
                fixed (IntPtr* r = results)
                {
                    NativeError.Check(lk_autograd_grad(o, outs.Length, i, ins.Length, gouts is null ? null : g,
                        retain_graph is null ? -1 : retain_graph.Value ? 1 : 0, create_graph ? 1 : 0, allow_unused ? 1 : 0, r), "autograd.grad");
                }
                return results.Select(p => p == IntPtr.Zero ? null : new Tensor(new TensorHandle(p))).ToList();
            }
            finally
            {
                foreach (var h in refs) h.DangerousRelease();
            }
        }

        /// <summary>
        /// LossKit extension: the identity on <paramref name="input"/> (a view of it) whose backward pass checks the gradient
        /// flowing back through it, and fails <c>backward</c> (or <see cref="grad"/>) with <see cref="LossKit.NonFiniteLossException"/>
        /// (kind <see cref="LossKit.NonFiniteKind.Gradient"/>) when an element of it is NaN or infinite. The gradient itself
        /// passes unchanged. When <paramref name="input"/> does not require grad, or grad mode is off, nothing is recorded and
        /// the result is a plain alias. <c>LossKit.LossChecks</c> puts one in front of every loss's input.
        /// </summary>
        /// <param name="input">The tensor whose incoming gradient is checked.</param>
        /// <param name="name">The name the error reports (the loss's, for LossKit's losses).</param>
        /// <param name="argument">The argument the error reports ("input").</param>
        public static Tensor check_grad_finite(Tensor input, string name, string argument = "input")
        {
            ArgumentNullException.ThrowIfNull(input);
            return Tensor.From(lk_check_finite(input.NativeHandle, name ?? "", argument ?? ""), nameof(check_grad_finite));
        }

        /// <summary>Accumulates the gradients of <paramref name="tensors"/> into the leaves (like calling backward on each).</summary>
        public static void backward(IList<Tensor> tensors, IList<Tensor?>? grad_tensors = null, bool? retain_graph = null, bool create_graph = false)
        {
            ArgumentNullException.ThrowIfNull(tensors);
            var retain = retain_graph ?? create_graph;
            for (var i = 0; i < tensors.Count; i++)
            {
                var keep = retain || i < tensors.Count - 1;
                tensors[i].backward(grad_tensors?[i], retain_graph: keep, create_graph: create_graph);
            }
        }
    }

    public partial class Tensor
    {
        /// <summary>TorchSharp's form: backward with a list of gradients (at most one, for this tensor).</summary>
        public void backward(IList<Tensor>? grad_tensors = null, bool create_graph = false, bool retain_graph = false)
        {
            if (grad_tensors is not null && grad_tensors.Count > 1)
                throw new ArgumentException($"backward: {grad_tensors.Count} gradients given for one tensor.", nameof(grad_tensors));
            backward(grad_tensors is { Count: 1 } ? grad_tensors[0] : null, retain_graph, create_graph);
        }
    }
}
