using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;
using static LossKit.Tests.Reliability.BadInputMatrix;

namespace LossKit.Tests.Reliability;

/// <summary>
/// The bad-input matrix of the overlap losses (soft F1 and Dice): Multiclass logits (4, 5) against int64 class indices
/// (4), plus the Binary mode's float targets and probability inputs.
/// </summary>
public class OverlapBadInputTests
{
    private const int C = 5;

    private delegate Tensor OverlapLoss(Tensor input, Tensor target, OverlapMode mode, bool fromLogits, long ignoreIndex);

    private static Tensor X(bool grad = true) => Randn(41, [4, C], grad: grad);

    private static Tensor Y() => Long(2, 0, 4, 1);

    private static LossUnderTest Overlap(string name, OverlapLoss f, Func<OverlapMode, Loss<Tensor, Tensor, Tensor>> module)
    {
        Tensor F(Tensor x, Tensor y) => f(x, y, OverlapMode.Multiclass, true, -100);
        Tensor B(Tensor x, Tensor y, bool fromLogits = true) => f(x, y, OverlapMode.Binary, fromLogits, -100);
        var cases = new List<BadCase>
        {
            new("scalar input", () => F(tensor(0.5f).requires_grad_(), Long(0)), Throws<LossArgumentException>("input", "scalar")),
            new("target with a class dimension (wrong rank)", () => F(X(), Y().unsqueeze(1)), Throws<LossArgumentException>("target", "[4, 1]", "[4]")),
            new("batch size mismatch", () => F(X(), Long(2, 0, 4)), Throws<LossArgumentException>("target", "[4, 5]", "[3]")),
            new("integer logits", () => F(X(false).to(ScalarType.Int64), Y()), Throws<LossArgumentException>("input", "Int64")),
            new("bool logits", () => F(X(false).gt(0), Y()), Throws<LossArgumentException>("input", "Bool")),
            new("float class indices", () => F(X(), Y().to(ScalarType.Float32)), Throws<LossArgumentException>("target", "Float32")),
            new("class index >= C", () => F(X(), Long(2, 0, 4, 7)), Throws<LossArgumentOutOfRangeException>("target", "class index 7", "position 3")),
            new("negative class index that is not ignore_index", () => F(X(), Long(-3, 0, 4, 1)),
                Throws<LossArgumentOutOfRangeException>("target", "class index -3", "position 0")),
            new("empty batch (no class present)", () => F(Randn(41, [0, C], grad: true), zeros(0, ScalarType.Int64)), new Outcome.Value(0)),
            new("every target ignore_index (no class present)", () => F(X(), Long(-100, -100, -100, -100)), new Outcome.Value(0)),
            new("NaN in input", () => F(With(X(), 3, double.NaN, grad: true), Y()), new Outcome.NonFinite(double.NaN)),
            new("+Inf in input", () => F(With(X(), 3, double.PositiveInfinity, grad: true), Y()), new Outcome.NonFinite(double.NaN)),
            new("NaN in input (a row whose target is ignore_index)", () => F(With(X(), 2, double.NaN, grad: true), Long(-100, 0, 4, 1)),
                new Outcome.Finite()),
            new("Binary mode: NaN in input where the target is ignore_index", () =>
                B(With(Randn(41, [4]), 1, double.NaN, grad: true), With(Rand(42, [4]), 1, -100)), new Outcome.Finite()),
            new("Binary mode: target above 1", () => B(Randn(41, [4], grad: true), With(Rand(42, [4]), 1, 2.0)),
                Throws<LossArgumentOutOfRangeException>("target", "2", "element 1")),
            new("Binary mode: integer target", () => B(Randn(41, [4], grad: true), Long(0, 1, 1, 0)), Throws<LossArgumentException>("target", "Int64")),
            new("Binary mode: different float dtypes", () => B(Randn(41, [4], grad: true), Rand(42, [4], ScalarType.Float64)),
                Throws<LossArgumentException>("target", "Float32", "Float64")),
            new("Binary mode: batch size mismatch", () => B(Randn(41, [4], grad: true), Rand(42, [5])),
                Throws<LossArgumentException>("target", "[4]", "[5]")),
            new("Binary mode, from_logits false: input (probability) above 1", () => B(With(Rand(41, [4]), 2, 1.25, grad: true), Rand(42, [4]), false),
                Throws<LossArgumentOutOfRangeException>("input", "1.25", "element 2")),
            new("Binary mode: NaN in target", () => B(Randn(41, [4], grad: true), With(Rand(42, [4]), 1, double.NaN)),
                new Outcome.NonFinite(double.NaN)),
            new("Multilabel mode: 1-D input", () => f(Randn(41, [4], grad: true), Rand(42, [4]), OverlapMode.Multilabel, true, -100),
                Throws<LossArgumentException>("input", "[4]", "Multilabel")),
            new("Micro average with reduction None", () => name == nameof(F1Loss)
                    ? losses.f1_loss(X(), Y(), average: OverlapAverage.Micro, reduction: Reduction.None)
                    : losses.dice_loss(X(), Y(), average: OverlapAverage.Micro, reduction: Reduction.None),
                Throws<LossArgumentException>("reduction", "Micro", "None")),
            new("negative epsilon", () => name == nameof(F1Loss) ? losses.f1_loss(X(), Y(), epsilon: -1) : losses.dice_loss(X(), Y(), epsilon: -1),
                Throws<LossArgumentOutOfRangeException>("epsilon", "-1")),
            new("disposed input", () => F(Disposed(X()), Y()), Throws<ObjectDisposedException>("input", "disposed")),
            new("disposed target", () => F(X(), Disposed(Y())), Throws<ObjectDisposedException>("target", "disposed")),
            new("module used after Dispose", () =>
            {
                var m = module(OverlapMode.Multiclass);
                m.Dispose();
                return m.call(X(), Y());
            }, Throws<ObjectDisposedException>("disposed")),
        };
        return new LossUnderTest(name, () => F(X(), Y()), cases);
    }

    public static IReadOnlyList<LossUnderTest> Family { get; } =
    [
        Overlap(nameof(F1Loss), (x, y, m, l, i) => losses.f1_loss(x, y, m, l, ignore_index: i), m => losses.F1Loss(m)),
        Overlap(nameof(DiceLoss), (x, y, m, l, i) => losses.dice_loss(x, y, m, l, ignore_index: i), m => losses.DiceLoss(m)),
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
        var f1 = () => losses.f1_loss(X(), Y().cuda());
        f1.Should().Throw<LossArgumentException>().WithMessage("F1Loss: input is on cpu but target is on cuda*");
        var dice = () => losses.dice_loss(Randn(41, [4], grad: true), Rand(42, [4]).cuda(), OverlapMode.Binary);
        dice.Should().Throw<LossArgumentException>().WithMessage("DiceLoss: input is on cpu but target is on cuda*");
    }
}
