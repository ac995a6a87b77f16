namespace LossKit.Torch;

public static partial class torch
{
    public static partial class optim
    {
        public static partial class lr_scheduler
        {
            /// <summary>The scheduler classes, as TorchSharp's <c>torch.optim.lr_scheduler.impl</c>; create them with the <see cref="lr_scheduler"/> factories.</summary>
            public static partial class impl
            {
                /// <summary>
                /// Multiplies each group's learning rate by <c>gamma</c> every <c>step_size</c> epochs: PyTorch 1.13's
                /// <c>StepLR</c>. Create it with <see cref="lr_scheduler.StepLR"/>.
                /// </summary>
                /// <remarks>
                /// Chainable rule, applied by each <see cref="LRScheduler.step()"/> after <c>last_epoch</c> has advanced:
                /// <code>
                /// lr ← (last_epoch = 0 or last_epoch mod step_size ≠ 0) ? lr : lr·γ
                /// </code>
                /// With only this scheduler acting, the learning rate at epoch e is lr₀·γ^⌊e / step_size⌋ (computed by repeated
                /// multiplication, as PyTorch does).
                /// </remarks>
                public sealed class StepLR : LRScheduler
                {
                    private readonly int _stepSize;
                    private readonly double _gamma;

                    internal StepLR(Optimizer optimizer, int step_size, double gamma, int last_epoch) : base(optimizer, nameof(StepLR))
                    {
                        Modules.OptimArgs.AtLeast(Name, nameof(step_size), step_size, 1);
                        Modules.OptimArgs.NonNegative(Name, nameof(gamma), gamma);
                        _stepSize = step_size;
                        _gamma = gamma;
                        StartChainable(last_epoch);
                    }

                    /// <summary>The period of the decay, in epochs.</summary>
                    public int step_size => _stepSize;

                    /// <summary>The multiplicative factor of the decay.</summary>
                    public double gamma => _gamma;

                    private protected override IReadOnlyList<double> get_lr()
                    {
                        var lrs = CurrentLearningRates();
                        if (last_epoch == 0 || last_epoch % _stepSize != 0) return lrs;
                        for (var i = 0; i < lrs.Length; i++) lrs[i] *= _gamma;
                        return lrs;
                    }
                }
            }
        }
    }
}
