using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests;

/// <summary>A fact that runs only where CUDA is available (a CUDA build of libtorch and a GPU); skipped elsewhere.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!cuda.is_available()) Skip = "CUDA is not available (a CPU-only libtorch, or no GPU).";
    }
}

/// <summary>A fact for behaviour specific to machines without CUDA; skipped where CUDA is available.</summary>
public sealed class NoCudaFactAttribute : FactAttribute
{
    public NoCudaFactAttribute()
    {
        if (cuda.is_available()) Skip = "CUDA is available here.";
    }
}

public class CudaTests
{
    [CudaFact]
    public void tensors_round_trip_through_the_gpu_unchanged()
    {
        using var scope = NewDisposeScope();
        var cpu = tensor(new[] { 1.5f, -2f, 3.25f });
        var gpu = cpu.cuda();
        gpu.is_cuda.Should().BeTrue();
        gpu.device_type.Should().Be(DeviceType.CUDA);
        gpu.ToArray<float>().Should().Equal(1.5f, -2f, 3.25f);
        var back = gpu.cpu();
        back.is_cpu().Should().BeTrue();
        back.ToArray<float>().Should().Equal(1.5f, -2f, 3.25f);
        zeros(2, 3, device: CUDA).device_type.Should().Be(DeviceType.CUDA);
        tensor(new[] { 1.0 }, device: CUDA).to(CPU).item<double>().Should().Be(1.0);
    }

    [CudaFact]
    public void gpu_results_match_the_cpu()
    {
        using var scope = NewDisposeScope();
        var a = randn(64, 32, ScalarType.Float64);
        var b = randn(32, 16, ScalarType.Float64);
        var onCpu = (a.matmul(b).tanh() + 1).log_softmax(1);
        var onGpu = (a.cuda().matmul(b.cuda()).tanh() + 1).log_softmax(1);
        onGpu.is_cuda.Should().BeTrue();
        onGpu.cpu().ShouldBeClose(onCpu.Values(), 1e-10);
    }

    [CudaFact]
    public void gradients_on_the_gpu_match_the_cpu()
    {
        using var scope = NewDisposeScope();
        double[] xs = [-1, 0.5, 2];
        var xc = tensor(xs, requires_grad: true);
        var xg = tensor(xs, device: CUDA, requires_grad: true);
        xc.sigmoid().sum().backward();
        xg.sigmoid().sum().backward();
        xg.grad!.is_cuda.Should().BeTrue();
        xg.grad!.ShouldBeClose(xc.grad!.Values(), 1e-12);

        using var lin = nn.Linear(4, 2, dtype: ScalarType.Float64);
        var x = randn(3, 4, ScalarType.Float64);
        var expected = lin.call(x).Values();
        lin.to(CUDA);
        lin.weight.is_cuda.Should().BeTrue();
        lin.call(x.cuda()).ShouldBeClose(expected, 1e-12);
    }

    [NoCudaFact]
    public void moving_to_cuda_without_cuda_fails_with_a_clear_error()
    {
        using var scope = NewDisposeScope();
        var t = ones(2);
        var act = () => t.cuda();
        // cuda() is to(CUDA): "to: PyTorch is not linked with support for cuda devices".
        act.Should().Throw<TorchException>().WithMessage("to: *cuda*");
        var factory = () => zeros(2, device: CUDA);
        // No CUDA kernel for the factory: libtorch's NotImplementedError, i.e. NotSupportedException.
        factory.Should().Throw<NotSupportedException>().WithMessage("zeros: Could not run 'aten::empty.memory_format' with arguments from the 'CUDA' backend*");
        // The failure leaves the CPU tensor usable.
        t.sum().item<float>().Should().Be(2);
    }
}
