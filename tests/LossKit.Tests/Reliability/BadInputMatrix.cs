using LossKit.Tests.Infrastructure;
using LossKit.Torch;
using static LossKit.Torch.torch;

namespace LossKit.Tests.Reliability;

/// <summary>What a bad input must lead to (docs/errors-and-guarantees.md has the same table in words).</summary>
public abstract record Outcome
{
    /// <summary>An exception of exactly <paramref name="Type"/> whose message contains every fragment (the loss's name is
    /// always required as well).</summary>
    public sealed record Throws(Type Type, params string[] Fragments) : Outcome
    {
        public override string ToString() => $"throws {Type.Name}";
    }

    /// <summary>Defined on purpose (for example 0 for the mean over nothing): this value, and a backward pass that works.</summary>
    public sealed record Value(double Expected) : Outcome
    {
        public override string ToString() => $"gives {Expected}";
    }

    /// <summary>
    /// A NaN or infinity that reaches the loss: by default the loss is <paramref name="Expected"/> (NaN, +∞ or -∞; NaN
    /// here also accepts nothing else), and with <see cref="LossChecks"/> on, the loss call throws
    /// <see cref="NonFiniteLossException"/> naming the loss.
    /// </summary>
    public sealed record NonFinite(double Expected) : Outcome
    {
        public override string ToString() => $"propagates {Expected}";
    }

    /// <summary>
    /// A NaN or infinity that does not reach the loss on purpose (a masked class, an entry the loss does not read): a finite
    /// loss and gradient, and <see cref="LossChecks"/> does not throw.
    /// </summary>
    public sealed record Finite : Outcome
    {
        public override string ToString() => "stays finite";
    }
}

/// <summary>One row of the matrix: a bad input for one loss, and what must happen.</summary>
/// <param name="Name">The case, as listed in docs/errors-and-guarantees.md.</param>
/// <param name="Call">Builds the tensors (in the caller's dispose scope) and calls the loss; returns the loss.</param>
/// <param name="Expected">What must happen.</param>
/// <param name="Loss">The loss the message must name, when not the loss under test (CombinedLoss reports its component).</param>
public sealed record BadCase(string Name, Func<Tensor> Call, Outcome Expected, string? Loss = null);

/// <summary>A loss under test: its name, how to call it with valid arguments, and its bad cases.</summary>
/// <param name="Reports">The name its messages use, when <paramref name="Name"/> also names a configuration.</param>
public sealed record LossUnderTest(string Name, Func<Tensor> Valid, IReadOnlyList<BadCase> Cases, string? Reports = null);

/// <summary>Runs one case of the matrix, then checks that the process still works: the next valid call succeeds.</summary>
public static class BadInputMatrix
{
    /// <summary>Every (loss, case) pair, each on the fused CPU kernels (where the loss has one) and on the composed path.</summary>
    public static TheoryData<string, string, string> Rows(IEnumerable<LossUnderTest> losses)
    {
        var data = new TheoryData<string, string, string>();
        foreach (var l in losses)
            foreach (var c in l.Cases)
                foreach (var path in new[] { Fused, Composed })
                    data.Add(l.Name, c.Name, path);
        return data;
    }

    public const string Fused = "fused", Composed = "composed";

