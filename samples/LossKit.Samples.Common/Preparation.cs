namespace LossKit.Samples;

/// <summary>A seeded train/test split and feature standardisation fitted on the training rows only.</summary>
public static class Preparation
{
    /// <summary>Indices of the training and test rows: a Fisher-Yates shuffle with <paramref name="seed"/>, so the same seed
    /// gives the same split on every machine. With <paramref name="stratifyBy"/> each class is split in the same proportion.</summary>
    public static (int[] train, int[] test) Split(int rows, double testFraction, int seed, IReadOnlyList<long>? stratifyBy = null)
    {
        var random = new Random(seed);
        if (stratifyBy is null)
        {
            var order = Enumerable.Range(0, rows).ToArray();
            random.Shuffle(order);
            var testCount = (int)Math.Round(rows * testFraction);
            return (order[testCount..], order[..testCount]);
        }
        var train = new List<int>();
        var test = new List<int>();
        foreach (var group in Enumerable.Range(0, rows).GroupBy(i => stratifyBy[i]).OrderBy(g => g.Key))
        {
            var members = group.ToArray();
            random.Shuffle(members);
            var testCount = (int)Math.Round(members.Length * testFraction);
            test.AddRange(members[..testCount]);
            train.AddRange(members[testCount..]);
        }
        return (train.ToArray(), test.ToArray());
    }

    /// <summary>Per-column mean and standard deviation of the given rows (a constant column gets deviation 1).</summary>
    public static (double[] mean, double[] std) Fit(double[][] features, IReadOnlyList<int> rows)
    {
        var columns = features[0].Length;
        var mean = new double[columns];
        var std = new double[columns];
        foreach (var r in rows)
            for (var c = 0; c < columns; c++) mean[c] += features[r][c];
        for (var c = 0; c < columns; c++) mean[c] /= rows.Count;
        foreach (var r in rows)
            for (var c = 0; c < columns; c++) std[c] += (features[r][c] - mean[c]) * (features[r][c] - mean[c]);
        for (var c = 0; c < columns; c++)
        {
            std[c] = Math.Sqrt(std[c] / rows.Count);
            if (std[c] < 1e-12) std[c] = 1;
        }
        return (mean, std);
    }

    /// <summary>The given rows, standardised with <paramref name="mean"/> and <paramref name="std"/>, as float32 row-major values.</summary>
    public static float[] Standardize(double[][] features, IReadOnlyList<int> rows, double[] mean, double[] std)
    {
        var columns = mean.Length;
        var result = new float[rows.Count * columns];
        for (var i = 0; i < rows.Count; i++)
            for (var c = 0; c < columns; c++)
                result[i * columns + c] = (float)((features[rows[i]][c] - mean[c]) / std[c]);
        return result;
    }
}
