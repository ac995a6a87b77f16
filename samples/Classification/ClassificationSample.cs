using System.CommandLine;
using System.Globalization;
using LossKit.Torch;
using static LossKit.Torch.torch;

namespace LossKit.Samples;

/// <summary>
/// Imbalanced digit classification: the same seeded MLP trained with six losses on the digits data, some of whose
/// classes keep only a fraction of their training rows; the untouched, stratified test set measures accuracy, macro-F1
/// and the F1 of the rare classes.
/// </summary>
public static class ClassificationSample
{
    private const int Classes = 10;

    public static int Run(string[] args)
    {
        var epochs = new Option<int>("--epochs") { Description = "Training epochs per loss", DefaultValueFactory = _ => 60 };
        var seed = new Option<int>("--seed") { Description = "Seed of the split, the rare-class subsample, the initial weights and the batch order", DefaultValueFactory = _ => 1 };
        var rare = new Option<string>("--rare-classes") { Description = "Comma-separated digits made rare in the training set (empty: none)", DefaultValueFactory = _ => "3,5,8" };
        var fraction = new Option<double>("--rare-fraction") { Description = "Share of their training rows the rare classes keep, in (0, 1]", DefaultValueFactory = _ => 0.1 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 1e-3 };
        var batchSize = new Option<int>("--batch-size") { Description = "Mini-batch size", DefaultValueFactory = _ => 64 };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads", DefaultValueFactory = _ => 1 };
        var root = new RootCommand("Imbalanced digits: cross-entropy, weighted cross-entropy, focal, label smoothing and soft F1 compared on the rare classes")
        {
            epochs, seed, rare, fraction, lr, batchSize, threads,
        };
        root.SetAction(parse =>
        {
            var rareClasses = ParseClasses(parse.GetValue(rare) ?? "");
            if (rareClasses is null)
            {
                Console.Error.WriteLine("--rare-classes: give distinct digits 0..9 separated by commas, e.g. 3,5,8");
                return 2;
            }
            var f = parse.GetValue(fraction);
            if (!(f > 0 && f <= 1))
            {
                Console.Error.WriteLine("--rare-fraction must lie in (0, 1]");
                return 2;
            }
            var e = parse.GetValue(epochs);
            var b = parse.GetValue(batchSize);
            var t = parse.GetValue(threads);
            var rate = parse.GetValue(lr);
            if (e < 1 || b < 1 || t < 1 || !(rate > 0))
            {
                Console.Error.WriteLine("--epochs, --batch-size and --threads must be at least 1, --lr positive");
                return 2;
            }
            return Execute(e, parse.GetValue(seed), rareClasses, f, rate, b, t);
        });
        return root.Parse(args).Invoke();
    }