    public static void Run(IEnumerable<LossUnderTest> family, string loss, string caseName, string path)
    {
        using var composed = path == Composed ? FusedKernels.DisableOnThisThread() : null;
        var l = family.Single(x => x.Name == loss);
        var c = l.Cases.Single(x => x.Name == caseName);
        var named = c.Loss ?? l.Reports ?? l.Name;
        var because = $"{loss}, case '{caseName}' ({c.Expected}, {path} path)";
        switch (c.Expected)
        {
            case Outcome.Throws t:
            {
                Exception? thrown;
                using (NewDisposeScope()) thrown = Record.Exception(() => c.Call());
                thrown.Should().NotBeNull($"{because} must throw");
                thrown!.GetType().Should().Be(t.Type, $"{because}: {thrown}");
                thrown.Message.Should().Contain(named, because);
                foreach (var fragment in t.Fragments) thrown.Message.Should().Contain(fragment, because);
                break;
            }
            case Outcome.Value v:
                using (NewDisposeScope())
                {
                    var value = c.Call();
                    value.numel().Should().Be(1, because);
                    value.ToDouble().Should().Be(v.Expected, because);
                    if (value.requires_grad) value.backward();
                }
                break;
            case Outcome.NonFinite n:
                using (NewDisposeScope())
                {
                    var value = c.Call().ToDouble();
                    if (double.IsNaN(n.Expected)) double.IsNaN(value).Should().BeTrue($"{because}: got {value}");
                    else value.Should().Be(n.Expected, because);
                }
                using (NewDisposeScope())
                using (LossChecks.ThrowOnNonFiniteOnThisThread())
                {
                    var thrown = Record.Exception(() => c.Call());
                    thrown.Should().BeOfType<NonFiniteLossException>($"{because} with LossChecks on");
                    var e = (NonFiniteLossException)thrown!;
                    e.Kind.Should().Be(NonFiniteKind.LossValue);
                    e.Loss.Should().Be(named);
                    e.Message.Should().StartWith(named + ": the loss value is not finite");
                }
                break;
            case Outcome.Finite:
                using (NewDisposeScope())
                using (LossChecks.ThrowOnNonFiniteOnThisThread())
                {
                    var value = c.Call();
                    double.IsFinite(value.ToDouble()).Should().BeTrue(because);
                    // The gradient check would throw here if a NaN or infinity reached the input's gradient.
                    if (value.requires_grad) value.backward();
                }
                break;
        }
        ValidCallWorks(l);
    }

    /// <summary>After a failure the same loss works again on valid arguments, with a finite value and gradient.</summary>
    public static void ValidCallWorks(LossUnderTest l)
    {
        using var scope = NewDisposeScope();
        using var checks = LossChecks.ThrowOnNonFiniteOnThisThread();
        var value = l.Valid();
        double.IsFinite(value.ToDouble()).Should().BeTrue($"{l.Name}'s valid call after a bad one");
        value.backward();
    }

    // ----- tensors ---------------------------------------------------------------------------------------

    /// <summary>Seeded normal values as float32 (or the given dtype), optionally requiring grad.</summary>
    public static Tensor Randn(int seed, long[] shape, ScalarType dtype = ScalarType.Float32, bool grad = false)
    {
        var n = (int)shape.Aggregate(1L, (a, b) => a * b);
        return Rng.Tensor(new Rng(seed).Normal(n), shape, dtype, grad);
    }

    /// <summary>Seeded uniform values in [0, 1) as float32 (or the given dtype).</summary>
    public static Tensor Rand(int seed, long[] shape, ScalarType dtype = ScalarType.Float32, bool grad = false)
    {
        var n = (int)shape.Aggregate(1L, (a, b) => a * b);
        return Rng.Tensor(new Rng(seed).Uniform(n, 0.05, 0.95), shape, dtype, grad);
    }

    /// <summary>A copy of <paramref name="t"/> with the flat element <paramref name="index"/> set to <paramref name="value"/>
    /// (requiring grad when <paramref name="grad"/>).</summary>
    public static Tensor With(Tensor t, long index, double value, bool grad = false)
    {
        Tensor copy;
        using (no_grad())
        {
            copy = t.detach().clone();
            copy.view(-1).index_put_(value, TensorIndex.Single(index));
        }
        if (grad) copy.requires_grad_();
        return copy;
    }

    /// <summary>A disposed copy of <paramref name="t"/>.</summary>
    public static Tensor Disposed(Tensor t)
    {
        var copy = t.detach().clone();
        copy.Dispose();
        return copy;
    }

    public static Tensor Long(params long[] values) => tensor(values);

    public static Outcome Throws<T>(params string[] fragments) where T : Exception => new Outcome.Throws(typeof(T), fragments);
}

/// <summary>A fact that runs only where CUDA is available (a CUDA build of libtorch and a GPU); skipped elsewhere.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!cuda.is_available()) Skip = "CUDA is not available (a CPU-only libtorch, or no GPU): two devices cannot be created here.";
    }
}
