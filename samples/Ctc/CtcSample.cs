using System.CommandLine;
using LossKit.Torch;
using LossKit.Torch.Modules;
using static LossKit.Torch.torch;

namespace LossKit.Samples;

/// <summary>
/// Sequence labelling without frame alignments: synthetic digit strings rendered as noisy frames of varying length, a
/// small per-frame network over a window of frames, <see cref="losses.CTCLoss"/> on padded batches with per-sample
/// lengths, and greedy CTC decoding; a held-out set is scored by exact-match sequence accuracy and character error rate.
/// </summary>
public static class CtcSample
{
    /// <summary>Features per frame: one channel per digit and one for the gaps (a frame of digit d carries 1 on channel d,
    /// a gap frame 1 on channel 10; noise on every channel).</summary>
    private const int Features = 11;

    private const int GapChannel = 10;

    /// <summary>Output symbols: blank (0) and the digits 0..9 as 1..10.</summary>
    private const int Symbols = 11;

    private const int Blank = 0;

    /// <summary>Frames on each side of the current one that the network sees (a window of 2·Context + 1 frames).</summary>
    private const int Context = 2;

    /// <summary>One synthetic sample: its frames (T × <see cref="Features"/>, row-major) and its digits.</summary>
    private sealed record Sequence(float[] Frames, int Length, int[] Digits);

    public static int Run(string[] args)
    {
        var epochs = new Option<int>("--epochs") { Description = "Training epochs", DefaultValueFactory = _ => 20 };
        var seed = new Option<int>("--seed") { Description = "Seed of the data, the initial weights and the batch order", DefaultValueFactory = _ => 1 };
        var trainSize = new Option<int>("--train-size") { Description = "Training sequences", DefaultValueFactory = _ => 2000 };
        var testSize = new Option<int>("--test-size") { Description = "Held-out sequences", DefaultValueFactory = _ => 500 };
        var maxLength = new Option<int>("--max-length") { Description = "Longest digit string (lengths are drawn from 1..max)", DefaultValueFactory = _ => 6 };
        var noise = new Option<double>("--noise") { Description = "Standard deviation of the Gaussian noise added to every feature", DefaultValueFactory = _ => 0.3 };
        var evalEvery = new Option<int>("--eval-every") { Description = "Score the held-out set every this many epochs", DefaultValueFactory = _ => 2 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 3e-3 };
        var batchSize = new Option<int>("--batch-size") { Description = "Mini-batch size", DefaultValueFactory = _ => 32 };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads", DefaultValueFactory = _ => 1 };
        var root = new RootCommand("CTC on synthetic noisy digit sequences: a windowed per-frame MLP, CTCLoss with padding and lengths, greedy decoding")
        {
            epochs, seed, trainSize, testSize, maxLength, noise, evalEvery, lr, batchSize, threads,
        };
        root.SetAction(parse =>
        {
            var e = parse.GetValue(epochs);
            var n = parse.GetValue(trainSize);
            var m = parse.GetValue(testSize);
            var l = parse.GetValue(maxLength);
            var sigma = parse.GetValue(noise);
            var every = parse.GetValue(evalEvery);
            var rate = parse.GetValue(lr);
            var b = parse.GetValue(batchSize);
            var t = parse.GetValue(threads);
            if (e < 1 || n < 1 || m < 1 || l < 1 || every < 1 || b < 1 || t < 1 || !(sigma >= 0) || !(rate > 0))
            {
                Console.Error.WriteLine("--epochs, --train-size, --test-size, --max-length, --eval-every, --batch-size and --threads must be at least 1; " +
                                        "--noise must be >= 0 and --lr positive");
                return 2;
            }
            return Execute(e, parse.GetValue(seed), n, m, l, sigma, every, rate, b, t);
        });
        return root.Parse(args).Invoke();
    }

