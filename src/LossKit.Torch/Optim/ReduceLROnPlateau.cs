namespace LossKit.Torch;

public static partial class torch
{
    public static partial class optim
    {
        public static partial class lr_scheduler
        {
            public static partial class impl
            {
                /// <summary>
                /// Reduces the learning rates when a metric has stopped improving: PyTorch 1.13's <c>ReduceLROnPlateau</c>.
                /// Create it with <see cref="lr_scheduler.ReduceLROnPlateau(Optimizer, string, double, int, double, string, int, double, double)"/>
                /// and call <see cref="step(double)"/> with the metric once per epoch.
                /// </summary>
                /// <remarks>
                /// <para>Each <c>step(metric)</c>, in PyTorch's order:</para>
                /// <code>
                /// last_epoch ← last_epoch + 1
                /// if is_better(metric, best):  best ← metric;  num_bad_epochs ← 0
                /// else:                        num_bad_epochs ← num_bad_epochs + 1
                /// if cooldown_counter &gt; 0:     cooldown_counter ← cooldown_counter − 1;  num_bad_epochs ← 0
                /// if num_bad_epochs &gt; patience:
                ///     for each group i:  new ← max(lr·factor, min_lr[i]);  if lr − new &gt; eps: lr ← new
                ///     cooldown_counter ← cooldown;  num_bad_epochs ← 0
                /// </code>
                /// <para>with is_better(a, best): mode "min", threshold_mode "rel": a &lt; best·(1 − threshold); "min", "abs":
                /// a &lt; best − threshold; "max", "rel": a &gt; best·(1 + threshold); "max", "abs": a &gt; best + threshold.
                /// best starts at +∞ ("min") or −∞ ("max"); a NaN metric is never better. The eps guard skips reductions
                /// smaller than eps (for instance once a learning rate sits at min_lr).</para>
                /// <para>Checks stricter than PyTorch's: factor must lie in [0, 1) (PyTorch only rejects factor ≥ 1), and
                /// patience, cooldown, threshold, min_lr and eps must be ≥ 0.</para>
                /// </remarks>
                public sealed class ReduceLROnPlateau : LRScheduler
                {
                    private readonly double[]? _minLrs;
                    private readonly double _minLr;

                    internal ReduceLROnPlateau(Optimizer optimizer, string mode, double factor, int patience, double threshold, string threshold_mode,
                        int cooldown, IList<double>? min_lrs, double min_lr, double eps) : base(optimizer, nameof(ReduceLROnPlateau))
                    {
                        ArgumentNullException.ThrowIfNull(mode);
                        ArgumentNullException.ThrowIfNull(threshold_mode);
                        if (mode is not ("min" or "max"))
                            throw new ArgumentException($"{Name}: mode must be \"min\" or \"max\"; got \"{mode}\".", nameof(mode));
                        if (threshold_mode is not ("rel" or "abs"))
                            throw new ArgumentException($"{Name}: threshold_mode must be \"rel\" or \"abs\"; got \"{threshold_mode}\".", nameof(threshold_mode));
                        Modules.OptimArgs.InHalfOpenUnit(Name, nameof(factor), factor);
                        Modules.OptimArgs.AtLeast(Name, nameof(patience), patience, 0);
                        Modules.OptimArgs.NonNegative(Name, nameof(threshold), threshold);
                        Modules.OptimArgs.AtLeast(Name, nameof(cooldown), cooldown, 0);
                        Modules.OptimArgs.NonNegative(Name, nameof(eps), eps);
                        if (min_lrs is not null)
                        {
                            var groups = optimizer.ParamGroups.Count;
                            if (min_lrs.Count != groups)
                                throw new ArgumentException($"{Name}: expected {groups} min_lr values (one per param group), got {min_lrs.Count}.", "min_lr");
                            foreach (var m in min_lrs) Modules.OptimArgs.NonNegative(Name, "min_lr", m);
                            _minLrs = min_lrs.ToArray();
                        }
                        else
                        {
                            Modules.OptimArgs.NonNegative(Name, nameof(min_lr), min_lr);
                            _minLr = min_lr;
                        }
                        this.mode = mode;
                        this.factor = factor;
                        this.patience = patience;
                        this.threshold = threshold;
                        this.threshold_mode = threshold_mode;
                        this.cooldown = cooldown;
                        this.eps = eps;
                        last_epoch = 0;
                        best = mode == "min" ? double.PositiveInfinity : double.NegativeInfinity;
                        cooldown_counter = 0;
                        num_bad_epochs = 0;
                    }

