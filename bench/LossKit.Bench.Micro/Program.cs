using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using LossKit;
using LossKit.Torch;
using static LossKit.Torch.torch;

// dotnet run --project bench/LossKit.Bench.Micro -c Release -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Overhead).Assembly).Run(args);

/// <summary>What one call through LossKit.Torch costs on tiny tensors, where the native work is negligible.</summary>
[MemoryDiagnoser]
public class Overhead
{
    private Tensor _a = null!, _b = null!, _logits = null!, _target = null!;

    [GlobalSetup]
    public void Setup()
    {
        manual_seed(0);
        _a = ones(1);
        _b = ones(1);
        _logits = randn(8, 10).requires_grad_();
        _target = randint(0, 10, [8]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _a.Dispose();
        _b.Dispose();
        _logits.Dispose();
        _target.Dispose();
    }

    /// <summary>A tiny op: one native call, one new tensor, disposed at once.</summary>
    [Benchmark(Baseline = true)]
    public void AddOneElement()
    {
        using var r = _a + _b;
    }

    /// <summary>Reading metadata: three native calls.</summary>
    [Benchmark]
    public long Metadata() => _a.shape.Length + (long)_a.dtype + (int)_a.device_type;

    /// <summary>An empty dispose scope: the bookkeeping every training step pays.</summary>
    [Benchmark]
    public void EmptyDisposeScope()
    {
        using var scope = NewDisposeScope();
    }

    /// <summary>The same op inside a scope (registration and disposal through the scope).</summary>
    [Benchmark]
    public void AddInScope()
    {
        using var scope = NewDisposeScope();
        _ = _a + _b;
    }

    /// <summary>A whole small loss, forward only: validation plus the fused kernel.</summary>
    [Benchmark]
    public void CrossEntropy8x10Forward()
    {
        using var scope = NewDisposeScope();
        losses.cross_entropy(_logits, _target);
    }

    /// <summary>A whole small loss, forward and backward.</summary>
    [Benchmark]
    public void CrossEntropy8x10ForwardBackward()
    {
        using var scope = NewDisposeScope();
        losses.cross_entropy(_logits, _target).backward();
        _logits.grad = null;
    }
}
