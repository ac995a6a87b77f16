using System.Collections.ObjectModel;
using LossKit.Torch.Modules;

namespace LossKit.Torch;

public static partial class torch
{
    public static partial class optim
    {
        /// <summary>
        /// Base class of the optimizers (<see cref="Modules.SGD"/>, <see cref="Modules.Adam"/>, <see cref="Modules.AdamW"/>,
        /// <see cref="Modules.RMSProp"/>): parameter groups, per-parameter state, <see cref="zero_grad"/> and
        /// <see cref="step()"/>, as <c>torch.optim.Optimizer</c> in PyTorch and TorchSharp.
        /// </summary>
        /// <remarks>
        /// <para><b>A step.</b> <see cref="step()"/> first checks every group's options, then, with gradient recording off
        /// (<see cref="no_grad"/>) and inside a dispose scope, updates each parameter of each group in order with the
        /// optimizer's rule (PyTorch 1.13's single-tensor implementation, operation for operation). Parameters whose
        /// <c>grad</c> is null are skipped and get no state, as in PyTorch. Parameters and state tensors are updated in
        /// place (<c>add_</c>, <c>mul_</c>, <c>addcdiv_</c>, ...); the temporaries of one parameter's update are freed
        /// before the next parameter is updated.</para>
        /// <para><b>State.</b> State tensors (momentum buffers, moment estimates) are created at a parameter's first update,
        /// with its shape, dtype and device at that time, and belong to the optimizer: <see cref="Dispose"/> frees them.
        /// The optimizer never disposes parameters; their module does.</para>
        /// <para><b>Threads.</b> An optimizer is not thread-safe; step it from one thread at a time.</para>
        /// <para><b>Differences from TorchSharp.</b> <see cref="zero_grad"/> takes <c>set_to_none</c> and defaults it to true
        /// (TorchSharp zeroes the gradients; PyTorch 1.13 defaults to false, PyTorch 2 to true). <see cref="step()"/>
        /// returns nothing and <see cref="step(Func{Tensor})"/> returns the closure's loss (TorchSharp has one
        /// <c>Tensor step(Func&lt;Tensor&gt; closure = null)</c>). A parameter may appear only once across all groups
        /// (PyTorch only warns about duplicates inside one group). Optimizers cannot be subclassed outside LossKit.</para>
        /// </remarks>
        public abstract class Optimizer : IDisposable
        {
            private readonly List<ParamGroup> _groups = new();
            private readonly ReadOnlyCollection<ParamGroup> _groupsView;
            private readonly HashSet<Parameter> _allParameters = new(ReferenceEqualityComparer.Instance);
            private readonly Dictionary<Parameter, IOptimizerState> _state = new(ReferenceEqualityComparer.Instance);
            private bool _disposed;

            private protected Optimizer(string name)
            {
                Name = name;
                _groupsView = _groups.AsReadOnly();
            }

            /// <summary>The optimizer's name in messages ("SGD", "Adam", ...).</summary>
            private protected string Name { get; }

            /// <summary>The parameter groups, in the order they were added.</summary>
            public IReadOnlyList<ParamGroup> ParamGroups => _groupsView;

            /// <summary>Every parameter of every group, in order.</summary>
            public IEnumerable<Parameter> parameters() => _groups.SelectMany(g => g.Parameters).ToList();

            /// <summary>
            /// Adds a group of parameters, for instance layers unfrozen during fine-tuning. Options the group leaves null
            /// take the optimizer's defaults (the values given to its factory). A group of another optimizer's options
            /// type is rejected; a plain <see cref="ParamGroup"/> (base <see cref="OptimizerOptions"/>) keeps its learning
            /// rate and takes every other option from the defaults.
            /// </summary>
            /// <exception cref="ArgumentException">The group was already added to an optimizer, holds a parameter twice or a
            /// parameter another group holds, a disposed parameter, options of another optimizer, or invalid options.</exception>
            public void add_param_group(ParamGroup param_group)
            {
                ThrowIfDisposed();
                ArgumentNullException.ThrowIfNull(param_group);
                var index = _groups.Count;
                if (param_group.Owner is not null)
                    throw new ArgumentException($"{Name}: this param group was already added to {(ReferenceEquals(param_group.Owner, this) ? "this" : "another")} optimizer.", nameof(param_group));
                var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
                for (var i = 0; i < param_group.Parameters.Count; i++)
                {
                    var p = param_group.Parameters[i];
                    if (p.IsInvalid)
                        throw new ArgumentException($"{Name}: parameter {i} of param group {index} has been disposed.", nameof(param_group));
                    if (!seen.Add(p))
                        throw new ArgumentException($"{Name}: param group {index} contains parameter {i} more than once.", nameof(param_group));
                    if (_allParameters.Contains(p))
                        throw new ArgumentException($"{Name}: parameter {i} of param group {index} already belongs to another param group of this optimizer (some parameters appear in more than one parameter group).", nameof(param_group));
                }
                var options = PrepareOptions(param_group.Options, index);
                options.SetProvisionalInitialLearningRate(options.LearningRate!.Value);
                param_group.Options = options;
                param_group.Owner = this;
                _groups.Add(param_group);
                _allParameters.UnionWith(param_group.Parameters);
            }

