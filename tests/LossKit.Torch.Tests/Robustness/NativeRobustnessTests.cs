using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Torch.Tests.Robustness;

/// <summary>
/// Property-based robustness of the binding: many thousand calls of its operations (tensor ops, autograd, the fused loss
/// kernels, the gradient check) on random tensors (shapes with 0-sized and mismatched dimensions, float32/64, int64/32 and
/// bool, values with NaN, ±∞, huge magnitudes and negative indices) and random arguments, valid or not. Every call must
/// either succeed or throw one of the binding's documented .NET exceptions (never crash the process, never throw anything
/// else), and a failure must not leak into the next call on the thread: a valid call afterwards works, and a call that
/// fails afterwards reports its own error. A seeded System.Random drives it, so a failure is reproducible from its
/// iteration number. It runs in the serial collection: some of its calls draw from libtorch's global generator, which
/// would change the numbers of tests that seed it.
/// </summary>
[Collection(SerialCollection.Name)]
public class NativeRobustnessTests(ITestOutputHelper output)
{
    // LOSSKIT_ROBUSTNESS_SEED / LOSSKIT_ROBUSTNESS_ITERATIONS explore further than the fixed run (seed 20240611, 100,000 calls).
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("LOSSKIT_ROBUSTNESS_SEED"), out var s) ? s : 20_240_611;
    private static readonly int Iterations = int.TryParse(Environment.GetEnvironmentVariable("LOSSKIT_ROBUSTNESS_ITERATIONS"), out var n) ? n : 100_000;

    /// <summary>The exceptions the binding documents for failed native calls and managed argument checks.</summary>
    private static readonly Type[] Allowed =
    [
        typeof(TorchException), typeof(ArgumentException), typeof(ArgumentOutOfRangeException), typeof(NotSupportedException),
        typeof(InsufficientMemoryException), typeof(InvalidOperationException), typeof(LossKit.NonFiniteLossException),
    ];

    // LOSSKIT_ROBUSTNESS_TRACE=file writes each iteration's operation before it runs: the last line names a crash.
    private static readonly StreamWriter? Trace =
        Environment.GetEnvironmentVariable("LOSSKIT_ROBUSTNESS_TRACE") is { Length: > 0 } path ? new StreamWriter(path) : null;

    private static readonly ScalarType[] DTypes = [ScalarType.Float32, ScalarType.Float64, ScalarType.Int64, ScalarType.Int32, ScalarType.Bool];

    /// <summary>One random operation: its name and the call (which may read more random choices).</summary>
    private sealed record Op(string Name, Func<Gen, object?> Run);

    /// <summary>The random source of one iteration: two tensors, and choices.</summary>
    private sealed class Gen(Random random, Tensor a, Tensor b)
    {
        public Random R { get; } = random;
        public Tensor A { get; } = a;
        public Tensor B { get; } = b;
        public long Dim() => R.Next(10) switch { 0 => long.MaxValue, 1 => -7, 2 => 5, _ => R.Next(-3, 3) };
        public long Size() => R.Next(8) switch { 0 => -1, 1 => 0, 2 => -5, _ => R.Next(1, 5) };
        public long[] Shape() => Enumerable.Range(0, R.Next(0, 4)).Select(_ => Size()).ToArray();
        public Tensor Index() => R.Next(3) == 0 ? B : tensor(Enumerable.Range(0, R.Next(0, 5)).Select(_ => (long)R.Next(-3, 6)).ToArray());
        public Tensor T() => R.Next(2) == 0 ? A : B;
        public bool Flip() => R.Next(2) == 0;
    }

    private static readonly Op[] Ops =
    [
        // element-wise, unary
        new("neg", g => g.A.neg()), new("abs", g => g.A.abs()), new("exp", g => g.A.exp()), new("log", g => g.A.log()),
        new("sqrt", g => g.A.sqrt()), new("sigmoid", g => g.A.sigmoid()), new("tanh", g => g.A.tanh()), new("relu", g => g.A.relu()),
        new("floor", g => g.A.floor()), new("reciprocal", g => g.A.reciprocal()), new("isnan", g => g.A.isnan()),
        new("logical_not", g => g.A.logical_not()), new("bitwise_not", g => g.A.bitwise_not()), new("sign", g => g.A.sign()),
        new("softplus", g => g.A.softplus()), new("log_sigmoid", g => g.A.log_sigmoid()),
        new("clamp", g => g.A.clamp(g.R.NextDouble() - 0.5, g.R.NextDouble() * 3 - 1)),
        // element-wise, binary (broadcasting, promotion, mismatches)
        new("add", g => g.A.add(g.B)), new("sub", g => g.A.sub(g.B)), new("mul", g => g.A.mul(g.B)), new("div", g => g.A.div(g.B)),
        new("pow", g => g.A.pow(g.B)), new("remainder", g => g.A.remainder(g.B)), new("maximum", g => g.A.maximum(g.B)),
        new("eq", g => g.A.eq(g.B)), new("lt", g => g.A.lt(g.B)), new("logical_and", g => g.A.logical_and(g.B)),
        new("bitwise_and", g => g.A.bitwise_and(g.B)), new("xlogy", g => g.A.xlogy(g.B)), new("where", g => where(g.B, g.A, g.A.neg())),
        new("masked_fill", g => g.A.masked_fill(g.B, double.NaN)), new("div_scalar", g => g.A.div(g.R.Next(-1, 2))),
        new("remainder_scalar", g => g.A.remainder(g.R.Next(-1, 2))), new("pow_scalar", g => g.A.pow(g.R.Next(-2, 3))),
        new("matmul", g => g.A.matmul(g.B)), new("addcmul", g => g.A.addcmul(g.B, g.T(), 0.5)),
        // reductions and normalisations
        new("sum", g => g.A.sum()), new("sum_dim", g => g.A.sum(g.Dim(), g.Flip())), new("mean", g => g.A.mean()),
        new("mean_dims", g => g.A.mean([g.Dim(), g.Dim()])), new("max", g => g.A.max()), new("max_dim", g => g.A.max(g.Dim()).values),
        new("argmax", g => g.A.argmax()), new("argmin_dim", g => g.A.argmin(g.Dim())), new("logsumexp", g => g.A.logsumexp(g.Dim())),
        new("softmax", g => g.A.softmax(g.Dim())), new("log_softmax", g => g.A.log_softmax(g.Dim())), new("cumsum", g => g.A.cumsum(g.Dim())),
        new("all", g => g.A.all()), new("any", g => g.A.any()), new("allclose", g => g.A.allclose(g.B)), new("equal", g => g.A.Equals(g.B)),
        // shapes, views, indexing
        new("reshape", g => g.A.reshape(g.Shape())), new("view", g => g.A.view(g.Shape())), new("flatten", g => g.A.flatten(g.Dim(), g.Dim())),
        new("unsqueeze", g => g.A.unsqueeze(g.Dim())), new("squeeze", g => g.A.squeeze(g.Dim())), new("transpose", g => g.A.transpose(g.Dim(), g.Dim())),
        new("permute", g => g.A.permute(Enumerable.Range(0, g.R.Next(0, 4)).Select(_ => g.Dim()).ToArray())),
        new("expand", g => g.A.expand(g.Shape())), new("repeat", g => g.A.repeat(Enumerable.Range(0, g.R.Next(0, 4)).Select(_ => (long)g.R.Next(-1, 3)).ToArray())),
        new("narrow", g => g.A.narrow(g.Dim(), g.R.Next(-2, 3), g.R.Next(-1, 3))), new("select", g => g.A.select(g.Dim(), g.R.Next(-3, 4))),
        new("index_select", g => g.A.index_select(g.Dim(), g.Index())), new("gather", g => g.A.gather(g.Dim(), g.Index())),
        new("scatter", g => g.A.scatter(g.Dim(), g.Index(), g.B)), new("scatter_add", g => g.A.scatter_add(g.Dim(), g.Index(), g.B)),
        new("one_hot", g => functional.one_hot(g.A, g.R.Next(-2, 6))), new("masked_select", g => g.A.masked_select(g.B)),
        new("index", g => g.A[g.R.Next(-3, 4)]), new("index_tensor", g => g.A[TensorIndex.Tensor(g.Index())]),
        new("index_put_", g => g.A.clone().index_put_(g.B, TensorIndex.Single(g.R.Next(-3, 4)))),
        new("cat", g => cat([g.A, g.B], g.Dim())), new("stack", g => stack([g.A, g.B], g.Dim())),
        new("to", g => g.A.to(DTypes[g.R.Next(DTypes.Length)])), new("clone", g => g.A.clone()), new("contiguous", g => g.A.t().contiguous()),
        new("copy_", g => g.A.clone().copy_(g.B)), new("item", g => g.A.item<float>()), new("ToArray", g => g.A.ToArray<long>()),
        new("ToDouble", g => g.A.ToDouble()), new("ToString", g => g.A.ToString()),
        // in place
        new("add_", g => g.A.clone().add_(g.B)), new("mul_", g => g.A.clone().mul_(g.B)), new("clamp_min_", g => g.A.clone().clamp_min_(0)),
        new("masked_fill_", g => g.A.clone().masked_fill_(g.B, 1)), new("fill_", g => g.A.clone().fill_(double.PositiveInfinity)),
        // creation from random arguments
        new("zeros", g => zeros(g.Shape(), DTypes[g.R.Next(DTypes.Length)])), new("full", g => full(g.Shape(), double.NaN)),
        new("randint", g => randint(g.R.Next(-3, 3), g.R.Next(-3, 3), g.Shape())), new("arange", g => arange(0, g.R.Next(-3, 5), g.R.Next(-1, 2))),
        new("linspace", g => linspace(0, 1, g.R.Next(-2, 5))), new("tensor_shape", g => tensor(new[] { 1.0, 2.0 }, g.Shape())),
        // autograd
        new("requires_grad_", g => g.A.clone().requires_grad_()), new("backward", g =>
        {
            var x = g.A.clone().requires_grad_();
            (g.Flip() ? x.mul(x).sum() : x.exp()).backward(); // a non-scalar needs a gradient: an error
            return x.grad;
        }),
        new("backward_gradient", g =>
        {
            var x = g.A.to(ScalarType.Float32).requires_grad_();
            x.exp().backward(g.B);
            return x.grad;
        }),
        new("autograd_grad", g =>
        {
            var x = g.A.to(ScalarType.Float64).requires_grad_();
            return autograd.grad([x.mul(2).sum()], [x, g.B], allow_unused: g.Flip());
        }),
        new("check_grad_finite", g =>
        {
            var x = g.A.to(ScalarType.Float32).requires_grad_();
            autograd.check_grad_finite(x, "Robustness").log().sum().backward();
            return x.grad;
        }),
        // the fused loss kernels (LossKit's own native code), called directly with unchecked arguments
        new("fused_elementwise", g => FusedKernels.elementwise_loss((FusedKernels.ElementwiseLoss)g.R.Next(-1, 10), g.A, g.B,
            (Reduction)g.R.Next(0, 5), g.R.NextDouble() * 2 - 0.5, g.R.NextDouble() * 2, g.Flip() ? g.T() : null,
            (FusedKernels.WeightLayout)g.R.Next(0, 3), g.Flip() ? g.T() : null, (FusedKernels.ValueChecks)g.R.Next(0, 8))),
        new("fused_rowwise", g => FusedKernels.rowwise_loss((FusedKernels.RowwiseLoss)g.R.Next(-1, 3), g.A, g.Index(), (Reduction)g.R.Next(0, 4),
            g.R.NextDouble(), g.Flip() ? g.T() : null, g.R.Next(-101, 3))),
        new("fused_nll", g => FusedKernels.nll_loss(g.A, g.Index(), (Reduction)g.R.Next(0, 4), g.Flip() ? g.T() : null, g.R.Next(-101, 3))),
        new("fused_overlap", g => FusedKernels.overlap_loss(g.A, g.Index(), g.R.NextDouble() - 0.1, g.R.Next(-101, 3), g.Flip(), (Reduction)g.R.Next(0, 4))),
        new("fused_rmse", g => FusedKernels.rmse_loss(g.A, g.B, g.R.NextDouble() - 0.1, (Reduction)g.R.Next(0, 4))),
        new("fused_backward", g =>
        {
            var x = g.A.clone().requires_grad_();
            var loss = FusedKernels.elementwise_loss((FusedKernels.ElementwiseLoss)g.R.Next(0, 9), x, g.B, (Reduction)g.R.Next(0, 4));
            loss.backward(g.Flip() ? null : g.B);
            return x.grad;
        }),
        // functional losses of the binding (libtorch's kernels)
        new("cross_entropy", g => functional.cross_entropy(g.A, g.Index())), new("nll_loss", g => functional.nll_loss(g.A, g.Index())),
        new("mse_loss", g => functional.mse_loss(g.A, g.B)), new("binary_cross_entropy", g => functional.binary_cross_entropy(g.A, g.B)),
        new("kl_div", g => functional.kl_div(g.A, g.B)),
    ];

    [Fact]
    public void random_calls_throw_only_documented_exceptions_and_leave_no_error_state_behind()
    {
        var random = new Random(Seed);
        var failures = new Dictionary<string, int>();
        var calls = new Dictionary<string, int>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Iterations; i++)
        {
            var op = Ops[random.Next(Ops.Length)];
            calls[op.Name] = calls.GetValueOrDefault(op.Name) + 1;
            if (Trace is { } trace)
            {
                trace.WriteLine($"{i} {op.Name}");
                trace.Flush();
            }
            Exception? thrown = null;
            using (NewDisposeScope())
            {
                var a = RandomTensor(random);
                var b = random.Next(4) == 0 ? a.alias() : random.Next(3) == 0 ? Like(random, a) : RandomTensor(random);
                if (Trace is { } t && Environment.GetEnvironmentVariable("LOSSKIT_ROBUSTNESS_TRACE_FROM") is { } from && i >= int.Parse(from, CultureInfo.InvariantCulture))
                {
                    t.WriteLine($"  a = {a.dtype} {a}\n  b = {b.dtype} {b}");
                    t.Flush();
                }
                try
                {
                    Consume(op.Run(new Gen(random, a, b)));
                }
                catch (Exception e)
                {
                    thrown = e;
                }
            }
            if (thrown is not null)
            {
                failures[op.Name] = failures.GetValueOrDefault(op.Name) + 1;
                // Plain checks on the hot path; FluentAssertions only to report a failure.
                if (Array.IndexOf(Allowed, thrown.GetType()) < 0 || string.IsNullOrWhiteSpace(thrown.Message))
                    Allowed.Should().Contain(thrown.GetType(), $"iteration {i} ({op.Name}) threw {thrown}");
            }
            NextCallIsClean(i, thrown is not null);
        }
        clock.Stop();
        var total = failures.Values.Sum();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Iterations} calls in {clock.Elapsed.TotalSeconds:F1} s, {total} failed with documented exceptions ({100.0 * total / Iterations:F0} %)."));
        foreach (var (name, n) in calls.OrderBy(c => c.Key))
            output.WriteLine($"  {name,-20} {n,6} calls, {failures.GetValueOrDefault(name),6} failed");
        // The generator must exercise both outcomes, or it tests nothing.
        total.Should().BeGreaterThan(Iterations / 10);
        total.Should().BeLessThan(Iterations * 9 / 10);
    }

    [Fact]
    public void an_absurd_allocation_fails_with_an_exception_and_the_next_allocation_works()
    {
        var act = () => empty([1L << 46], ScalarType.Float64);
        act.Should().Throw<Exception>().Which.Should().Match<Exception>(e => e is InsufficientMemoryException || e is TorchException);
        using var scope = NewDisposeScope();
        zeros(1000).sum().ToDouble().Should().Be(0);
    }

    /// <summary>After any call (failed or not), a valid call works, and a failing one reports its own error.</summary>
    private static void NextCallIsClean(int iteration, bool afterFailure)
    {
        using var scope = NewDisposeScope();
        var value = (tensor(new[] { 1.0, 2.0 }) + 1).sum().item<double>();
        if (value != 5) value.Should().Be(5, $"a valid call after iteration {iteration}");
        if (!afterFailure) return;
        try
        {
            _ = ones(2) + ones(3);
        }
        catch (TorchException e) when (e.Message.StartsWith("add: The size of tensor a (2) must match the size of tensor b (3)", StringComparison.Ordinal))
        {
            return;
        }
        catch (Exception e)
        {
            e.Message.Should().StartWith("add: The size of tensor a (2)", $"the error after iteration {iteration} must be its own");
        }
        Assert.Fail($"a failing call after iteration {iteration} did not fail");
    }

    private static void Consume(object? result)
    {
        switch (result)
        {
            case Tensor t:
                _ = t.shape;
                _ = t.dtype;
                if (t.numel() <= 64) _ = t.ToString();
                break;
            case IEnumerable<Tensor?> list:
                foreach (var t in list) Consume(t);
                break;
        }
    }

    /// <summary>A random tensor: rank 0 to 3, sizes 0 to 3, any of the five dtypes, values with specials.</summary>
    private static Tensor RandomTensor(Random r)
    {
        var shape = Enumerable.Range(0, r.Next(0, 4)).Select(_ => (long)(r.Next(5) == 0 ? 0 : r.Next(1, 4))).ToArray();
        return Fill(r, shape, DTypes[r.Next(DTypes.Length)]);
    }

    /// <summary>A tensor with <paramref name="like"/>'s shape (so element-wise combinations are often valid) but maybe another dtype.</summary>
    private static Tensor Like(Random r, Tensor like) => Fill(r, like.shape, r.Next(2) == 0 ? like.dtype : DTypes[r.Next(DTypes.Length)]);

    private static Tensor Fill(Random r, long[] shape, ScalarType dtype)
    {
        var n = (int)shape.Aggregate(1L, (x, y) => x * y);
        switch (dtype)
        {
            case ScalarType.Bool:
                return tensor(Enumerable.Range(0, n).Select(_ => r.Next(2) == 0).ToArray(), shape);
            case ScalarType.Int64:
                return tensor(Enumerable.Range(0, n).Select(_ => r.Next(10) switch
                {
                    0 => long.MaxValue, 1 => long.MinValue, 2 => -1L, _ => (long)r.Next(-2, 6),
                }).ToArray(), shape);
            case ScalarType.Int32:
                return tensor(Enumerable.Range(0, n).Select(_ => r.Next(10) switch
                {
                    0 => int.MaxValue, 1 => int.MinValue, _ => r.Next(-2, 6),
                }).ToArray(), shape);
            default:
                var values = Enumerable.Range(0, n).Select(_ => r.Next(12) switch
                {
                    0 => double.NaN, 1 => double.PositiveInfinity, 2 => double.NegativeInfinity,
                    3 => 1e38 * (r.Next(2) * 2 - 1), 4 => 1e308, 5 => 0.0, 6 => -1.0,
                    _ => r.NextDouble() * 4 - 2,
                }).ToArray();
                return tensor(values, shape, dtype);
        }
    }
}
