using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;
using static LossKit.Tests.Reliability.BadInputMatrix;

namespace LossKit.Tests.Reliability;

/// <summary>
/// The bad-input matrix of the binary / multi-label losses (BCE on probabilities, BCE with logits, sigmoid focal): input
/// and target (4, 3), targets in [0, 1].
/// </summary>
public class BinaryBadInputTests
{
    private static readonly long[] Shape = [4, 3];

    /// <summary>The loss with optional element / class weights.</summary>
    private delegate Tensor BinaryLoss(Tensor input, Tensor target, Tensor? weight);

    private static Tensor Y() => Rand(22, Shape);

    private static LossUnderTest Binary(string name, BinaryLoss f, Func<Loss<Tensor, Tensor, Tensor>> module, bool probabilities,
        Outcome infInInput, params BadCase[] extra)
    {
        // BCE takes probabilities in [0, 1]; the others take logits.
        Tensor X(bool grad = true) => probabilities ? Rand(21, Shape, grad: grad) : Randn(21, Shape, grad: grad);
        Tensor F(Tensor x, Tensor y) => f(x, y, null);
        var cases = new List<BadCase>
        {
            new("wrong rank", () => F(X(), Rand(22, [4])), Throws<LossArgumentException>("target", "[4, 3]", "[4]")),
            new("batch size mismatch", () => F(X(), Rand(22, [5, 3])), Throws<LossArgumentException>("target", "[4, 3]", "[5, 3]")),
            new("integer input", () => F(X(false).to(ScalarType.Int64), Y()), Throws<LossArgumentException>("input", "Int64")),
            new("bool input", () => F(X(false).gt(0.5), Y()), Throws<LossArgumentException>("input", "Bool")),
            new("integer target", () => F(X(), Y().gt(0.5).to(ScalarType.Int64)), Throws<LossArgumentException>("target", "Int64")),
            new("bool target", () => F(X(), Y().gt(0.5)), Throws<LossArgumentException>("target", "Bool")),
            new("different float dtypes", () => F(X(), Y().to(ScalarType.Float64)), Throws<LossArgumentException>("target", "Float32", "Float64")),
            new("target above 1", () => F(X(), With(Y(), 5, 1.5)), Throws<LossArgumentOutOfRangeException>("target", "1.5", "element 5", "[0, 1]")),
            new("negative target", () => F(X(), With(Y(), 7, -0.25)), Throws<LossArgumentOutOfRangeException>("target", "-0.25", "element 7")),
            new("empty batch", () => F(Randn(21, [0, 3], grad: true), Rand(22, [0, 3])), new Outcome.Value(0)),
            new("NaN in input", () => F(With(X(), 4, double.NaN, grad: true), Y()), new Outcome.NonFinite(double.NaN)),
            new("+Inf in input", () => F(With(X(), 4, double.PositiveInfinity, grad: true), Y()), infInInput),
            new("NaN in target", () => F(X(), With(Y(), 4, double.NaN)), new Outcome.NonFinite(double.NaN)),
            new("+Inf in target", () => F(X(), With(Y(), 4, double.PositiveInfinity)), Throws<LossArgumentOutOfRangeException>("target", "Infinity", "element 4")),
            new("disposed input", () => F(Disposed(X()), Y()), Throws<ObjectDisposedException>("input", "disposed")),
            new("disposed target", () => F(X(), Disposed(Y())), Throws<ObjectDisposedException>("target", "disposed")),
            new("module used after Dispose", () =>
            {
                var m = module();
                m.Dispose();
                return m.call(X(), Y());
            }, Throws<ObjectDisposedException>("disposed")),
        };
        if (name != nameof(SigmoidFocalLoss))
        {
            cases.Add(new("weight of the wrong length", () => f(X(), Y(), ones(2)),
                Throws<LossArgumentException>("weight", "[2]", "[4, 3]")));
            cases.Add(new("integer weight", () => f(X(), Y(), ones(3, ScalarType.Int64)), Throws<LossArgumentException>("weight", "Int64")));
            cases.Add(new("weight with more dimensions than the input", () => f(X(), Y(), ones(2, 4, 3)), Throws<LossArgumentException>("weight", "[2, 4, 3]")));
            cases.Add(new("disposed weight", () => f(X(), Y(), Disposed(ones(3))), Throws<ObjectDisposedException>("weight", "disposed")));
        }
        cases.AddRange(extra);
        return new LossUnderTest(name, () => F(X(), Y()), cases);
    }

