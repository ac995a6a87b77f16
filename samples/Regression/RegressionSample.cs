using System.CommandLine;
using System.Globalization;
using LossKit.Torch;
using static LossKit.Torch.torch;

namespace LossKit.Samples;

/// <summary>
/// Regression on the diabetes data with each of LossKit's regression losses: the same MLP from the same seeded
/// initialisation, the same split and the same batch order, trained with MSE, MAE, Huber, SmoothL1, RMSE and SmoothLoss.
/// With <c>--outliers</c> a share of the training targets is replaced by gross errors, which is where the robust
/// losses earn their keep.
/// </summary>
public static class RegressionSample
{
    private sealed record Config(int Epochs, int Seed, double Outliers, double Threshold, double Lr, int BatchSize, int Threads);

    private sealed record Result(string Name, double TestMae, double TestRmse, int? EpochsToThreshold, double TrainLoss, double FinalLr);

    /// <summary>The losses compared, in table order; every one works on standardised targets.</summary>
    private static readonly (string name, Func<nn.Module<Tensor, Tensor, Tensor>> create)[] Losses =
    [
        ("MSE", () => losses.MSELoss()),
        ("MAE (L1)", () => losses.L1Loss()),
        ("Huber(1)", () => losses.HuberLoss(delta: 1.0)),
        // SmoothL1 with beta 1 is Huber(1) exactly (same values, same gradients), so it would only repeat the row above;
        // beta 0.5 shows a narrower quadratic zone.
        ("SmoothL1(0.5)", () => losses.SmoothL1Loss(beta: 0.5)),
        ("RMSE", () => losses.RMSELoss()),
        ("SmoothLoss(1, 2)", () => losses.SmoothLoss(delta: 1.0, alpha: 2.0)),
    ];

    /// <summary>Column headers of the results table (the tests look for them).</summary>
    public static IReadOnlyList<string> Headers(double threshold) =>
        ["loss", "MAE", "RMSE", $"MAE<={Fmt(threshold)} at epoch", "train loss", "final lr"];

    /// <summary>The names of the compared losses, one table row each.</summary>
    public static IReadOnlyList<string> LossNames => Losses.Select(l => l.name).ToArray();

    public static int Run(string[] args)
    {
        var epochs = new Option<int>("--epochs") { Description = "Training epochs per loss", DefaultValueFactory = _ => 100 };
        var seed = new Option<int>("--seed") { Description = "Seed of the split, the initialisation, the batch order and the outliers", DefaultValueFactory = _ => 1 };
        var outliers = new Option<double>("--outliers")
        {
            Description = "Share of the training targets replaced by gross errors (mean +/- 5..10 standard deviations), in [0, 1)",
            DefaultValueFactory = _ => 0.0,
        };
        var threshold = new Option<double>("--threshold")
        {
            Description = "Test MAE (original units) for the 'MAE<=T at epoch' column: the first epoch that reaches it",
            DefaultValueFactory = _ => 45.0,
        };
        var lr = new Option<double>("--lr") { Description = "Adam's initial learning rate", DefaultValueFactory = _ => 1e-3 };
        var batchSize = new Option<int>("--batch-size") { Description = "Mini-batch size", DefaultValueFactory = _ => 32 };
        var threads = new Option<int>("--threads") { Description = "libtorch CPU threads", DefaultValueFactory = _ => 1 };
        var root = new RootCommand("Trains the same small MLP on the diabetes data with each LossKit regression loss and compares test errors.")
        {
            epochs, seed, outliers, threshold, lr, batchSize, threads,
        };
        root.SetAction(parse => Execute(new Config(parse.GetValue(epochs), parse.GetValue(seed), parse.GetValue(outliers),
            parse.GetValue(threshold), parse.GetValue(lr), parse.GetValue(batchSize), parse.GetValue(threads))));
        return root.Parse(args).Invoke();
    }

