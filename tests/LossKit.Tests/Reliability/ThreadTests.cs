using System.Collections.Concurrent;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;
using static LossKit.Tests.Reliability.BadInputMatrix;

namespace LossKit.Tests.Reliability;

/// <summary>
/// Losses and tensor operations used from 8 threads at once, each on its own tensors, give exactly the results of a
/// sequential run, without a crash or a deadlock; dispose scopes and grad mode are per thread; a loss module (read-only
/// options and weights) can be shared. See docs/errors-and-guarantees.md, "Threads".
/// </summary>
public class ThreadTests
{
    private const int Threads = 8;
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    /// <summary>Every loss once, forward and backward, on small realistic tensors (batch 32) made from a seed.</summary>
    private static readonly (string name, Func<int, (Tensor input, Tensor loss)> run)[] Losses =
    [
        ("mse", s => Elementwise(s, (x, y) => losses.mse_loss(x, y))),
        ("l1", s => Elementwise(s, (x, y) => losses.l1_loss(x, y))),
        ("huber", s => Elementwise(s, (x, y) => losses.huber_loss(x, y))),
        ("smooth_l1", s => Elementwise(s, (x, y) => losses.smooth_l1_loss(x, y))),
        ("rmse", s => Elementwise(s, (x, y) => losses.rmse_loss(x, y))),
        ("smooth", s => Elementwise(s, (x, y) => losses.smooth_loss(x, y))),
        ("bce", s => Probabilities(s, (x, y) => losses.binary_cross_entropy(x, y))),
        ("bce_logits", s => Elementwise(s, (x, y) => losses.binary_cross_entropy_with_logits(x, y.sigmoid()))),
        ("sigmoid_focal", s => Elementwise(s, (x, y) => losses.sigmoid_focal_loss(x, y.sigmoid()))),
        ("kl", s => Elementwise(s, (x, y) => losses.kl_div(x.log_softmax(1), y.softmax(1), Reduction.BatchMean))),
        ("ce", s => Classes(s, (x, y) => losses.cross_entropy(x, y, label_smoothing: 0.1))),
        ("nll", s => Classes(s, (x, y) => losses.nll_loss(x.log_softmax(1), y))),
        ("focal", s => Classes(s, (x, y) => losses.focal_loss(x, y))),
        ("label_smoothing", s => Classes(s, (x, y) => losses.label_smoothing_loss(x, y, 10))),
        ("f1", s => Classes(s, (x, y) => losses.f1_loss(x, y))),
        ("dice", s => Classes(s, (x, y) => losses.dice_loss(x, y, average: OverlapAverage.Micro))),
        ("ctc", s =>
        {
            var x = Randn(s, [12, 4, 6], grad: true);
            var targets = tensor(new long[] { 1, 2, 3, 4, 5, 1, 2, 2, 3, 1, 5, 5 }, [4, 3]);
            return (x, losses.ctc_loss(x.log_softmax(2), targets, Long(12, 11, 10, 12), Long(3, 2, 3, 1)));
        }),
    ];

    private static (Tensor, Tensor) Elementwise(int seed, Func<Tensor, Tensor, Tensor> f)
    {
        var x = Randn(seed, [32, 10], grad: true);
        return (x, f(x, Randn(seed + 1000, [32, 10])));
    }

    private static (Tensor, Tensor) Probabilities(int seed, Func<Tensor, Tensor, Tensor> f)
    {
        var x = Rand(seed, [32, 10], grad: true);
        return (x, f(x, Rand(seed + 1000, [32, 10])));
    }

    private static (Tensor, Tensor) Classes(int seed, Func<Tensor, Tensor, Tensor> f)
    {
        var x = Randn(seed, [32, 10], grad: true);
        var y = tensor(Enumerable.Range(0, 32).Select(i => (long)((i * 7 + seed) % 10)).ToArray());
        return (x, f(x, y));
    }

    /// <summary>The loss value and the input's gradient, as raw floats, computed in a dispose scope.</summary>
    private static float[] Compute(int loss, int seed)
    {
        using var scope = NewDisposeScope();
        var (x, value) = Losses[loss].run(seed);
        value.backward();
        return [value.item<float>(), .. x.grad!.ToArray<float>()];
    }

    /// <summary>Runs <paramref name="work"/> on <see cref="Threads"/> threads started together; fails on a deadlock.</summary>
    private static void OnThreads(Action<int> work)
    {
        using var start = new Barrier(Threads);
        var errors = new ConcurrentBag<Exception>();
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                work(t);
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        foreach (var t in threads) t.Join(Deadline).Should().BeTrue("no thread may hang (deadlock)");
        errors.Should().BeEmpty();
    }