    private static Tensor Logits(bool grad = true) => Randn(21, Shape, grad: grad);

    public static IReadOnlyList<LossUnderTest> Family { get; } =
    [
        Binary(nameof(BCELoss), (x, y, w) => losses.binary_cross_entropy(x, y, w), () => losses.BCELoss(), probabilities: true,
            infInInput: Throws<LossArgumentOutOfRangeException>("input", "Infinity", "element 4"),
            new BadCase("input (probability) above 1", () => losses.binary_cross_entropy(With(Rand(21, Shape), 2, 1.5, grad: true), Y()),
                Throws<LossArgumentOutOfRangeException>("input", "1.5", "element 2", "[0, 1]")),
            new BadCase("negative input (probability)", () => losses.binary_cross_entropy(With(Rand(21, Shape), 3, -1e-3, grad: true), Y()),
                Throws<LossArgumentOutOfRangeException>("input", "-0.001", "element 3")),
            new BadCase("input (probability) exactly 0 against target 1: log clamped to -100", () =>
                losses.binary_cross_entropy(With(Rand(21, [1]), 0, 0.0, grad: true), ones(1)), new Outcome.Value(100))),
        Binary(nameof(BCEWithLogitsLoss), (x, y, w) => losses.binary_cross_entropy_with_logits(x, y, w), () => losses.BCEWithLogitsLoss(),
            probabilities: false, infInInput: new Outcome.NonFinite(double.PositiveInfinity),
            new BadCase("pos_weights of the wrong length", () => losses.binary_cross_entropy_with_logits(Logits(), Y(), pos_weights: ones(2)),
                Throws<LossArgumentException>("pos_weights", "[2]", "[4, 3]")),
            new BadCase("integer pos_weights", () => losses.binary_cross_entropy_with_logits(Logits(), Y(), pos_weights: ones(3, ScalarType.Int64)),
                Throws<LossArgumentException>("pos_weights", "Int64")),
            new BadCase("+Inf logit against target 1 (0 · ∞ in the formula, as in PyTorch)", () =>
                losses.binary_cross_entropy_with_logits(With(Logits(), 0, double.PositiveInfinity, grad: true), With(Y(), 0, 1.0)),
                new Outcome.NonFinite(double.NaN))),
        Binary(nameof(SigmoidFocalLoss), (x, y, _) => losses.sigmoid_focal_loss(x, y), () => losses.SigmoidFocalLoss(), probabilities: false,
            infInInput: new Outcome.NonFinite(double.PositiveInfinity),
            new BadCase("alpha outside [0, 1]", () => losses.sigmoid_focal_loss(Logits(), Y(), alpha: 1.5),
                Throws<LossArgumentOutOfRangeException>("alpha", "1.5")),
            new BadCase("negative gamma", () => losses.sigmoid_focal_loss(Logits(), Y(), gamma: -2),
                Throws<LossArgumentOutOfRangeException>("gamma", "-2")),
            new BadCase("+Inf logit against target 1 (0 · ∞ in the formula, as in PyTorch)", () =>
                losses.sigmoid_focal_loss(With(Logits(), 0, double.PositiveInfinity, grad: true), With(Y(), 0, 1.0)),
                new Outcome.NonFinite(double.NaN))),
    ];

    public static TheoryData<string, string, string> Rows => BadInputMatrix.Rows(Family);

    [Theory]
    [MemberData(nameof(Rows))]
    public void every_bad_input_ends_in_a_documented_exception_or_result(string loss, string badCase, string path) =>
        BadInputMatrix.Run(Family, loss, badCase, path);

    [CudaFact]
    public void input_and_target_or_weight_on_different_devices_are_refused()
    {
        using var scope = NewDisposeScope();
        var p = Rand(21, Shape, grad: true);
        var x = Logits();
        Action[] calls =
        [
            () => losses.binary_cross_entropy(p, Y().cuda()),
            () => losses.binary_cross_entropy_with_logits(x, Y().cuda()),
            () => losses.sigmoid_focal_loss(x, Y().cuda()),
            () => losses.binary_cross_entropy_with_logits(x, Y(), ones(3).cuda()),
        ];
        foreach (var call in calls) call.Should().Throw<LossArgumentException>().WithMessage("*is on cpu but * is on cuda*");
    }
}