            /// <summary>
            /// Clears the gradient of every parameter: sets it to null (<paramref name="set_to_none"/>, the default), or
            /// fills it with zeros in place.
            /// </summary>
            /// <remarks>With null gradients the next <see cref="step()"/> skips parameters that received no gradient;
            /// with zeroed ones it updates them with a zero gradient (which still moves them under momentum or weight decay),
            /// exactly as in PyTorch.</remarks>
            public void zero_grad(bool set_to_none = true)
            {
                ThrowIfDisposed();
                using var noGrad = no_grad();
                foreach (var group in _groups)
                {
                    foreach (var p in group.Parameters)
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
            }

            /// <summary>Updates every parameter that has a gradient, once (see the class remarks).</summary>
            /// <exception cref="ArgumentException">An option of a group was changed to an invalid value since it was added.</exception>
            /// <exception cref="ObjectDisposedException">The optimizer, or one of its parameters, has been disposed.</exception>
            public void step()
            {
                ThrowIfDisposed();
                RunStep();
            }

            /// <summary>
            /// Runs <paramref name="closure"/> with gradient recording on (it typically zeroes the gradients, computes the
            /// loss and calls <c>backward</c>), then updates the parameters as <see cref="step()"/> does.
            /// </summary>
            /// <returns>The closure's loss (it belongs to the caller's dispose scope, if any).</returns>
            public Tensor step(Func<Tensor> closure)
            {
                ArgumentNullException.ThrowIfNull(closure);
                ThrowIfDisposed();
                Tensor loss;
                using (enable_grad()) loss = closure();
                RunStep();
                return loss;
            }

            private void RunStep()
            {
                for (var i = 0; i < _groups.Count; i++) ValidateOptions(_groups[i].Options, i);
                using var noGrad = no_grad();
                using var scope = NewDisposeScope();
                foreach (var group in _groups)
                {
                    foreach (var p in group.Parameters)
                    {
                        var grad = p.grad;
                        if (grad is null) continue;
                        Update(group, p, grad);
                        scope.DisposeEverything();
                    }
                }
            }

            /// <summary>
            /// Completes (options left null take the defaults) and checks the options of the group about to get index
            /// <paramref name="groupIndex"/>, converting a base <see cref="OptimizerOptions"/> to the optimizer's type.
            /// Throws before changing anything when an option is invalid.
            /// </summary>
            private protected abstract OptimizerOptions PrepareOptions(OptimizerOptions given, int groupIndex);

            /// <summary>Checks the (complete) options of group <paramref name="groupIndex"/> before a step.</summary>
            private protected abstract void ValidateOptions(OptimizerOptions options, int groupIndex);

            /// <summary>Updates one parameter in place from its gradient (runs under no_grad, inside a dispose scope).</summary>
            private protected abstract void Update(ParamGroup group, Parameter parameter, Tensor grad);

            /// <summary>The state of <paramref name="parameter"/>, created empty at the first call.</summary>
            private protected TState GetState<TState>(Parameter parameter) where TState : class, IOptimizerState, new()
            {
                if (!_state.TryGetValue(parameter, out var state))
                {
                    state = new TState();
                    _state.Add(parameter, state);
                }
                return (TState)state;
            }

            /// <summary>A zero tensor like <paramref name="like"/> that the optimizer owns (taken out of the step's dispose scope).</summary>
            private protected static Tensor NewStateTensor(Tensor like) => zeros_like(like).DetachFromDisposeScope();

            /// <summary>Adds <paramref name="groups"/> (the constructor's groups); throws when there are none.</summary>
            private protected void AddParamGroups(IEnumerable<ParamGroup> groups)
            {
                ArgumentNullException.ThrowIfNull(groups);
                var list = groups.ToList();
                if (list.Count == 0) throw new ArgumentException($"{Name}: got an empty list of param groups.", "parameters");
                foreach (var g in list)
                {
                    if (g is null) throw new ArgumentException($"{Name}: the list of param groups contains null.", "parameters");
                    add_param_group(g);
                }
            }

            /// <summary>One group of <paramref name="parameters"/> with <paramref name="options"/>; throws when there are no parameters.</summary>
            private protected static ParamGroup[] OneGroup(string name, IEnumerable<Parameter> parameters, OptimizerOptions options)
            {
                ArgumentNullException.ThrowIfNull(parameters);
                var list = parameters.ToList();
                if (list.Count == 0) throw new ArgumentException($"{name}: got an empty parameter list.", nameof(parameters));
                if (list.Any(p => p is null)) throw new ArgumentException($"{name}: the parameter list contains null.", nameof(parameters));
                return [new ParamGroup(list, options)];
            }

            /// <summary>The name of an options object's type in messages ("Adam.Options").</summary>
            private protected static string OptionsName(OptimizerOptions options)
            {
                var t = options.GetType();
                return t.DeclaringType is { } d ? $"{d.Name}.{t.Name}" : t.Name;
            }

            /// <summary>"SGD" for the constructor's defaults (index -1), "SGD (param group 2)" for a group: the owner named in messages.</summary>
            private protected string Owner(int groupIndex) => groupIndex < 0 ? Name : $"{Name} (param group {groupIndex})";

            /// <summary>True when <paramref name="parameter"/> has state (it has been updated at least once).</summary>
            internal bool HasState(Parameter parameter) => _state.ContainsKey(parameter);

            /// <summary>Every state tensor the optimizer owns.</summary>
            internal IReadOnlyList<Tensor> StateTensors() => _state.Values.SelectMany(s => s.Tensors).ToList();

            /// <summary>True once the optimizer has been disposed.</summary>
            public bool IsDisposed => _disposed;

            /// <summary>Frees the optimizer's state tensors (never the parameters). Using the optimizer afterwards throws.</summary>
            public void Dispose()
            {
                if (_disposed) return;
                _disposed = true;
                foreach (var state in _state.Values) state.Dispose();
                _state.Clear();
                GC.SuppressFinalize(this);
            }

            private void ThrowIfDisposed()
            {
                if (_disposed) throw new ObjectDisposedException(Name, $"{Name}: this optimizer has been disposed and can no longer be used.");
            }
        }
    }
}
