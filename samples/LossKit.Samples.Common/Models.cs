using LossKit.Torch;
using LossKit.Torch.Modules;
using static LossKit.Torch.torch;

namespace LossKit.Samples;

/// <summary>The small multi-layer perceptrons the samples train.</summary>
public static class Models
{
    /// <summary>inputs -> hidden (ReLU) -> ... -> outputs, initialised from <paramref name="seed"/> (PyTorch's Linear initialisation).</summary>
    public static Sequential Mlp(int inputs, int[] hidden, int outputs, long seed, double dropout = 0)
    {
        manual_seed(seed);
        var layers = new List<nn.Module<Tensor, Tensor>>();
        var width = inputs;
        foreach (var h in hidden)
        {
            layers.Add(nn.Linear(width, h));
            layers.Add(nn.ReLU());
            if (dropout > 0) layers.Add(nn.Dropout(dropout));
            width = h;
        }
        layers.Add(nn.Linear(width, outputs));
        return nn.Sequential(layers.ToArray());
    }

    /// <summary>Row indices of the mini-batches of one epoch: a shuffle drawn from <paramref name="random"/>.</summary>
    public static IEnumerable<int[]> Batches(int rows, int batchSize, Random random)
    {
        var order = Enumerable.Range(0, rows).ToArray();
        random.Shuffle(order);
        for (var start = 0; start < rows; start += batchSize)
            yield return order[start..Math.Min(rows, start + batchSize)];
    }
}
