using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;
using static LossKit.Tests.Reliability.BadInputMatrix;

namespace LossKit.Tests.Reliability;

/// <summary>The bad-input matrix of the regression losses (MSE, L1, Huber, SmoothL1, RMSE, SmoothLoss).</summary>
public class RegressionBadInputTests
{
    private static readonly long[] Shape = [4, 3];

    private static LossUnderTest Regression(string name, Func<Tensor, Tensor, Reduction, Tensor> g, Func<Loss<Tensor, Tensor, Tensor>> module)
    {
        Tensor f(Tensor x, Tensor y) => g(x, y, Reduction.Mean);
        Tensor X(bool grad = true) => Randn(1, Shape, grad: grad);
        Tensor Y() => Randn(2, Shape);
        var cases = new List<BadCase>
        {
            new("wrong rank", () => f(X(), Randn(2, [4])), Throws<LossArgumentException>("target", "[4, 3]", "[4]")),
            new("batch size mismatch", () => f(X(), Randn(2, [5, 3])), Throws<LossArgumentException>("target", "[4, 3]", "[5, 3]")),
            new("integer input", () => f(X(false).to(ScalarType.Int64), Y()), Throws<LossArgumentException>("input", "Int64")),
            new("bool input", () => f(X(false).gt(0), Y()), Throws<LossArgumentException>("input", "Bool")),
            new("integer target", () => f(X(), Y().to(ScalarType.Int32)), Throws<LossArgumentException>("target", "Int32")),
            new("different float dtypes", () => f(X(), Y().to(ScalarType.Float64)), Throws<LossArgumentException>("target", "Float32", "Float64")),
            new("unknown reduction", () => g(X(), Y(), (Reduction)42), Throws<LossArgumentException>("reduction", "42")),
            new("empty batch", () => f(Randn(1, [0, 3], grad: true), Randn(2, [0, 3])), new Outcome.Value(0)),
            new("NaN in input", () => f(With(X(), 4, double.NaN, grad: true), Y()), new Outcome.NonFinite(double.NaN)),
            new("+Inf in input", () => f(With(X(), 4, double.PositiveInfinity, grad: true), Y()), new Outcome.NonFinite(double.PositiveInfinity)),
            new("NaN in target", () => f(X(), With(Y(), 4, double.NaN)), new Outcome.NonFinite(double.NaN)),
            new("-Inf in target", () => f(X(), With(Y(), 4, double.NegativeInfinity)), new Outcome.NonFinite(double.PositiveInfinity)),
            new("disposed input", () => f(Disposed(X()), Y()), Throws<ObjectDisposedException>("input", "disposed")),
            new("disposed target", () => f(X(), Disposed(Y())), Throws<ObjectDisposedException>("target", "disposed")),
            new("module used after Dispose", () =>
            {
                var m = module();
                m.Dispose();
                return m.call(X(), Y());
            }, Throws<ObjectDisposedException>("disposed")),
        };
        return new LossUnderTest(name, () => f(X(), Y()), cases);
    }

    public static IReadOnlyList<LossUnderTest> Family { get; } =
    [
        Regression(nameof(MSELoss), (x, y, r) => losses.mse_loss(x, y, r), () => losses.MSELoss()),
        Regression(nameof(L1Loss), (x, y, r) => losses.l1_loss(x, y, r), () => losses.L1Loss()),
        Regression(nameof(HuberLoss), (x, y, r) => losses.huber_loss(x, y, 0.5, r), () => losses.HuberLoss(0.5)),
        Regression(nameof(SmoothL1Loss), (x, y, r) => losses.smooth_l1_loss(x, y, r, beta: 0.5), () => losses.SmoothL1Loss(beta: 0.5)),
        Regression(nameof(RMSELoss), (x, y, r) => losses.rmse_loss(x, y, r), () => losses.RMSELoss()),
        Regression(nameof(SmoothLoss), (x, y, r) => losses.smooth_loss(x, y, reduction: r), () => losses.SmoothLoss()),
    ];

    public static TheoryData<string, string, string> Rows => BadInputMatrix.Rows(Family);

    [Theory]
    [MemberData(nameof(Rows))]
    public void every_bad_input_ends_in_a_documented_exception_or_result(string loss, string badCase, string path) =>
        BadInputMatrix.Run(Family, loss, badCase, path);

    [CudaFact]
    public void input_and_target_on_different_devices_are_refused()
    {
        using var scope = NewDisposeScope();
        var x = Randn(1, Shape, grad: true);
        var y = Randn(2, Shape).cuda();
        foreach (var l in Family)
        {
            var act = () => l.Name switch
            {
                nameof(MSELoss) => losses.mse_loss(x, y),
                nameof(L1Loss) => losses.l1_loss(x, y),
                nameof(HuberLoss) => losses.huber_loss(x, y),
                nameof(SmoothL1Loss) => losses.smooth_l1_loss(x, y),
                nameof(RMSELoss) => losses.rmse_loss(x, y),
                _ => losses.smooth_loss(x, y),
            };
            act.Should().Throw<LossArgumentException>().WithMessage($"{l.Name}: input is on cpu but target is on cuda*");
        }
    }
}
