using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests.NN;

public class ModuleMoveTests
{
    [Fact]
    public void Converting_a_module_converts_the_accumulated_gradients_too()
    {
        manual_seed(3);
        using var model = nn.Linear(3, 2);
        using (var scope = NewDisposeScope())
        {
            var loss = model.call(ones(4, 3)).sum();
            loss.backward();
        }
        float[] before;
        using (var g = model.weight.grad!) before = g.ToArray<float>();
        // d sum(x Wᵀ + b) / dW = column sums of x = 4 for every weight.
        before.Should().OnlyContain(v => v == 4f);

        model.to(ScalarType.Float64);
        model.weight.dtype.Should().Be(ScalarType.Float64);
        using var moved = model.weight.grad;
        moved.Should().NotBeNull("PyTorch moves .grad along with the parameter");
        moved!.dtype.Should().Be(ScalarType.Float64);
        moved.ToArray<double>().Should().OnlyContain(v => v == 4.0);
    }
}
