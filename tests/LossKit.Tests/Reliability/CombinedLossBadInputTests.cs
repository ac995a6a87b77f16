using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;
using static LossKit.Tests.Reliability.BadInputMatrix;

namespace LossKit.Tests.Reliability;

/// <summary>
/// The bad-input matrix of <see cref="CombinedLoss"/> (cross-entropy + 0.5 · Dice on logits (4, 5) and class indices (4)):
/// an argument error is reported by the first component that rejects it, under that component's name.
/// </summary>
public class CombinedLossBadInputTests
{
    private const int C = 5;
    private const string CE = nameof(CrossEntropyLoss), Combined = nameof(CombinedLoss);

    private static Tensor X(bool grad = true) => Randn(61, [4, C], grad: grad);

    private static Tensor Y() => Long(2, 0, 4, 1);

    private static CombinedLoss Make() => losses.Combine((losses.CrossEntropyLoss(), 1.0), (losses.DiceLoss(), 0.5));

    /// <summary>Calls a fresh combined loss (disposed afterwards; its result does not depend on it).</summary>
    private static Tensor F(Tensor x, Tensor y)
    {
        using var m = Make();
        return m.call(x, y);
    }

    public static IReadOnlyList<LossUnderTest> Family { get; } =
    [
        new(Combined, () => F(X(), Y()),
        [
            new("scalar input", () => F(tensor(1f).requires_grad_(), Long(1)), Throws<LossArgumentException>("input", "scalar"), CE),
            new("target with a class dimension (wrong rank)", () => F(X(), Y().unsqueeze(1)), Throws<LossArgumentException>("target", "[4, 1]"), CE),
            new("batch size mismatch", () => F(X(), Long(1, 2, 3)), Throws<LossArgumentException>("target", "[4, 5]", "[3]"), CE),
            new("integer logits", () => F(X(false).to(ScalarType.Int32), Y()), Throws<LossArgumentException>("input", "Int32"), CE),
            new("bool logits", () => F(X(false).gt(0), Y()), Throws<LossArgumentException>("input", "Bool"), CE),
            new("float class indices", () => F(X(), Y().to(ScalarType.Float64)), Throws<LossArgumentException>("target", "Float64"), CE),
            new("class index >= C", () => F(X(), Long(2, 0, 9, 1)), Throws<LossArgumentOutOfRangeException>("target", "class index 9", "position 2"), CE),
            new("negative class index that is not ignore_index", () => F(X(), Long(2, -7, 4, 1)),
                Throws<LossArgumentOutOfRangeException>("target", "class index -7"), CE),
            new("empty batch", () => F(Randn(61, [0, C], grad: true), zeros(0, ScalarType.Int64)), new Outcome.Value(0)),
            new("every target ignore_index", () => F(X(), Long(-100, -100, -100, -100)), new Outcome.Value(0)),
            new("NaN in input (reported by the first component)", () => F(With(X(), 2, double.NaN, grad: true), Y()),
                new Outcome.NonFinite(double.NaN), CE),
            new("disposed input", () => F(Disposed(X()), Y()), Throws<ObjectDisposedException>("input", "disposed"), CE),
            new("disposed target", () => F(X(), Disposed(Y())), Throws<ObjectDisposedException>("target", "disposed"), CE),
            new("module used after Dispose", () =>
            {
                var m = Make();
                m.Dispose();
                return m.call(X(), Y());
            }, Throws<ObjectDisposedException>("disposed")),
            new("a component disposed while the combined loss is alive", () =>
            {
                var ce = losses.CrossEntropyLoss();
                using var m = losses.Combine((ce, 1.0), (losses.DiceLoss(), 0.5));
                ce.Dispose();
                return m.call(X(), Y());
            }, Throws<ObjectDisposedException>("disposed"), CE),
            new("a component that does not reduce to a scalar", () =>
            {
                using var m = losses.Combine((losses.CrossEntropyLoss(reduction: Reduction.None), 1.0));
                return m.call(X(), Y());
            }, Throws<LossArgumentException>("component 0", "[4]", "reduction is None")),
            new("a non-finite component weight", () => losses.Combine((losses.MSELoss(), double.NaN)).call(X(), X(false)),
                Throws<LossArgumentOutOfRangeException>("components", "NaN")),
            new("a disposed component", () =>
            {
                var mse = losses.MSELoss();
                mse.Dispose();
                return losses.Combine((mse, 1.0)).call(X(), X(false));
            }, Throws<ObjectDisposedException>("component 0", "MSELoss", "disposed")),
        ]),
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
        var act = () => F(X(), Y().cuda());
        act.Should().Throw<LossArgumentException>().WithMessage("CrossEntropyLoss: input is on cpu but target is on cuda*");
    }
}
