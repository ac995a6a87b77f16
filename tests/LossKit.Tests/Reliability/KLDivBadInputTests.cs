using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;
using static LossKit.Tests.Reliability.BadInputMatrix;

namespace LossKit.Tests.Reliability;

/// <summary>
/// The bad-input matrix of KL divergence: log-probabilities (4, 5) against probabilities (the default) or, with
/// log_target, log-probabilities.
/// </summary>
public class KLDivBadInputTests
{
    private static readonly long[] Shape = [4, 5];

    private static Tensor X(bool grad = true)
    {
        Tensor x;
        using (no_grad()) x = Randn(31, Shape).log_softmax(1);
        return grad ? x.requires_grad_() : x;
    }

    private static Tensor P()
    {
        using var scope = NewDisposeScope();
        return Randn(32, Shape).softmax(1).MoveToOuterDisposeScope();
    }

    private static Tensor F(Tensor x, Tensor t) => losses.kl_div(x, t, Reduction.BatchMean);

    private static LossUnderTest KL(string name, bool logTarget)
    {
        Tensor T() => logTarget ? P().log() : P();
        Tensor G(Tensor x, Tensor t) => losses.kl_div(x, t, Reduction.BatchMean, logTarget);
        var cases = new List<BadCase>
        {
            new("wrong rank", () => G(X(), Rand(32, [4])), Throws<LossArgumentException>("target", "[4, 5]", "[4]")),
            new("batch size mismatch", () => G(X(), Rand(32, [3, 5])), Throws<LossArgumentException>("target", "[4, 5]", "[3, 5]")),
            new("integer input", () => G(X(false).to(ScalarType.Int64), T()), Throws<LossArgumentException>("input", "Int64")),
            new("bool input", () => G(X(false).gt(-1), T()), Throws<LossArgumentException>("input", "Bool")),
            new("integer target", () => G(X(), T().to(ScalarType.Int64)), Throws<LossArgumentException>("target", "Int64")),
            new("different float dtypes", () => G(X(), T().to(ScalarType.Float64)), Throws<LossArgumentException>("target", "Float32", "Float64")),
            new("empty batch", () => G(Randn(31, [0, 5], grad: true), Rand(32, [0, 5])), new Outcome.Value(0)),
            new("NaN in input", () => G(With(X(), 3, double.NaN, grad: true), T()), new Outcome.NonFinite(double.NaN)),
            new("-Inf in input where the target is positive", () => G(With(X(), 3, double.NegativeInfinity, grad: true), T()),
                new Outcome.NonFinite(double.PositiveInfinity)),
            new("NaN in target", () => G(X(), With(T(), 3, double.NaN)), new Outcome.NonFinite(double.NaN)),
            new("disposed input", () => G(Disposed(X()), T()), Throws<ObjectDisposedException>("input", "disposed")),
            new("disposed target", () => G(X(), Disposed(T())), Throws<ObjectDisposedException>("target", "disposed")),
            new("module used after Dispose", () =>
            {
                var m = losses.KLDivLoss(Reduction.BatchMean, logTarget);
                m.Dispose();
                return m.call(X(), T());
            }, Throws<ObjectDisposedException>("disposed")),
        };
        if (!logTarget)
        {
            cases.Add(new("negative target probability", () => G(X(), With(P(), 6, -0.25)),
                Throws<LossArgumentOutOfRangeException>("target", "-0.25", "element 6", "log_target")));
            cases.Add(new("-Inf target (a log-probability passed without log_target)", () => G(X(), With(P(), 6, double.NegativeInfinity)),
                Throws<LossArgumentOutOfRangeException>("target", "-Infinity", "element 6")));
            cases.Add(new("+Inf in target", () => G(X(), With(P(), 6, double.PositiveInfinity)), new Outcome.NonFinite(double.PositiveInfinity)));
            cases.Add(new("-Inf in input where the target is 0 (a masked class)", () =>
                G(With(X(), 6, double.NegativeInfinity, grad: true), With(P(), 6, 0.0)), new Outcome.Finite()));
            cases.Add(new("reduction BatchMean given to another loss", () => losses.mse_loss(X(), P(), Reduction.BatchMean),
                Throws<LossArgumentException>("reduction", "BatchMean"), Loss: nameof(MSELoss)));
        }
        else
        {
            cases.Add(new("-Inf in target (probability 0) with a finite input", () => G(X(), With(T(), 6, double.NegativeInfinity)),
                new Outcome.Finite()));
            cases.Add(new("+Inf in target", () => G(X(), With(T(), 6, double.PositiveInfinity)), new Outcome.NonFinite(double.PositiveInfinity)));
        }
        return new LossUnderTest(name, () => G(X(), T()), cases, nameof(KLDivLoss));
    }

    public static IReadOnlyList<LossUnderTest> Family { get; } =
    [
        KL(nameof(KLDivLoss), logTarget: false),
        KL(nameof(KLDivLoss) + "(log_target)", logTarget: true),
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
        var act = () => F(X(), P().cuda());
        act.Should().Throw<LossArgumentException>().WithMessage("KLDivLoss: input is on cpu but target is on cuda*");
    }
}
