using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests.Tensors;

public class FactoryOverloadTests
{
    [Fact]
    public void A_literal_zero_size_means_a_size_not_a_dtype()
    {
        // C# converts the constant 0 to any enum: without the int overloads zeros(5, 0) was ambiguous.
        using var z = zeros(5, 0);
        z.shape.Should().Equal(5, 0);
        z.dtype.Should().Be(ScalarType.Float32);
        using var o = ones(2, 0, 3);
        o.shape.Should().Equal(2, 0, 3);
        using var r = randn(0, 4);
        r.shape.Should().Equal(0, 4);
    }

    [Fact]
    public void Pow_with_a_scalar_base()
    {
        // 2^[0, 1, 3] = [1, 2, 8]; d/dx 2^x = ln 2 · 2^x = [0.6931, 1.3863, 5.5452].
        using var x = tensor(new double[] { 0, 1, 3 }, requires_grad: true);
        using var y = pow(2.0, x);
        y.ToArray<double>().Should().Equal(1, 2, 8);
        using var s = y.sum();
        s.backward();
        using var g = x.grad!;
        g.ToArray<double>().Should().BeEquivalentTo(new[] { Math.Log(2), 2 * Math.Log(2), 8 * Math.Log(2) },
            o => o.Using<double>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-12)).WhenTypeIs<double>());
    }
}