    private static int[]? ParseClasses(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var result = new List<int>();
        foreach (var p in parts)
        {
            if (!int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var c) || c < 0 || c >= Classes || result.Contains(c))
                return null;
            result.Add(c);
        }
        result.Sort();
        return result.ToArray();
    }

    private static int Execute(int epochs, int seed, int[] rareClasses, double rareFraction, double lr, int batchSize, int threads)
    {
        set_num_threads(threads);
        var data = DataSets.Digits();
        var (trainAll, test) = Preparation.Split(data.Rows, 0.25, seed, data.Targets);
        var train = MakeRare(trainAll, data.Targets, rareClasses, rareFraction, seed);

        var counts = new long[Classes];
        foreach (var r in train) counts[data.Targets[r]]++;
        var (mean, std) = Preparation.Fit(data.Features, train);
        using var xTrain = tensor(Preparation.Standardize(data.Features, train, mean, std), [train.Length, data.Columns]);
        using var yTrain = tensor(train.Select(r => data.Targets[r]).ToArray(), [train.Length]);
        using var xTest = tensor(Preparation.Standardize(data.Features, test, mean, std), [test.Length, data.Columns]);
        var yTest = test.Select(r => (int)data.Targets[r]).ToArray();

        // Inverse-frequency weights w_c ∝ 1 / n_c from the training counts, scaled to mean 1 (ClassWeights' default).
        using var weights = ClassWeights.InverseFrequency(counts);
        var weightValues = weights.ToArray<float>();

        var rareNote = rareClasses.Length == 0 ? "no rare classes" : $"classes {string.Join(", ", rareClasses)} keep {SampleConsole.F(rareFraction * 100, 0)}%";
        Console.WriteLine($"digits: {train.Length} training rows ({rareNote}), {test.Length} test rows (stratified, untouched)");
        Console.WriteLine("training rows per class:       " + string.Join(" ", counts.Select((n, c) => $"{c}:{n}")));
        Console.WriteLine("inverse-frequency weights:     " + string.Join(" ", weightValues.Select((w, c) => $"{c}:{SampleConsole.F(w)}")));

        // Each configuration: a name and a factory for its loss (created fresh, disposed after training).
        var configurations = new (string name, Func<Loss<Tensor, Tensor, Tensor>> loss)[]
        {
            // Names short enough for the table to fit 80 columns (a redirected console's width); the README spells them out.
            ("CE", () => losses.CrossEntropyLoss()),
            ("weighted CE", () => losses.CrossEntropyLoss(weight: weights)),
            ("focal, γ 2", () => losses.FocalLoss(gamma: 2.0)),
            ("LabelSmoothing 0.1", () => losses.LabelSmoothingLoss(Classes, smoothing: 0.1)),
            ("CE, smoothing 0.1", () => losses.CrossEntropyLoss(label_smoothing: 0.1)),
            ("soft F1", () => losses.F1Loss()),
            ("CE + soft F1", () => losses.Combine((losses.CrossEntropyLoss(), 1.0), (losses.F1Loss(), 1.0))),
        };

        var predictions = new int[configurations.Length][];
        SampleConsole.WithProgress(configurations.Select(c => c.name).ToList(), report =>
        {
            for (var i = 0; i < configurations.Length; i++)
            {
                var index = i;
                using var loss = configurations[i].loss();
                predictions[i] = Train(loss, xTrain, yTrain, xTest, data.Columns, epochs, lr, batchSize, seed, fraction => report(index, fraction));
            }
        });

        var headers = new List<string> { "loss", "accuracy", "macro-F1", "rare F1" };
        headers.AddRange(rareClasses.Select(c => $"F1 {c}"));
        var rows = new List<IReadOnlyList<string>>();
        for (var i = 0; i < configurations.Length; i++)
        {
            var f1 = PerClassF1(yTest, predictions[i]);
            var accuracy = yTest.Zip(predictions[i]).Count(p => p.First == p.Second) / (double)yTest.Length;
            var row = new List<string>
            {
                configurations[i].name,
                SampleConsole.F(accuracy, 3),
                SampleConsole.F(f1.Average(), 3),
                rareClasses.Length == 0 ? "-" : SampleConsole.F(rareClasses.Average(c => f1[c]), 3),
            };
            row.AddRange(rareClasses.Select(c => SampleConsole.F(f1[c], 3)));
            rows.Add(row);
        }
        SampleConsole.PrintTable($"Digits test set ({test.Length} rows), {epochs} epochs, seed {seed}", headers, rows);
        return 0;
    }

    /// <summary>The training rows, with each rare class cut to <paramref name="fraction"/> of its rows (at least one), drawn with <paramref name="seed"/>.</summary>
    private static int[] MakeRare(int[] train, long[] targets, int[] rareClasses, double fraction, int seed)
    {
        var random = new Random(seed + 1);
        var kept = new List<int>();
        foreach (var group in train.GroupBy(r => targets[r]).OrderBy(g => g.Key))
        {
            var rows = group.ToArray();
            if (rareClasses.Contains((int)group.Key))
            {
                random.Shuffle(rows);
                rows = rows[..Math.Max(1, (int)Math.Round(rows.Length * fraction))];
            }
            kept.AddRange(rows);
        }
        // Restore the split's order (the batches are shuffled anyway; this keeps the row order independent of grouping).
        var keep = kept.ToHashSet();
        return train.Where(keep.Contains).ToArray();
    }

    /// <summary>Trains the seeded 64 -> 64 -> 10 MLP with Adam on <paramref name="loss"/>; returns the predicted test classes.</summary>
    private static int[] Train(Loss<Tensor, Tensor, Tensor> loss, Tensor xTrain, Tensor yTrain, Tensor xTest, int inputs,
        int epochs, double lr, int batchSize, int seed, Action<double> progress)
    {
        using var model = Models.Mlp(inputs, [64], Classes, seed);
        using var optimizer = optim.Adam(model.parameters(), lr: lr);
        var random = new Random(seed);
        var rows = (int)xTrain.shape[0];
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            foreach (var batch in Models.Batches(rows, batchSize, random))
            {
                using var scope = NewDisposeScope();
                var index = tensor(batch.Select(i => (long)i).ToArray(), [batch.Length]);
                optimizer.zero_grad();
                loss.call(model.call(xTrain.index_select(0, index)), yTrain.index_select(0, index)).backward();
                optimizer.step();
            }
            progress((epoch + 1) / (double)epochs);
        }
        using (no_grad())
        using (NewDisposeScope())
        {
            model.eval();
            return model.call(xTest).argmax(1).ToArray<long>().Select(p => (int)p).ToArray();
        }
    }

    /// <summary>F1 of every class (one-vs-rest; 0 where a class is neither predicted nor present).</summary>
    private static double[] PerClassF1(int[] truth, int[] predicted)
    {
        var f1 = new double[Classes];
        for (var c = 0; c < Classes; c++)
        {
            var tp = truth.Zip(predicted).Count(p => p.First == c && p.Second == c);
            var fp = truth.Zip(predicted).Count(p => p.First != c && p.Second == c);
            var fn = truth.Zip(predicted).Count(p => p.First == c && p.Second != c);
            f1[c] = tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
        }
        return f1;
    }
}
