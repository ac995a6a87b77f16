namespace LossKit.Torch;

public static partial class torch
{
    public static partial class optim
    {
        /// <summary>
        /// What a learning-rate scheduler reads and writes on a parameter group, as in TorchSharp.
        /// <see cref="Modules.ParamGroup"/> implements it.
        /// </summary>
        public interface ILearningRateController
        {
            /// <summary>The learning rate the next <see cref="Optimizer.step()"/> uses.</summary>
            double LearningRate { get; set; }

            /// <summary>The learning rate the schedule started from (PyTorch's <c>initial_lr</c>).</summary>
            double InitialLearningRate { get; set; }
        }
    }
}
