namespace LossKit.Torch;

public static partial class torch
{
    public static partial class optim
    {
        /// <summary>
        /// Learning-rate schedulers, as <c>torch.optim.lr_scheduler</c> in TorchSharp and PyTorch 1.13. The chainable ones
        /// (<see cref="StepLR"/>, <see cref="MultiStepLR"/>, <see cref="ExponentialLR"/>) reproduce PyTorch's learning-rate
        /// sequences exactly; <see cref="ReduceLROnPlateau(Optimizer, string, double, int, double, string, int, double, double)"/>
        /// reproduces its plateau logic. See <see cref="LRScheduler"/> for what they share.
        /// </summary>
        public static partial class lr_scheduler
        {
            /// <summary>Multiplies each group's learning rate by <paramref name="gamma"/> every <paramref name="step_size"/> epochs (see <see cref="impl.StepLR"/>).</summary>
            /// <param name="optimizer">The optimizer whose learning rates to schedule.</param>
            /// <param name="step_size">The period of the decay, in epochs (≥ 1).</param>
            /// <param name="gamma">The multiplicative factor (≥ 0, default 0.1).</param>
            /// <param name="last_epoch">The index of the last epoch when resuming (default -1: start a new schedule).</param>
            /// <exception cref="ArgumentOutOfRangeException">step_size &lt; 1, gamma negative or not finite, last_epoch &lt; -1.</exception>
            /// <exception cref="ArgumentException">Resuming (last_epoch ≥ 0) while a group has no InitialLearningRate.</exception>
            public static impl.StepLR StepLR(Optimizer optimizer, int step_size, double gamma = 0.1, int last_epoch = -1) =>
                new(optimizer, step_size, gamma, last_epoch);

            /// <summary>Multiplies each group's learning rate by <paramref name="gamma"/> at each milestone epoch (see <see cref="impl.MultiStepLR"/>).</summary>
            /// <param name="optimizer">The optimizer whose learning rates to schedule.</param>
            /// <param name="milestones">The epochs at which to decay (PyTorch asks for them increasing; a repeated one decays by γ per repetition).</param>
            /// <param name="gamma">The multiplicative factor (≥ 0, default 0.1).</param>
            /// <param name="last_epoch">The index of the last epoch when resuming (default -1: start a new schedule).</param>
            /// <exception cref="ArgumentOutOfRangeException">gamma negative or not finite, last_epoch &lt; -1.</exception>
            /// <exception cref="ArgumentException">Resuming (last_epoch ≥ 0) while a group has no InitialLearningRate.</exception>
            public static impl.MultiStepLR MultiStepLR(Optimizer optimizer, IList<int> milestones, double gamma = 0.1, int last_epoch = -1) =>
                new(optimizer, milestones, gamma, last_epoch);

            /// <summary>Multiplies each group's learning rate by <paramref name="gamma"/> every epoch (see <see cref="impl.ExponentialLR"/>).</summary>
            /// <param name="optimizer">The optimizer whose learning rates to schedule.</param>
            /// <param name="gamma">The multiplicative factor (≥ 0; no default, as in PyTorch).</param>
            /// <param name="last_epoch">The index of the last epoch when resuming (default -1: start a new schedule).</param>
            /// <exception cref="ArgumentOutOfRangeException">gamma negative or not finite, last_epoch &lt; -1.</exception>
            /// <exception cref="ArgumentException">Resuming (last_epoch ≥ 0) while a group has no InitialLearningRate.</exception>
            public static impl.ExponentialLR ExponentialLR(Optimizer optimizer, double gamma, int last_epoch = -1) =>
                new(optimizer, gamma, last_epoch);

            /// <summary>Reduces every group's learning rate when a metric stops improving (see <see cref="impl.ReduceLROnPlateau"/>).</summary>
            /// <param name="optimizer">The optimizer whose learning rates to reduce.</param>
            /// <param name="mode">"min" (default: the metric should decrease) or "max".</param>
            /// <param name="factor">The factor a reduction multiplies the learning rates by, in [0, 1) (default 0.1).</param>
            /// <param name="patience">Epochs without improvement tolerated before a reduction (≥ 0, default 10).</param>
            /// <param name="threshold">The threshold of a significant improvement (≥ 0, default 1e-4).</param>
            /// <param name="threshold_mode">"rel" (default: relative to best) or "abs".</param>
            /// <param name="cooldown">Epochs to wait after a reduction before counting bad epochs again (≥ 0, default 0).</param>
            /// <param name="min_lr">A lower bound on every group's learning rate (≥ 0, default 0).</param>
            /// <param name="eps">Reductions smaller than this are skipped (≥ 0, default 1e-8).</param>
            /// <exception cref="ArgumentException">An unknown mode or threshold_mode.</exception>
            /// <exception cref="ArgumentOutOfRangeException">A numeric argument out of its range.</exception>
            public static impl.ReduceLROnPlateau ReduceLROnPlateau(Optimizer optimizer, string mode = "min", double factor = 0.1, int patience = 10,
                double threshold = 1e-4, string threshold_mode = "rel", int cooldown = 0, double min_lr = 0, double eps = 1e-8) =>
                new(optimizer, mode, factor, patience, threshold, threshold_mode, cooldown, null, min_lr, eps);

            /// <summary>Reduces the learning rates when a metric stops improving, with a lower bound per param group (see <see cref="impl.ReduceLROnPlateau"/>).</summary>
            /// <param name="optimizer">The optimizer whose learning rates to reduce.</param>
            /// <param name="min_lr">One lower bound per param group, in group order (each ≥ 0). It comes second so that this
            /// overload and the scalar one never compete; pass it by name (<c>min_lr: new[] { 1e-4, 1e-5 }</c>) for TorchSharp-style calls.</param>
            /// <param name="mode">"min" (default: the metric should decrease) or "max".</param>
            /// <param name="factor">The factor a reduction multiplies the learning rates by, in [0, 1) (default 0.1).</param>
            /// <param name="patience">Epochs without improvement tolerated before a reduction (≥ 0, default 10).</param>
            /// <param name="threshold">The threshold of a significant improvement (≥ 0, default 1e-4).</param>
            /// <param name="threshold_mode">"rel" (default: relative to best) or "abs".</param>
            /// <param name="cooldown">Epochs to wait after a reduction before counting bad epochs again (≥ 0, default 0).</param>
            /// <param name="eps">Reductions smaller than this are skipped (≥ 0, default 1e-8).</param>
            /// <exception cref="ArgumentException">An unknown mode or threshold_mode, or not one min_lr per param group.</exception>
            /// <exception cref="ArgumentOutOfRangeException">A numeric argument out of its range.</exception>
            public static impl.ReduceLROnPlateau ReduceLROnPlateau(Optimizer optimizer, IList<double> min_lr, string mode = "min", double factor = 0.1,
                int patience = 10, double threshold = 1e-4, string threshold_mode = "rel", int cooldown = 0, double eps = 1e-8)
            {
                ArgumentNullException.ThrowIfNull(min_lr);
                return new(optimizer, mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, 0, eps);
            }
        }
    }
}
