using System.CommandLine;
using LossKit.Torch;
using static LossKit.Torch.torch;

namespace LossKit.Samples;

/// <summary>
/// Binary classification of the breast-cancer data with malignant as the positive class (a screening view: the class
/// to find). The same seeded MLP is trained with BCE with logits, BCE with pos_weight, sigmoid focal loss (with and
/// without α) and soft Dice; the test set measures accuracy, the F1 of the malignant class and calibration.
/// </summary>
public static class BinarySample
{
    /// <summary>Bins of the expected calibration error.</summary>
    private const int CalibrationBins = 5;

    public static int Run(string[] args)
    {
        var epochs = new Option<int>("--epochs") { Description = "Training epochs per loss", DefaultValueFactory = _ => 30 };
        var seed = new Option<int>("--seed") { Description = "Seed of the split, the initial weights and the batch order", DefaultValueFactory = _ => 1 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 1e-3 };
        var batchSize = new Option<int>("--batch-size") { Description = "Mini-batch size", DefaultValueFactory = _ => 32 };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads", DefaultValueFactory = _ => 1 };
        var root = new RootCommand("Breast cancer (malignant = positive): BCE with logits, pos_weight, sigmoid focal and soft Dice compared on F1 and calibration")
        {
            epochs, seed, lr, batchSize, threads,
        };
        root.SetAction(parse =>
        {
            var e = parse.GetValue(epochs);
            var b = parse.GetValue(batchSize);
            var t = parse.GetValue(threads);
            var rate = parse.GetValue(lr);
            if (e < 1 || b < 1 || t < 1 || !(rate > 0))
            {
                Console.Error.WriteLine("--epochs, --batch-size and --threads must be at least 1, --lr positive");
                return 2;
            }
            return Execute(e, parse.GetValue(seed), rate, b, t);
        });
        return root.Parse(args).Invoke();
    }

    private static int Execute(int epochs, int seed, double lr, int batchSize, int threads)
    {
        set_num_threads(threads);
        var data = DataSets.BreastCancer();
        // The file labels malignant 0 and benign 1; the positive class here is malignant.
        var positive = data.Targets.Select(t => t == 0 ? 1L : 0L).ToArray();
        var (train, test) = Preparation.Split(data.Rows, 0.25, seed, positive);
        var (mean, std) = Preparation.Fit(data.Features, train);
        using var xTrain = tensor(Preparation.Standardize(data.Features, train, mean, std), [train.Length, data.Columns]);
        using var yTrain = tensor(train.Select(r => (float)positive[r]).ToArray(), [train.Length, 1]);
        using var xTest = tensor(Preparation.Standardize(data.Features, test, mean, std), [test.Length, data.Columns]);
        var yTest = test.Select(r => (int)positive[r]).ToArray();

        var trainPositives = train.Count(r => positive[r] == 1);
        var trainNegatives = train.Length - trainPositives;
        // pos_weight = negatives / positives in the training set: the positive term then weighs as much as the negative one.
        var posWeight = trainNegatives / (double)trainPositives;
        using var posWeightTensor = tensor(new[] { (float)posWeight }, [1]);
        var observedRate = yTest.Average();

        Console.WriteLine($"breast cancer: {train.Length} training rows ({trainPositives} malignant, {trainNegatives} benign), " +
                          $"{test.Length} test rows ({yTest.Sum()} malignant; stratified); positive class: malignant");
        Console.WriteLine($"pos_weight = benign / malignant training rows = {SampleConsole.F(posWeight, 3)}");

        // Names short enough for the table to fit 80 columns (a redirected console's width); the README spells them out.
        var configurations = new (string name, Func<Loss<Tensor, Tensor, Tensor>> loss)[]
        {
            ("BCE", () => losses.BCEWithLogitsLoss()),
            ("BCE, pos_weight", () => losses.BCEWithLogitsLoss(pos_weights: posWeightTensor)),
            ("focal, α 0.25, γ 2", () => losses.SigmoidFocalLoss(alpha: 0.25, gamma: 2.0)),
            ("focal, no α, γ 2", () => losses.SigmoidFocalLoss(alpha: null, gamma: 2.0)),
            ("soft Dice", () => losses.DiceLoss(OverlapMode.Binary, from_logits: true)),
        };

        var probabilities = new double[configurations.Length][];
        SampleConsole.WithProgress(configurations.Select(c => c.name).ToList(), report =>
        {
            for (var i = 0; i < configurations.Length; i++)
            {
                var index = i;
                using var loss = configurations[i].loss();
                probabilities[i] = Train(loss, xTrain, yTrain, xTest, data.Columns, epochs, lr, batchSize, seed, fraction => report(index, fraction));
            }
        });

        var headers = new[] { "loss", "accuracy", "F1", "mean p", "Brier", "ECE-5" };
        var rows = new List<IReadOnlyList<string>>();
        for (var i = 0; i < configurations.Length; i++)
        {
            var p = probabilities[i];
            var predicted = p.Select(v => v >= 0.5 ? 1 : 0).ToArray();
            var accuracy = yTest.Zip(predicted).Count(z => z.First == z.Second) / (double)yTest.Length;
            var tp = yTest.Zip(predicted).Count(z => z.First == 1 && z.Second == 1);
            var fp = yTest.Zip(predicted).Count(z => z.First == 0 && z.Second == 1);
            var fn = yTest.Zip(predicted).Count(z => z.First == 1 && z.Second == 0);
            var f1 = tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
            var brier = p.Zip(yTest).Average(z => (z.First - z.Second) * (z.First - z.Second));
            rows.Add([configurations[i].name, SampleConsole.F(accuracy, 3), SampleConsole.F(f1, 3), SampleConsole.F(p.Average(), 3),
                SampleConsole.F(brier, 3), SampleConsole.F(ExpectedCalibrationError(p, yTest, CalibrationBins), 3)]);
        }
        SampleConsole.PrintTable($"Test set: {test.Length} rows, malignant rate {SampleConsole.F(observedRate, 3)}; {epochs} epochs, seed {seed}", headers, rows);
        return 0;
    }

    /// <summary>Trains the seeded 30 -> 32 -> 1 MLP with Adam on <paramref name="loss"/>; returns the test set's predicted P(malignant).</summary>
    private static double[] Train(Loss<Tensor, Tensor, Tensor> loss, Tensor xTrain, Tensor yTrain, Tensor xTest, int inputs,
        int epochs, double lr, int batchSize, int seed, Action<double> progress)
    {
        using var model = Models.Mlp(inputs, [32], 1, seed);
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
            return model.call(xTest).sigmoid().flatten().ToArray<float>().Select(v => (double)v).ToArray();
        }
    }

    /// <summary>
    /// Expected calibration error of the predicted positive-class probability: the test rows are put into
    /// <paramref name="bins"/> equal-width bins of p over [0, 1] (the last bin includes 1), and
    /// ECE = Σ_b (n_b / N) · |mean p in b - share of positives in b|.
    /// </summary>
    private static double ExpectedCalibrationError(double[] p, int[] y, int bins)
    {
        var total = 0.0;
        for (var b = 0; b < bins; b++)
        {
            var members = Enumerable.Range(0, p.Length).Where(i => Math.Min(bins - 1, (int)(p[i] * bins)) == b).ToArray();
            if (members.Length == 0) continue;
            total += members.Length / (double)p.Length * Math.Abs(members.Average(i => p[i]) - members.Average(i => (double)y[i]));
        }
        return total;
    }
}
