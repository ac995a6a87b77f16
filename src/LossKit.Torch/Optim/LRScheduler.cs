using LossKit.Torch.Modules;

namespace LossKit.Torch;

public static partial class torch
{
    public static partial class optim
    {
        public static partial class lr_scheduler
        {
            /// <summary>
            /// Base class of the learning-rate schedulers: each <see cref="step()"/> sets the learning rate of every
            /// parameter group of the optimizer, as PyTorch's <c>_LRScheduler</c> and TorchSharp's <c>LRScheduler</c>.
            /// </summary>
            /// <remarks>
            /// <para><b>Chainable form.</b> <see cref="impl.StepLR"/>, <see cref="impl.MultiStepLR"/> and
            /// <see cref="impl.ExponentialLR"/> compute each new learning rate from the group's current one (PyTorch 1.13's
            /// recursive <c>get_lr</c>), not from a closed formula of the epoch: their sequences are PyTorch's to the last
            /// bit, several schedulers on one optimizer compose, and a learning rate you set by hand between steps is the
            /// one they scale next.</para>
            /// <para><b>Construction.</b> Like PyTorch, a chainable scheduler takes one step when it is created
            /// (<see cref="last_epoch"/> goes from -1 to 0, leaving the learning rates as they are), and the first time a
            /// scheduler is attached with <c>last_epoch = -1</c> it records each group's current learning rate as its
            /// <see cref="ParamGroup.InitialLearningRate"/> (once: later schedulers keep it). Resuming with
            /// <c>last_epoch &gt;= 0</c> needs <see cref="ParamGroup.InitialLearningRate"/> already set on every group (PyTorch
            /// raises a KeyError otherwise); the current learning rates are taken as those of epoch <c>last_epoch</c>.</para>
            /// <para><b>Order.</b> Call <c>optimizer.step()</c> before <c>scheduler.step()</c>, as in PyTorch 1.1 and later.
            /// Schedulers cannot be subclassed outside LossKit.</para>
            /// <para><b>Differences from TorchSharp.</b> The factories take no <c>verbose</c> argument and there is no
            /// <c>step(int? epoch)</c> (PyTorch deprecated the closed form it selects); <see cref="get_last_lr"/> returns a
            /// list; <see cref="ParamGroup.InitialLearningRate"/> follows PyTorch's <c>initial_lr</c> rules above.
            /// <see cref="impl.ReduceLROnPlateau"/> derives from this class as in TorchSharp (in PyTorch it does not).</para>
            /// </remarks>
            public abstract class LRScheduler
            {
                private readonly Optimizer _optimizer;
                private double[] _lastLr;

                private protected LRScheduler(Optimizer optimizer, string name)
                {
                    ArgumentNullException.ThrowIfNull(optimizer);
                    if (optimizer.IsDisposed) throw new ObjectDisposedException(name, $"{name}: the optimizer has been disposed.");
                    _optimizer = optimizer;
                    Name = name;
                    _lastLr = CurrentLearningRates();
                }

                /// <summary>The scheduler's name in messages ("StepLR", ...).</summary>
                private protected string Name { get; }

                /// <summary>The optimizer whose learning rates this scheduler sets.</summary>
                private protected Optimizer Optimizer => _optimizer;

                /// <summary>
                /// The index of the last epoch: the number of <see cref="step()"/> calls since the schedule started, counting
                /// the one a chainable scheduler takes when it is created (so 0 right after creation with the default
                /// <c>last_epoch = -1</c>). For <see cref="impl.ReduceLROnPlateau"/>, the number of <c>step(metric)</c> calls.
                /// </summary>
                public int last_epoch { get; private protected set; }

                /// <summary>The learning rates of the groups the schedule started from (PyTorch's <c>base_lrs</c>).</summary>
                private protected IReadOnlyList<double> base_lrs { get; private set; } = Array.Empty<double>();

                /// <summary>Advances the schedule by one epoch and sets every group's learning rate.</summary>
                public virtual void step()
                {
                    last_epoch += 1;
                    var values = get_lr();
                    var groups = _optimizer.ParamGroups;
                    for (var i = 0; i < groups.Count && i < values.Count; i++) groups[i].LearningRate = values[i];
                    _lastLr = CurrentLearningRates();
                }

                /// <summary>
                /// Advances the schedule given a metric (the validation loss, say). Only
                /// <see cref="impl.ReduceLROnPlateau"/> uses the metric; the other schedulers ignore it and take a plain
                /// <see cref="step()"/>, as in TorchSharp, so that a training loop can treat every scheduler alike.
                /// </summary>
                public virtual void step(double metric) => step();

                /// <summary>The learning rate of each group after the last step (a copy), as PyTorch's <c>get_last_lr()</c>.</summary>
                /// <remarks>Before the first <c>step(metric)</c> of a <see cref="impl.ReduceLROnPlateau"/>, the learning rates
                /// it was created with (PyTorch has no value yet then).</remarks>
                public IReadOnlyList<double> get_last_lr() => _lastLr.ToArray();

                /// <summary>The chainable rule: the new learning rate of each group, computed once per step after <see cref="last_epoch"/> has advanced.</summary>
                private protected virtual IReadOnlyList<double> get_lr() =>
                    throw new NotSupportedException($"{Name} has no chainable learning-rate rule.");

                /// <summary>Records the groups' current learning rates as those <see cref="get_last_lr"/> returns.</summary>
                private protected void RecordLastLearningRates() => _lastLr = CurrentLearningRates();

                /// <summary>The groups' current learning rates.</summary>
                private protected double[] CurrentLearningRates() => _optimizer.ParamGroups.Select(g => g.LearningRate).ToArray();

                /// <summary>PyTorch's <c>_LRScheduler.__init__</c>: records the initial learning rates and takes the initial step.
                /// Call it at the end of a chainable scheduler's constructor, once its own fields are set.</summary>
                private protected void StartChainable(int last_epoch)
                {
                    if (last_epoch < -1)
                        throw new ArgumentOutOfRangeException(nameof(last_epoch), last_epoch, $"{Name}: last_epoch must be >= -1; got {last_epoch}.");
                    var groups = _optimizer.ParamGroups;
                    if (last_epoch == -1)
                    {
                        foreach (var g in groups)
                            if (!g.Options.HasInitialLearningRate) g.InitialLearningRate = g.LearningRate;
                    }
                    else
                    {
                        for (var i = 0; i < groups.Count; i++)
                        {
                            if (!groups[i].Options.HasInitialLearningRate)
                                throw new ArgumentException($"{Name}: last_epoch = {last_epoch} resumes a schedule, which needs InitialLearningRate set on every param group, and param group {i} has none (PyTorch: \"param 'initial_lr' is not specified in param_groups[{i}] when resuming an optimizer\"). Set it, or use last_epoch = -1.", nameof(last_epoch));
                        }
                    }
                    base_lrs = groups.Select(g => g.InitialLearningRate).ToArray();
                    this.last_epoch = last_epoch;
                    step();
                }
            }
        }
    }
}