                    /// <summary>"min" (the metric should decrease) or "max" (increase).</summary>
                    public string mode { get; }

                    /// <summary>The factor a reduction multiplies the learning rates by.</summary>
                    public double factor { get; }

                    /// <summary>How many epochs without improvement are tolerated before a reduction.</summary>
                    public int patience { get; }

                    /// <summary>The threshold of a significant improvement.</summary>
                    public double threshold { get; }

                    /// <summary>"rel" (threshold relative to best) or "abs" (absolute).</summary>
                    public string threshold_mode { get; }

                    /// <summary>How many epochs to wait after a reduction before counting bad epochs again.</summary>
                    public int cooldown { get; }

                    /// <summary>The smallest reduction applied.</summary>
                    public double eps { get; }

                    /// <summary>The best metric seen (+∞ or −∞ before the first step).</summary>
                    public double best { get; private set; }

                    /// <summary>Consecutive epochs without improvement (outside cooldown).</summary>
                    public int num_bad_epochs { get; private set; }

                    /// <summary>Epochs of cooldown left.</summary>
                    public int cooldown_counter { get; private set; }

                    /// <summary>True while in cooldown after a reduction.</summary>
                    public bool in_cooldown => cooldown_counter > 0;

                    /// <summary>Not available: this scheduler needs the metric.</summary>
                    /// <exception cref="InvalidOperationException">Always: call <see cref="step(double)"/>.</exception>
                    public override void step() =>
                        throw new InvalidOperationException($"{Name}: step() needs the metric to watch; call step(metric), e.g. step(validationLoss).");

                    /// <summary>Records one epoch's <paramref name="metric"/> and reduces the learning rates if it has not improved for more than <see cref="patience"/> epochs.</summary>
                    /// <exception cref="InvalidOperationException">Param groups were added to the optimizer after this scheduler was created with one min_lr per group.</exception>
                    public override void step(double metric)
                    {
                        var current = metric;
                        last_epoch += 1;
                        if (is_better(current, best))
                        {
                            best = current;
                            num_bad_epochs = 0;
                        }
                        else
                        {
                            num_bad_epochs += 1;
                        }
                        if (in_cooldown)
                        {
                            cooldown_counter -= 1;
                            num_bad_epochs = 0;
                        }
                        if (num_bad_epochs > patience)
                        {
                            reduce_lr();
                            cooldown_counter = cooldown;
                            num_bad_epochs = 0;
                        }
                        RecordLastLearningRates();
                    }

                    private void reduce_lr()
                    {
                        var groups = Optimizer.ParamGroups;
                        if (_minLrs is not null && groups.Count > _minLrs.Length)
                            throw new InvalidOperationException($"{Name}: the optimizer has {groups.Count} param groups but the scheduler was given {_minLrs.Length} min_lr values.");
                        for (var i = 0; i < groups.Count; i++)
                        {
                            var old_lr = groups[i].LearningRate;
                            var new_lr = Math.Max(old_lr * factor, _minLrs?[i] ?? _minLr);
                            if (old_lr - new_lr > eps) groups[i].LearningRate = new_lr;
                        }
                    }

                    private bool is_better(double a, double best) => (mode, threshold_mode) switch
                    {
                        ("min", "rel") => a < best * (1.0 - threshold),
                        ("min", _) => a < best - threshold,
                        (_, "rel") => a > best * (threshold + 1.0),
                        _ => a > best + threshold,
                    };
                }
            }
        }
    }
}