    private static int Execute(Config config)
    {
        string? error = config switch
        {
            { Epochs: < 1 } => "--epochs must be at least 1",
            { Outliers: < 0 or >= 1 } => "--outliers must lie in [0, 1)",
            { Lr: <= 0 } => "--lr must be positive",
            { BatchSize: < 1 } => "--batch-size must be at least 1",
            { Threads: < 1 } => "--threads must be at least 1",
            { Threshold: <= 0 } => "--threshold must be positive",
            _ => null,
        };
        if (error is not null)
        {
            Console.Error.WriteLine($"error: {error}");
            return 1;
        }
        set_num_threads(config.Threads);

        var data = DataSets.Diabetes();
        var (train, test) = Preparation.Split(data.Rows, 0.2, config.Seed);
        var (xMean, xStd) = Preparation.Fit(data.Features, train);
        var xTrain = Preparation.Standardize(data.Features, train, xMean, xStd);
        var xTest = Preparation.Standardize(data.Features, test, xMean, xStd);

        var yTrainRaw = train.Select(i => data.Targets[i]).ToArray();
        var yTest = test.Select(i => data.Targets[i]).ToArray();
        var corrupted = Corrupt(yTrainRaw, config.Outliers, config.Seed);
        // The target is standardised with the statistics of the training targets as the model sees them (outliers
        // included: a real pipeline cannot tell them apart), and predictions are mapped back to the original units.
        var (yMean, yStd) = MeanStd(yTrainRaw);

        Console.WriteLine($"Diabetes (Efron et al. 2004): {data.Rows} patients, {data.Columns} features; {train.Length} training and {test.Length} test rows (seed {config.Seed}).");
        Console.WriteLine($"MLP {data.Columns} -> 32 -> 16 -> 1 (ReLU), Adam lr {Fmt(config.Lr)}, ReduceLROnPlateau on the training loss (factor 0.5, patience 10), batch {config.BatchSize}, {config.Epochs} epochs per loss.");
        Console.WriteLine(corrupted == 0
            ? "Training targets: clean."
            : $"Training targets: {corrupted} of {train.Length} ({Fmt(100.0 * corrupted / train.Length, 1)}%) replaced by the mean +/- 5..10 standard deviations.");
        Console.WriteLine($"Target scaling (training rows): mean {Fmt(yMean, 1)}, standard deviation {Fmt(yStd, 1)}. Test metrics are in the original units.");

        var results = new Result[Losses.Length];
        SampleConsole.WithProgress(Losses.Select(l => l.name).ToArray(), report =>
        {
            for (var i = 0; i < Losses.Length; i++)
            {
                var index = i;
                results[i] = Train(Losses[i].name, Losses[i].create, config, data.Columns, xTrain, yTrainRaw, xTest, yTest, yMean, yStd,
                    fraction => report(index, fraction));
            }
        });

        var baselineMae = yTest.Average(y => Math.Abs(y - yMean));
        var baselineRmse = Math.Sqrt(yTest.Average(y => (y - yMean) * (y - yMean)));
        SampleConsole.PrintTable(
            $"Diabetes, {config.Epochs} epochs, {(corrupted == 0 ? "clean targets" : $"{Fmt(100 * config.Outliers, 0)}% training outliers")}: test errors, original units",
            Headers(config.Threshold),
            results.Select(r => (IReadOnlyList<string>)
            [
                r.Name, Fmt(r.TestMae, 2), Fmt(r.TestRmse, 2),
                r.EpochsToThreshold?.ToString(CultureInfo.InvariantCulture) ?? "not reached",
                Fmt(r.TrainLoss, 4), r.FinalLr.ToString("0.0e+0", CultureInfo.InvariantCulture),
            ]));
        Console.WriteLine($"For scale: predicting the training mean for every test row gives test MAE {Fmt(baselineMae, 2)}, RMSE {Fmt(baselineRmse, 2)}.");
        Console.WriteLine("Final train loss: the last epoch's mean batch loss on standardised (training) targets, in each loss's own units.");
        return 0;
    }

