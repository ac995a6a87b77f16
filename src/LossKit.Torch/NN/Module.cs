using System.Reflection;
using LossKit.Torch.Modules;

namespace LossKit.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// Base class of every module: a named container of parameters, buffers and submodules, as in TorchSharp and PyTorch.
        /// </summary>
        /// <remarks>
        /// A module owns its parameters and buffers: <see cref="Dispose()"/> releases them and those of every submodule.
        /// Custom modules declare fields and call <see cref="RegisterComponents"/> at the end of their constructor (fields of
        /// type <see cref="Parameter"/> become parameters, <see cref="Module"/> fields submodules, other <see cref="Tensor"/>
        /// fields buffers), or call <see cref="register_parameter"/> and friends directly.
        /// A module is not thread-safe: share one between threads only for concurrent forward passes in eval mode.
        /// </remarks>
        public abstract class Module : IDisposable
        {
            private readonly List<(string name, Parameter? parameter)> _parameters = new();
            private readonly List<(string name, Tensor? buffer)> _buffers = new();
            private readonly List<(string name, Module module)> _modules = new();
            private bool _componentsRegistered;
            private bool _disposed;

            /// <summary>Creates a module with the given name (shown by <see cref="GetName"/>).</summary>
            protected Module(string name) => this.name = name;

            /// <summary>The module's name (usually its type name).</summary>
            protected string name { get; }

            /// <summary>The module's name.</summary>
            public virtual string GetName() => name;

            /// <summary>True in training mode (the default), false after <see cref="eval"/>.</summary>
            public virtual bool training { get; private set; } = true;

            // ----- registration -------------------------------------------------------------------------

            /// <summary>Registers a parameter under <paramref name="name"/> (null registers an absent one, like PyTorch's None).</summary>
            public virtual void register_parameter(string name, Parameter? param)
            {
                CheckName(name);
                _parameters.Add((name, param));
            }

            /// <summary>Registers a tensor that is part of the module's state but is not trained.</summary>
            public virtual void register_buffer(string name, Tensor? tensor)
            {
                CheckName(name);
                _buffers.Add((name, tensor));
            }

            /// <summary>Registers a submodule.</summary>
            public virtual void register_module(string name, Module submodule)
            {
                ArgumentNullException.ThrowIfNull(submodule);
                CheckName(name);
                if (ReferenceEquals(submodule, this)) throw new ArgumentException("A module cannot contain itself.", nameof(submodule));
                _modules.Add((name, submodule));
            }

            /// <summary>Alias of <see cref="register_module"/>.</summary>
            public void add_module(string name, Module module) => register_module(name, module);

            private void CheckName(string name)
            {
                ThrowIfDisposed();
                if (string.IsNullOrEmpty(name) || name.Contains('.'))
                    throw new ArgumentException($"Invalid component name '{name}': it must be non-empty and contain no '.'.", nameof(name));
                if (_parameters.Any(p => p.name == name) || _buffers.Any(b => b.name == name) || _modules.Any(m => m.name == name))
                    throw new ArgumentException($"The module '{GetName()}' already has a component named '{name}'.", nameof(name));
            }

            /// <summary>
            /// Registers, once, every field of this module's type (and its base types) holding a <see cref="Parameter"/>,
            /// a <see cref="Module"/> or another <see cref="Tensor"/> (a buffer), under the field's name. Call it at the end
            /// of a custom module's constructor.
            /// </summary>
            protected virtual void RegisterComponents()
            {
                if (_componentsRegistered) return;
                _componentsRegistered = true;
                var seen = new HashSet<string>();
                for (var type = GetType(); type is not null && type != typeof(Module); type = type.BaseType)
                {
                    foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    {
                        var fieldName = field.Name.StartsWith('<') ? field.Name[1..field.Name.IndexOf('>')] : field.Name;
                        if (!seen.Add(fieldName)) continue;
                        switch (field.GetValue(this))
                        {
                            case Parameter p when !_parameters.Any(x => ReferenceEquals(x.parameter, p)): register_parameter(fieldName, p); break;
                            case Module m when !ReferenceEquals(m, this) && !_modules.Any(x => ReferenceEquals(x.module, m)): register_module(fieldName, m); break;
                            case Tensor t when t is not Modules.Parameter && !_buffers.Any(x => ReferenceEquals(x.buffer, t)): register_buffer(fieldName, t); break;
                        }
                    }
                }
            }

            // ----- enumeration --------------------------------------------------------------------------

            /// <summary>The parameters of this module and (with <paramref name="recurse"/>) of its submodules, in registration order.</summary>
            public virtual IEnumerable<Parameter> parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.parameter);

            /// <summary>The parameters with dotted names ("fc1.weight").</summary>
            public virtual IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true)
            {
                ThrowIfDisposed();
                var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
                foreach (var (n, p) in _parameters)
                    if (p is not null && seen.Add(p)) yield return (n, p);
                if (!recurse) yield break;
                foreach (var (prefix, m) in _modules)
                    foreach (var (n, p) in m.named_parameters(true))
                        if (seen.Add(p)) yield return ($"{prefix}.{n}", p);
            }

            /// <summary>The buffers with dotted names.</summary>
            public virtual IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true)
            {
                ThrowIfDisposed();
                foreach (var (n, b) in _buffers)
                    if (b is not null) yield return (n, b);
                if (!recurse) yield break;
                foreach (var (prefix, m) in _modules)
                    foreach (var (n, b) in m.named_buffers(true)) yield return ($"{prefix}.{n}", b);
            }

            /// <summary>The buffers of this module and its submodules.</summary>
            public virtual IEnumerable<Tensor> buffers(bool recurse = true) => named_buffers(recurse).Select(b => b.buffer);

            /// <summary>The direct submodules with their names.</summary>
            public virtual IEnumerable<(string name, Module module)> named_children() => _modules.ToList();

            /// <summary>The direct submodules.</summary>
            public virtual IEnumerable<Module> children() => _modules.Select(m => m.module).ToList();

            /// <summary>Every module below this one (not this one, as in TorchSharp), with dotted names, depth first.</summary>
            public virtual IEnumerable<(string name, Module module)> named_modules()
            {
                foreach (var (n, m) in _modules)
                {
                    yield return (n, m);
                    foreach (var (sub, sm) in m.named_modules()) yield return ($"{n}.{sub}", sm);
                }
            }

            /// <summary>Every module below this one.</summary>
            public virtual IEnumerable<Module> modules() => named_modules().Select(m => m.module);

            // ----- state --------------------------------------------------------------------------------

            /// <summary>Sets training mode (dropout active) on this module and every submodule.</summary>
            public virtual void train(bool train = true)
            {
                training = train;
                foreach (var (_, m) in _modules) m.train(train);
            }

            /// <summary>Sets evaluation mode (dropout inactive) on this module and every submodule.</summary>
            public virtual void eval() => train(false);

            /// <summary>Clears the gradient of every parameter (or, with <paramref name="set_to_none"/> false, sets it to zeros).</summary>
            public virtual void zero_grad(bool set_to_none = true)
            {
                foreach (var p in parameters())
                {
                    if (set_to_none)
                    {
                        p.grad = null;
                        continue;
                    }
                    using var g = p.grad;
                    g?.zero_();
                }
            }

            /// <summary>Moves every parameter and buffer to <paramref name="device"/> in place (the same objects, new data).</summary>
            public Module to(Device device) => MoveTo(null, device);

            /// <summary>Converts every floating-point parameter and buffer to <paramref name="dtype"/> in place.</summary>
            public Module to(ScalarType dtype)
            {
                if (!is_floating_point(dtype))
                    throw new ArgumentException($"Module.to: parameters can only be converted to a floating-point dtype, not {dtype}.", nameof(dtype));
                return MoveTo(dtype, null);
            }

            /// <summary>Converts and moves every parameter and buffer.</summary>
            public Module to(ScalarType dtype, Device device) => MoveTo(dtype, device);

            private Module MoveTo(ScalarType? dtype, Device? device)
            {
                ThrowIfDisposed();
                using (no_grad())
                {
                    foreach (var (_, p) in _parameters)
                        if (p is not null) p.MoveData(dtype, device);
                    foreach (var (_, b) in _buffers)
                        if (b is not null) b.MoveData(b.is_floating_point() ? dtype : null, device);
                }
                foreach (var (_, m) in _modules) m.MoveTo(dtype, device);
                return this;
            }

            /// <summary>Copies of every parameter and buffer by dotted name (detached; the caller disposes them).</summary>
            public virtual Dictionary<string, Tensor> state_dict()
            {
                var result = new Dictionary<string, Tensor>();
                foreach (var (n, p) in named_parameters()) result[n] = DetachedCopy(p);
                foreach (var (n, b) in named_buffers()) result[n] = DetachedCopy(b);
                return result;

                // The intermediate detach() is disposed at once: left to a scope or the finalizer, it would keep the
                // parameter's storage alive after the module is disposed.
                static Tensor DetachedCopy(Tensor t)
                {
                    using var detached = t.detach();
                    return detached.clone().DetachFromDisposeScope();
                }
            }

            /// <summary>Copies values from <paramref name="source"/> into the parameters and buffers of the same names.</summary>
            /// <returns>The names this module has that <paramref name="source"/> lacks, and the reverse.</returns>
            /// <exception cref="ArgumentException">With <paramref name="strict"/>, when names do not match; always, when shapes differ.</exception>
            public virtual (IList<string> missing_keys, IList<string> unexpected_keys) load_state_dict(Dictionary<string, Tensor> source, bool strict = true)
            {
                ArgumentNullException.ThrowIfNull(source);
                var own = named_parameters().Select(p => (p.name, tensor: (Tensor)p.parameter)).Concat(named_buffers()).ToList();
                var missing = own.Where(o => !source.ContainsKey(o.name)).Select(o => o.name).ToList();
                var unexpected = source.Keys.Where(k => own.All(o => o.name != k)).ToList();
                if (strict && (missing.Count > 0 || unexpected.Count > 0))
                    throw new ArgumentException($"load_state_dict: missing keys [{string.Join(", ", missing)}], unexpected keys [{string.Join(", ", unexpected)}].", nameof(source));
                using (no_grad())
                {
                    foreach (var (n, t) in own)
                    {
                        if (!source.TryGetValue(n, out var value)) continue;
                        if (!t.shape.SequenceEqual(value.shape))
                            throw new ArgumentException($"load_state_dict: '{n}' has shape {Tensor.FormatShape(t.shape)} here but {Tensor.FormatShape(value.shape)} in the source.", nameof(source));
                        t.copy_(value);
                    }
                }
                return (missing, unexpected);
            }

            // ----- disposal -----------------------------------------------------------------------------

            /// <summary>Releases every parameter, buffer and submodule. Using the module afterwards throws.</summary>
            public void Dispose()
            {
                Dispose(true);
                GC.SuppressFinalize(this);
            }

            /// <summary>Releases the module's components.</summary>
            protected virtual void Dispose(bool disposing)
            {
                if (_disposed || !disposing) return;
                _disposed = true;
                foreach (var (_, p) in _parameters) p?.Dispose();
                foreach (var (_, b) in _buffers) b?.Dispose();
                foreach (var (_, m) in _modules) m.Dispose();
            }

            /// <summary>Throws <see cref="ObjectDisposedException"/> when the module has been disposed.</summary>
            protected void ThrowIfDisposed()
            {
                if (_disposed) throw new ObjectDisposedException(GetName(), $"The module '{GetName()}' has been disposed and can no longer be used.");
            }

            /// <summary>True once the module has been disposed.</summary>
            public bool IsDisposed => _disposed;

            /// <summary>The module's name and type.</summary>
            public override string ToString() => GetName();
        }

        /// <summary>A module with one input.</summary>
        public abstract class Module<T, TResult> : Module
        {
            /// <summary>Creates the module.</summary>
            protected Module(string name) : base(name) { }

            /// <summary>The computation of the module.</summary>
            public abstract TResult forward(T input);

            /// <summary>Runs <see cref="forward"/>; throws if the module has been disposed. (No hooks: LossKit.Torch has none.)</summary>
            public TResult call(T input)
            {
                ThrowIfDisposed();
                return forward(input);
            }
        }

        /// <summary>A module with two inputs, such as a loss (input, target).</summary>
        public abstract class Module<T1, T2, TResult> : Module
        {
            /// <summary>Creates the module.</summary>
            protected Module(string name) : base(name) { }

            /// <summary>The computation of the module.</summary>
            public abstract TResult forward(T1 input1, T2 input2);

            /// <summary>Runs <see cref="forward"/>; throws if the module has been disposed.</summary>
            public TResult call(T1 input1, T2 input2)
            {
                ThrowIfDisposed();
                return forward(input1, input2);
            }
        }

        /// <summary>A module with three inputs.</summary>
        public abstract class Module<T1, T2, T3, TResult> : Module
        {
            /// <summary>Creates the module.</summary>
            protected Module(string name) : base(name) { }

            /// <summary>The computation of the module.</summary>
            public abstract TResult forward(T1 input1, T2 input2, T3 input3);

            /// <summary>Runs <see cref="forward"/>; throws if the module has been disposed.</summary>
            public TResult call(T1 input1, T2 input2, T3 input3)
            {
                ThrowIfDisposed();
                return forward(input1, input2, input3);
            }
        }

        /// <summary>A module with four inputs, such as CTC (log_probs, targets, input_lengths, target_lengths).</summary>
        public abstract class Module<T1, T2, T3, T4, TResult> : Module
        {
            /// <summary>Creates the module.</summary>
            protected Module(string name) : base(name) { }

            /// <summary>The computation of the module.</summary>
            public abstract TResult forward(T1 input1, T2 input2, T3 input3, T4 input4);

            /// <summary>Runs <see cref="forward"/>; throws if the module has been disposed.</summary>
            public TResult call(T1 input1, T2 input2, T3 input3, T4 input4)
            {
                ThrowIfDisposed();
                return forward(input1, input2, input3, input4);
            }
        }
    }
}
