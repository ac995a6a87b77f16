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
                /// Multiplies each group's learning rate by <c>gamma</c> every epoch: PyTorch 1.13's <c>ExponentialLR</c>.
                /// Create it with <see cref="lr_scheduler.ExponentialLR"/>.
                /// </summary>
                /// <remarks>
                /// Chainable rule, applied by each <see cref="LRScheduler.step()"/> after <c>last_epoch</c> has advanced:
                /// <code>
                /// lr ← last_epoch = 0 ? lr : lr·γ
                /// </code>
                /// With only this scheduler acting, epoch e has lr₀·γ^e, computed by repeated multiplication as in PyTorch
                /// (which can differ in the last bits from lr₀·Math.Pow(γ, e)).
                /// </remarks>
                public sealed class ExponentialLR : LRScheduler
                {
                    private readonly double _gamma;

                    internal ExponentialLR(Optimizer optimizer, double gamma, int last_epoch) : base(optimizer, nameof(ExponentialLR))
                    {
                        Modules.OptimArgs.NonNegative(Name, nameof(gamma), gamma);
                        _gamma = gamma;
                        StartChainable(last_epoch);
                    }

                    /// <summary>The multiplicative factor of the decay.</summary>
                    public double gamma => _gamma;

                    private protected override IReadOnlyList<double> get_lr()
                    {
                        var lrs = CurrentLearningRates();
                        if (last_epoch == 0) return lrs;
                        for (var i = 0; i < lrs.Length; i++) lrs[i] *= _gamma;
                        return lrs;
                    }
                }
            }
        }
    }
}