    /// <summary>Replaces round(fraction · n) training targets, chosen with the seed, by mean ± U(5, 10) · std of the
    /// clean training targets (random sign). Returns how many were replaced.</summary>
    private static int Corrupt(double[] targets, double fraction, int seed)
    {
        var count = (int)Math.Round(targets.Length * fraction);
        if (count == 0) return 0;
        var (mean, std) = MeanStd(targets);
        var random = new Random(unchecked(seed * 7919 + 17)); // a stream of its own, apart from the split's and the batches'
        var rows = Enumerable.Range(0, targets.Length).ToArray();
        random.Shuffle(rows);
        foreach (var r in rows[..count])
        {
            var size = 5 + 5 * random.NextDouble();
            var sign = random.Next(2) == 0 ? -1 : 1;
            targets[r] = mean + sign * size * std;
        }
        return count;
    }

    private static (double mean, double std) MeanStd(IReadOnlyList<double> values)
    {
        var mean = values.Average();
        var std = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
        return (mean, std < 1e-12 ? 1 : std);
    }

    private static Result Train(string name, Func<nn.Module<Tensor, Tensor, Tensor>> createLoss, Config config, int features,
        float[] xTrainValues, double[] yTrainRaw, float[] xTestValues, double[] yTest, double yMean, double yStd, Action<double> progress)
    {
        var nTrain = yTrainRaw.Length;
        var nTest = yTest.Length;
        using var xTrain = tensor(xTrainValues, [nTrain, features]);
        using var yTrain = tensor(yTrainRaw.Select(y => (float)((y - yMean) / yStd)).ToArray(), [nTrain, 1]);
        using var xTest = tensor(xTestValues, [nTest, features]);

        // The same initialisation (Models.Mlp seeds libtorch) and the same batch order for every loss.
        using var model = Models.Mlp(features, [32, 16], 1, config.Seed);
        using var criterion = createLoss();
        using var optimizer = optim.Adam(model.parameters(), lr: config.Lr);
        var scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor: 0.5, patience: 10, min_lr: config.Lr / 100);
        var batches = new Random(config.Seed);

        int? reached = null;
        double trainLoss = 0, mae = 0, rmse = 0;
        for (var epoch = 1; epoch <= config.Epochs; epoch++)
        {
            model.train();
            var sum = 0.0;
            foreach (var batch in Models.Batches(nTrain, config.BatchSize, batches))
            {
                using var scope = NewDisposeScope();
                var index = tensor(batch.Select(i => (long)i).ToArray());
                optimizer.zero_grad();
                var loss = criterion.call(model.call(xTrain.index_select(0, index)), yTrain.index_select(0, index));
                loss.backward();
                optimizer.step();
                sum += loss.ToDouble() * batch.Length;
            }
            trainLoss = sum / nTrain;
            scheduler.step(trainLoss);
            (mae, rmse) = Evaluate(model, xTest, yTest, yMean, yStd);
            if (reached is null && mae <= config.Threshold) reached = epoch;
            progress((double)epoch / config.Epochs);
        }
        return new Result(name, mae, rmse, reached, trainLoss, optimizer.ParamGroups[0].LearningRate);
    }

    private static (double mae, double rmse) Evaluate(nn.Module<Tensor, Tensor> model, Tensor xTest, double[] yTest, double yMean, double yStd)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var predicted = model.call(xTest).ToArray<float>();
        double abs = 0, squares = 0;
        for (var i = 0; i < yTest.Length; i++)
        {
            var error = predicted[i] * yStd + yMean - yTest[i];
            abs += Math.Abs(error);
            squares += error * error;
        }
        return (abs / yTest.Length, Math.Sqrt(squares / yTest.Length));
    }

    private static string Fmt(double value, int digits) => SampleConsole.F(value, digits);

    private static string Fmt(double value) => value.ToString("G", CultureInfo.InvariantCulture);
}