    private static int Execute(int epochs, int seed, int trainSize, int testSize, int maxLength, double noise, int evalEvery,
        double lr, int batchSize, int threads)
    {
        set_num_threads(threads);
        // Two independent streams, so the held-out set does not change with --train-size.
        var train = Generate(trainSize, maxLength, noise, new Random(seed));
        var test = Generate(testSize, maxLength, noise, new Random(seed + 1_000_003));
        Console.WriteLine($"synthetic data: {trainSize} training and {testSize} held-out digit strings of length 1..{maxLength}, " +
                          $"{train.Min(s => s.Length)}..{Math.Max(train.Max(s => s.Length), test.Max(s => s.Length))} frames each, noise {SampleConsole.F(noise)}");

        using var model = Models.Mlp((2 * Context + 1) * Features, [64], Symbols, seed);
        using var optimizer = optim.Adam(model.parameters(), lr: lr);
        using var ctc = losses.CTCLoss(blank: Blank);
        var random = new Random(seed);

        var headers = new[] { "epoch", "train CTC", "test CTC", "sequence acc.", "CER" };
        var rows = new List<IReadOnlyList<string>>();
        void Score(int epoch, double? trainLoss)
        {
            var (testLoss, accuracy, cer) = Evaluate(model, ctc, test);
            rows.Add([epoch.ToString(System.Globalization.CultureInfo.InvariantCulture), trainLoss is { } t ? SampleConsole.F(t, 3) : "-",
                SampleConsole.F(testLoss, 3), SampleConsole.F(accuracy, 3), SampleConsole.F(cer, 3)]);
        }

        Score(0, null);
        SampleConsole.WithProgress(["CTC training"], report =>
        {
            for (var epoch = 1; epoch <= epochs; epoch++)
            {
                model.train();
                double sum = 0;
                var batches = 0;
                foreach (var batch in Models.Batches(train.Length, batchSize, random))
                {
                    using var scope = NewDisposeScope();
                    optimizer.zero_grad();
                    var loss = Loss(model, ctc, batch.Select(i => train[i]).ToArray(), out _);
                    loss.backward();
                    optimizer.step();
                    sum += loss.item<float>();
                    batches++;
                }
                if (epoch % evalEvery == 0 || epoch == epochs) Score(epoch, sum / batches);
                report(0, epoch / (double)epochs);
            }
        });

        SampleConsole.PrintTable($"Held-out set: {testSize} sequences; seed {seed}", headers, rows);
        return 0;
    }

    /// <summary>
    /// Digit strings of length 1..<paramref name="maxLength"/>, each digit 2..4 frames of its one-hot vector, with 1..2
    /// noise-only frames between digits (so repeated digits stay apart) and 0..2 at either end; Gaussian noise of
    /// standard deviation <paramref name="noise"/> on every feature of every frame.
    /// </summary>
    private static Sequence[] Generate(int count, int maxLength, double noise, Random random)
    {
        var result = new Sequence[count];
        for (var n = 0; n < count; n++)
        {
            var digits = new int[random.Next(1, maxLength + 1)];
            for (var i = 0; i < digits.Length; i++) digits[i] = random.Next(10);
            var frames = new List<int>(); // the digit shown in each frame, -1 for a gap frame
            frames.AddRange(Enumerable.Repeat(-1, random.Next(0, 3)));
            for (var i = 0; i < digits.Length; i++)
            {
                if (i > 0) frames.AddRange(Enumerable.Repeat(-1, random.Next(1, 3)));
                frames.AddRange(Enumerable.Repeat(digits[i], random.Next(2, 5)));
            }
            frames.AddRange(Enumerable.Repeat(-1, random.Next(0, 3)));
            var values = new float[frames.Count * Features];
            for (var t = 0; t < frames.Count; t++)
                for (var f = 0; f < Features; f++)
                    values[t * Features + f] = (float)(((frames[t] < 0 ? GapChannel : frames[t]) == f ? 1.0 : 0.0) + noise * Gaussian(random));
            result[n] = new Sequence(values, frames.Count, digits);
        }
        return result;
    }

