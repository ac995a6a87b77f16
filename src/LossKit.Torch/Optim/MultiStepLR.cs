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
                /// Multiplies each group's learning rate by <c>gamma</c> when the epoch reaches a milestone: PyTorch 1.13's
                /// <c>MultiStepLR</c>. Create it with <see cref="lr_scheduler.MultiStepLR"/>.
                /// </summary>
                /// <remarks>
                /// Chainable rule, applied by each <see cref="LRScheduler.step()"/> after <c>last_epoch</c> has advanced, with
                /// c the number of times <c>last_epoch</c> appears among the milestones (PyTorch counts them with a
                /// <c>Counter</c>, so a repeated milestone multiplies by γ^c):
                /// <code>
                /// lr ← c = 0 ? lr : lr·γ^c
                /// </code>
                /// </remarks>
                public sealed class MultiStepLR : LRScheduler
                {
                    private readonly Dictionary<int, int> _milestones = new();
                    private readonly double _gamma;

                    internal MultiStepLR(Optimizer optimizer, IList<int> milestones, double gamma, int last_epoch) : base(optimizer, nameof(MultiStepLR))
                    {
                        ArgumentNullException.ThrowIfNull(milestones);
                        Modules.OptimArgs.NonNegative(Name, nameof(gamma), gamma);
                        foreach (var m in milestones) _milestones[m] = _milestones.TryGetValue(m, out var c) ? c + 1 : 1;
                        _gamma = gamma;
                        StartChainable(last_epoch);
                    }

                    /// <summary>The milestones in increasing order (a repeated milestone appears as often as it was given).</summary>
                    public IReadOnlyList<int> milestones => _milestones.OrderBy(kv => kv.Key).SelectMany(kv => Enumerable.Repeat(kv.Key, kv.Value)).ToArray();

                    /// <summary>The multiplicative factor of the decay.</summary>
                    public double gamma => _gamma;

                    private protected override IReadOnlyList<double> get_lr()
                    {
                        var lrs = CurrentLearningRates();
                        if (!_milestones.TryGetValue(last_epoch, out var count)) return lrs;
                        var factor = Math.Pow(_gamma, count);
                        for (var i = 0; i < lrs.Length; i++) lrs[i] *= factor;
                        return lrs;
                    }
                }
            }
        }
    }
}
