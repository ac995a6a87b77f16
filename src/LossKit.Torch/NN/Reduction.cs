namespace LossKit.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// How a loss turns per-element (or per-sample) losses into its result. The values are ATen's integer codes and
        /// TorchSharp's (<c>torch.nn.Reduction</c>).
        /// </summary>
        public enum Reduction : long
        {
            /// <summary>No reduction: the per-element (or per-sample) losses, in the shape the loss documents.</summary>
            None = 0,
            /// <summary>The mean; what it divides by differs per loss (elements, non-ignored rows, the sum of class weights...).</summary>
            Mean = 1,
            /// <summary>The sum.</summary>
            Sum = 2,
            /// <summary>
            /// Sum divided by the batch size (the first dimension). Only KL divergence accepts it: it is the mathematically
            /// correct KL between the distributions of each row. A LossKit addition; TorchSharp's enum stops at Sum.
            /// </summary>
            BatchMean = 3,
        }
    }
}