    /// <summary>A standard normal draw (Box-Muller), from <paramref name="random"/> only, so the data is the same everywhere.</summary>
    private static double Gaussian(Random random)
    {
        var u = 1.0 - random.NextDouble(); // in (0, 1]
        var v = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v);
    }

    /// <summary>
    /// The mean CTC loss of a batch: frames zero-padded to the batch's longest sequence, each frame's window of
    /// 2·<see cref="Context"/> + 1 frames (zeros beyond the ends) through the MLP, log-softmax over the symbols, then
    /// <see cref="losses.CTCLoss"/> with (T, N, C) log-probabilities, padded targets and per-sample lengths.
    /// Also returns the log-probabilities.
    /// </summary>
    private static Tensor Loss(Sequential model, CTCLoss ctc, Sequence[] batch, out Tensor logProbs)
    {
        var maxT = batch.Max(s => s.Length);
        var maxS = batch.Max(s => s.Digits.Length);
        var frames = new float[batch.Length * (maxT + 2 * Context) * Features];
        var targets = new long[batch.Length * maxS]; // padding past each target length is ignored by the loss
        for (var n = 0; n < batch.Length; n++)
        {
            Array.Copy(batch[n].Frames, 0, frames, (n * (maxT + 2 * Context) + Context) * Features, batch[n].Frames.Length);
            for (var s = 0; s < batch[n].Digits.Length; s++) targets[n * maxS + s] = batch[n].Digits[s] + 1;
        }
        var x = tensor(frames, [batch.Length, maxT + 2 * Context, Features]);
        // The window as a 1-D convolution built from a Linear layer: the 2·Context + 1 shifted views side by side.
        var windows = cat(Enumerable.Range(0, 2 * Context + 1).Select(k => x.narrow(1, k, maxT)).ToList(), 2);
        logProbs = model.call(windows).log_softmax(2).transpose(0, 1); // (T, N, C)
        return ctc.call(logProbs, tensor(targets, [batch.Length, maxS]),
            batch.Select(s => (long)s.Length).ToArray(), batch.Select(s => (long)s.Digits.Length).ToArray());
    }

    /// <summary>Mean CTC loss over the held-out batches, exact-match accuracy and character error rate of greedy decoding.</summary>
    private static (double loss, double accuracy, double cer) Evaluate(Sequential model, CTCLoss ctc, Sequence[] data)
    {
        model.eval();
        const int batchSize = 250;
        double lossSum = 0;
        var exact = 0;
        long edits = 0, reference = 0;
        using var grad = no_grad();
        for (var start = 0; start < data.Length; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = data[start..Math.Min(data.Length, start + batchSize)];
            var loss = Loss(model, ctc, batch, out var logProbs);
            lossSum += loss.item<float>() * batch.Length;
            var best = logProbs.argmax(2).transpose(0, 1).contiguous(); // (N, T)
            var maxT = (int)best.shape[1];
            var symbols = best.ToArray<long>();
            for (var n = 0; n < batch.Length; n++)
            {
                var decoded = GreedyDecode(symbols.AsSpan(n * maxT, batch[n].Length));
                if (decoded.SequenceEqual(batch[n].Digits)) exact++;
                edits += EditDistance(decoded, batch[n].Digits);
                reference += batch[n].Digits.Length;
            }
        }
        return (lossSum / data.Length, exact / (double)data.Length, edits / (double)reference);
    }

    /// <summary>Greedy CTC decoding: the best symbol per frame, repeats merged, blanks dropped; symbol s is digit s - 1.</summary>
    private static int[] GreedyDecode(ReadOnlySpan<long> best)
    {
        var digits = new List<int>();
        long previous = Blank;
        foreach (var s in best)
        {
            if (s != Blank && s != previous) digits.Add((int)s - 1);
            previous = s;
        }
        return digits.ToArray();
    }

    /// <summary>Levenshtein distance (insertions, deletions and substitutions all cost 1).</summary>
    private static int EditDistance(int[] a, int[] b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
