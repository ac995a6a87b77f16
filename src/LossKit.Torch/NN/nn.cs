using LossKit.Torch.Modules;

namespace LossKit.Torch;

public static partial class torch
{
    /// <summary>Modules (layers) and their factories, as torch.nn in TorchSharp.</summary>
    public static partial class nn
    {
        /// <summary>A fully connected layer y = x Wᵀ + b, initialised as in PyTorch.</summary>
        public static Linear Linear(long inputSize, long outputSize, bool hasBias = true, Device? device = null, ScalarType? dtype = null) =>
            new(inputSize, outputSize, hasBias, device, dtype);

        /// <summary>Modules applied in order, named "0", "1", ...</summary>
        public static Sequential Sequential(params Module<Tensor, Tensor>[] modules) =>
            new(modules.Select((m, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), m)));

        /// <summary>Named modules applied in order.</summary>
        public static Sequential Sequential(params (string name, Module<Tensor, Tensor> submodule)[] modules) => new(modules);

        /// <summary>Named modules applied in order.</summary>
        public static Sequential Sequential(IEnumerable<(string name, Module<Tensor, Tensor> submodule)> modules) => new(modules);

        /// <summary>max(x, 0).</summary>
        public static ReLU ReLU() => new();

        /// <summary>Sigmoid.</summary>
        public static Sigmoid Sigmoid() => new();

        /// <summary>Hyperbolic tangent.</summary>
        public static Tanh Tanh() => new();

        /// <summary>Softmax along <paramref name="dim"/>.</summary>
        public static Softmax Softmax(long dim) => new(dim);

        /// <summary>Log-softmax along <paramref name="dim"/>.</summary>
        public static LogSoftmax LogSoftmax(long dim) => new(dim);

        /// <summary>Dropout with probability <paramref name="p"/>.</summary>
        public static Dropout Dropout(double p = 0.5) => new(p);

        /// <summary>A parameter viewing the data of <paramref name="data"/>.</summary>
        public static Parameter Parameter(Tensor data, bool requires_grad = true) => new(data, requires_grad);
    }
}
