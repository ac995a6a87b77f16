using LossKit.Tests.Infrastructure;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Utilities;

public sealed class CombinedLossTests
{
    private static (Tensor input, Tensor target) Data()
    {
        var rng = new Rng(41);
        var target = rng.Integers(12, 0, 2).Select(v => (double)v).ToArray();
        target[0] = 1;
        return (Rng.Tensor(rng.Normal(12, 1.5), [4, 3]), Rng.Tensor(target, [4, 3]));
    }

    [Fact]
    public void Value_and_gradient_are_the_weighted_sums_of_the_components()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Data();
        using var combined = losses.Combine((losses.MSELoss(), 1.0), (losses.DiceLoss(OverlapMode.Binary), 0.5), (losses.L1Loss(Reduction.Sum), -0.25));

        var input = x.clone().requires_grad_();
        var loss = combined.call(input, y);
        loss.shape.Should().BeEmpty();
        loss.backward();

        // The components one by one, each with its own leaf.
        var expected = 0.0;
        var expectedGrad = new double[12];
        foreach (var (f, w) in new (Func<Tensor, Tensor>, double)[]
                 {
                     (t => losses.mse_loss(t, y), 1.0),
                     (t => losses.dice_loss(t, y, OverlapMode.Binary), 0.5),
                     (t => losses.l1_loss(t, y, Reduction.Sum), -0.25),
                 })
        {
            var leaf = x.clone().requires_grad_();
            var value = f(leaf);
            expected += w * value.ToDouble();
            value.backward();
            var g = leaf.grad!.ToArray<double>();
            for (var i = 0; i < 12; i++) expectedGrad[i] += w * g[i];
        }
        loss.ToDouble().Should().BeApproximately(expected, 1e-12);
        TensorAssert.Close(input.grad!, expectedGrad);
        combined.components.Select(c => c.weight).Should().Equal(1.0, 0.5, -0.25);
    }

    [Fact]
    public void Hand_computed_case()
    {
        using var scope = NewDisposeScope();
        // input [1, 2], target [0, 4]: MSE = (1 + 4)/2 = 2.5, L1 = (1 + 2)/2 = 1.5; 2·MSE + 3·L1 = 5 + 4.5 = 9.5.
        // Gradient: 2·(2e/2) + 3·(sign(e)/2) with e = [1, -2]: [2 + 1.5, -4 - 1.5] = [3.5, -5.5].
        var x = tensor(new double[] { 1, 2 }, requires_grad: true);
        using var loss = losses.Combine((losses.MSELoss(), 2.0), (losses.L1Loss(), 3.0));
        var value = loss.call(x, tensor(new double[] { 0, 4 }));
        value.ToDouble().Should().Be(9.5);
        value.backward();
        x.grad!.ToArray<double>().Should().Equal(3.5, -5.5);
    }

    [Fact]
    public void A_component_that_does_not_reduce_to_a_scalar_is_an_error()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Data();
        using var combined = losses.Combine((losses.MSELoss(), 1.0), (losses.L1Loss(Reduction.None), 1.0));
        FluentActions.Invoking(() => combined.call(x, y)).Should().Throw<LossArgumentException>()
            .Where(e => e.Loss == "CombinedLoss" && e.ParamName == "components")
            .WithMessage("CombinedLoss: component 1 (L1Loss) returned shape [4, 3], not a scalar (its reduction is None: use Mean or Sum)*");
        using var perClass = losses.Combine((losses.DiceLoss(OverlapMode.Binary, reduction: Reduction.None), 1.0));
        FluentActions.Invoking(() => perClass.call(x, y)).Should().Throw<LossArgumentException>().WithMessage("*returned shape [1], not a scalar*");
    }

    [Fact]
    public void Owns_and_disposes_its_components()
    {
        var mse = losses.MSELoss();
        var dice = losses.DiceLoss(OverlapMode.Binary);
        var combined = losses.Combine((mse, 1.0), (dice, 0.5));
        combined.named_children().Select(c => c.name).Should().Equal("0", "1");
        combined.children().Should().Equal(mse, dice);
        combined.ToString().Should().Be("CombinedLoss(1 * MSELoss(reduction=Mean) + 0.5 * DiceLoss(mode=Binary, from_logits=True, average=Macro, epsilon=1E-07, ignore_index=-100, reduction=Mean))");
        combined.Dispose();
        mse.IsDisposed.Should().BeTrue();
        dice.IsDisposed.Should().BeTrue();
        FluentActions.Invoking(() => combined.call(zeros(2), zeros(2))).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void Rejects_bad_components()
    {
        FluentActions.Invoking(() => losses.Combine()).Should().Throw<LossArgumentException>().WithMessage("CombinedLoss: at least one (loss, weight) component is needed.*");
        FluentActions.Invoking(() => losses.Combine((null!, 1.0))).Should().Throw<LossArgumentException>().WithMessage("CombinedLoss: component 0 is null.*");
        using var mse = losses.MSELoss();
        FluentActions.Invoking(() => losses.Combine((mse, double.NaN))).Should().Throw<LossArgumentOutOfRangeException>()
            .WithMessage("CombinedLoss: component 0 (MSELoss) has weight NaN; weights must be finite.*");
        FluentActions.Invoking(() => losses.Combine((mse, 1.0), (losses.L1Loss(), double.PositiveInfinity))).Should().Throw<LossArgumentOutOfRangeException>();
        var disposed = losses.L1Loss();
        disposed.Dispose();
        FluentActions.Invoking(() => losses.Combine((disposed, 1.0))).Should().Throw<ObjectDisposedException>().WithMessage("*CombinedLoss: component 0 (L1Loss) has been disposed*");
    }

    [Fact]
    public void Component_validation_errors_pass_through()
    {
        using var scope = NewDisposeScope();
        using var combined = losses.Combine((losses.MSELoss(), 1.0));
        FluentActions.Invoking(() => combined.call(zeros(4, 1), zeros(4))).Should().Throw<LossArgumentException>().Where(e => e.Loss == "MSELoss");
    }
}
