using LossKit.Torch;
using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests;

public class SmokeTests
{
    [Fact]
    public void Sum_of_squares_has_gradient_two_x()
    {
        using var scope = NewDisposeScope();
        // f(x) = sum(x²) with x = [1, 2, 3]: f = 1 + 4 + 9 = 14, df/dx = 2x = [2, 4, 6].
        var x = tensor(new double[] { 1, 2, 3 }, requires_grad: true);
        var f = (x * x).sum();
        f.item<double>().Should().Be(14);
        f.backward();
        x.grad!.ToArray<double>().Should().Equal(2, 4, 6);
    }
}