    [Theory]
    [InlineData(BadInputMatrix.Fused)]
    [InlineData(BadInputMatrix.Composed)]
    public void every_loss_on_8_threads_at_once_gives_exactly_the_sequential_results(string path)
    {
        const int rounds = 20;
        float[] Run(int loss, int seed)
        {
            using var composed = path == BadInputMatrix.Composed ? FusedKernels.DisableOnThisThread() : null;
            return Compute(loss, seed);
        }
        // Sequential reference: every (loss, thread seed) pair.
        var expected = new float[Losses.Length, Threads][];
        for (var l = 0; l < Losses.Length; l++)
            for (var t = 0; t < Threads; t++)
                expected[l, t] = Run(l, 100 + t);

        var mismatches = new ConcurrentBag<string>();
        OnThreads(t =>
        {
            for (var round = 0; round < rounds; round++)
                for (var l = 0; l < Losses.Length; l++)
                {
                    // Each thread walks the losses from another starting point, so different kernels overlap.
                    var loss = (l + t * 3 + round) % Losses.Length;
                    var actual = Run(loss, 100 + t);
                    if (!actual.AsSpan().SequenceEqual(expected[loss, t]))
                        mismatches.Add($"{Losses[loss].name} on thread {t}, round {round}");
                }
        });
        mismatches.Should().BeEmpty();
    }

    [Fact]
    public void tensor_operations_on_8_threads_at_once_give_exactly_the_sequential_results()
    {
        static double[] Work(int seed)
        {
            using var scope = NewDisposeScope();
            var a = Randn(seed, [48, 32], ScalarType.Float64, grad: true);
            var b = Randn(seed + 1, [32, 24], ScalarType.Float64);
            var h = a.matmul(b).tanh().softmax(1).log().mul(a.sum(1, keepdim: true).sigmoid());
            var value = h.logsumexp(1).sum().add(h.cumsum(0).mean()).add(h.max().item<double>());
            value.backward();
            return [value.item<double>(), .. a.grad!.ToArray<double>()];
        }
        var expected = Enumerable.Range(0, Threads).Select(t => Work(200 + t)).ToArray();
        var mismatches = new ConcurrentBag<int>();
        OnThreads(t =>
        {
            for (var i = 0; i < 40; i++)
                if (!Work(200 + t).AsSpan().SequenceEqual(expected[t])) mismatches.Add(t);
        });
        mismatches.Should().BeEmpty();
    }

    [Fact]
    public void a_loss_module_can_be_shared_by_threads()
    {
        // A loss module holds only options and its own (read-only) weights: concurrent calls are safe.
        using var shared = losses.CrossEntropyLoss(linspace(0.5, 2, 10), label_smoothing: 0.05);
        var expected = Enumerable.Range(0, Threads).Select(t =>
        {
            using var scope = NewDisposeScope();
            return shared.call(Randn(300 + t, [32, 10]), Long(Enumerable.Range(0, 32).Select(i => (long)(i % 10)).ToArray())).item<float>();
        }).ToArray();
        OnThreads(t =>
        {
            for (var i = 0; i < 200; i++)
            {
                using var scope = NewDisposeScope();
                var v = shared.call(Randn(300 + t, [32, 10]), Long(Enumerable.Range(0, 32).Select(k => (long)(k % 10)).ToArray())).item<float>();
                v.Should().Be(expected[t]);
            }
        });
    }

    [Fact]
    public void dispose_scopes_are_per_thread()
    {
        // While every thread has its own scope open, each scope owns exactly the tensors its thread created.
        var counts = new ConcurrentDictionary<int, int>();
        var survivors = new ConcurrentBag<Tensor>();
        OnThreads(t =>
        {
            using (var scope = NewDisposeScope())
            {
                for (var i = 0; i < 100 + t; i++) _ = ones(4).add(t);
                var kept = ones(1).mul(t).MoveToOuterDisposeScope(); // no outer scope on this thread: leaves all scopes
                survivors.Add(kept);
                counts[t] = scope.DisposablesCount;
                DisposeScopeManager.ThreadSingleton.ScopeCount.Should().Be(1);
            }
            DisposeScopeManager.ThreadSingleton.ScopeCount.Should().Be(0);
        });
        for (var t = 0; t < Threads; t++) counts[t].Should().Be(2 * (100 + t) + 1, "ones and add per iteration, and the ones(1), on that thread only");
        survivors.Should().HaveCount(Threads).And.OnlyContain(s => !s.IsInvalid);
        survivors.Select(s => s.item<float>()).Should().BeEquivalentTo(Enumerable.Range(0, Threads).Select(t => (float)t));
        foreach (var s in survivors) s.Dispose();
    }

    [Fact]
    public void grad_mode_is_per_thread()
    {
        var recorded = new ConcurrentDictionary<int, bool>();
        OnThreads(t =>
        {
            using var scope = NewDisposeScope();
            var x = Randn(t, [32, 10], grad: true);
            for (var i = 0; i < 50; i++)
            {
                // Even threads compute under no_grad while odd ones record graphs, at the same time.
                using (t % 2 == 0 ? no_grad() : enable_grad())
                {
                    var loss = losses.cross_entropy(x, Long(Enumerable.Range(0, 32).Select(k => (long)(k % 10)).ToArray()));
                    recorded[t] = loss.requires_grad;
                    if (loss.requires_grad) loss.backward();
                }
            }
            is_grad_enabled().Should().BeTrue("each thread's scope restored its own mode");
        });
        for (var t = 0; t < Threads; t++) recorded[t].Should().Be(t % 2 == 1);
    }
}
