using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;
using static LossKit.Tests.Reliability.BadInputMatrix;

namespace LossKit.Tests.Reliability;

/// <summary>
/// The bad-input matrix of the class-index losses (cross-entropy, NLL, focal, label smoothing): logits or
/// log-probabilities (N, C) = (4, 5) against int64 class indices (N).
/// </summary>
public class ClassIndexBadInputTests
{
    private const int C = 5;

    /// <summary>The loss with optional class weights and ignore_index.</summary>
    private delegate Tensor ClassLoss(Tensor input, Tensor target, Tensor? weight, long ignoreIndex);

    private static Tensor X(bool grad = true) => Randn(11, [4, C], grad: grad);

    // Row 0's target is class 2: flat index 2 of the input is x[0, y0], index 0 a class the row's target is not.
    private static Tensor Y() => Long(2, 0, 4, 1);

    private static LossUnderTest ClassIndex(string name, ClassLoss f, Func<Tensor?, Loss<Tensor, Tensor, Tensor>> module,
        Outcome infAtTarget, Outcome nanElsewhere, Outcome minusInfElsewhere, params BadCase[] extra)
    {
        Tensor F(Tensor x, Tensor y) => f(x, y, null, -100);
        var cases = new List<BadCase>
        {
            new("scalar input", () => F(tensor(1.5f).requires_grad_(), Long(1)), Throws<LossArgumentException>("input", "scalar")),
            new("target with a class dimension (wrong rank)", () => F(X(), Y().unsqueeze(1)),
                Throws<LossArgumentException>("target", "[4, 1]", "[4]")),
            new("batch size mismatch", () => F(X(), Long(2, 0, 4)), Throws<LossArgumentException>("target", "[4, 5]", "[3]")),
            new("integer logits", () => F(X(false).to(ScalarType.Int64), Y()), Throws<LossArgumentException>("input", "Int64")),
            new("bool logits", () => F(X(false).gt(0), Y()), Throws<LossArgumentException>("input", "Bool")),
            new("float class indices", () => F(X(), Y().to(ScalarType.Float32)), Throws<LossArgumentException>("target", "Float32")),
            new("class index >= C", () => F(X(), Long(2, 5, 4, 1)), Throws<LossArgumentOutOfRangeException>("target", "class index 5", "position 1", "[0, 5)")),
            new("negative class index that is not ignore_index", () => F(X(), Long(2, 0, -1, 1)),
                Throws<LossArgumentOutOfRangeException>("target", "class index -1", "position 2", "-100")),
            new("weight of the wrong length", () => f(X(), Y(), ones(3), -100), Throws<LossArgumentException>("weight", "[3]", "(5)")),
            new("integer weight", () => f(X(), Y(), ones(C, ScalarType.Int64), -100), Throws<LossArgumentException>("weight", "Int64")),
            new("2-D weight", () => f(X(), Y(), ones(1, C), -100), Throws<LossArgumentException>("weight", "[1, 5]")),
            new("no classes (C = 0)", () => F(Randn(11, [4, 0], grad: true), Y()), Throws<LossArgumentException>("input", "at least one class", "[4, 0]")),
            new("empty batch", () => F(Randn(11, [0, C], grad: true), zeros(0, ScalarType.Int64)), new Outcome.Value(0)),
            new("every target ignore_index", () => F(X(), Long(-100, -100, -100, -100)), new Outcome.Value(0)),
            new("NaN in input (at the target class)", () => F(With(X(), 2, double.NaN, grad: true), Y()), new Outcome.NonFinite(double.NaN)),
            new("+Inf in input (at the target class)", () => F(With(X(), 2, double.PositiveInfinity, grad: true), Y()), infAtTarget),
            new("NaN in input (another class)", () => F(With(X(), 0, double.NaN, grad: true), Y()), nanElsewhere),
            new("-Inf in input (another class: a masked logit)", () => F(With(X(), 0, double.NegativeInfinity, grad: true), Y()), minusInfElsewhere),
            new("NaN in input (a row whose target is ignore_index)", () => F(With(X(), 2, double.NaN, grad: true), Long(-100, 0, 4, 1)),
                new Outcome.Finite()),
            new("disposed input", () => F(Disposed(X()), Y()), Throws<ObjectDisposedException>("input", "disposed")),
            new("disposed target", () => F(X(), Disposed(Y())), Throws<ObjectDisposedException>("target", "disposed")),
            new("disposed weight", () => f(X(), Y(), Disposed(ones(C)), -100), Throws<ObjectDisposedException>("weight", "disposed")),
            new("module used after Dispose", () =>
            {
                var m = module(null);
                m.Dispose();
                return m.call(X(), Y());
            }, Throws<ObjectDisposedException>("disposed")),
            new("weight disposed by the caller after creating the module", () =>
            {
                var w = ones(C);
                using var m = module(w);
                w.Dispose(); // the module holds its own reference
                return m.call(X(), Y()).sub(F(X(), Y()));
            }, new Outcome.Value(0)),
            new("weight of another float dtype (converted to the input's)", () =>
                f(X(), Y(), ones(C, ScalarType.Float64), -100).sub(F(X(), Y())), new Outcome.Value(0)),
        };
        cases.AddRange(extra);
        return new LossUnderTest(name, () => f(X(), Y(), linspace(0.5, 2, C), -100), cases);
    }

    public static IReadOnlyList<LossUnderTest> Family { get; } =
    [
        ClassIndex(nameof(CrossEntropyLoss), (x, y, w, i) => losses.cross_entropy(x, y, w, i), w => losses.CrossEntropyLoss(w),
            infAtTarget: new Outcome.NonFinite(double.NaN), nanElsewhere: new Outcome.NonFinite(double.NaN), minusInfElsewhere: new Outcome.Finite(),
            new BadCase("probability target of another float dtype", () => losses.cross_entropy(X(), Rand(12, [4, C], ScalarType.Float64)),
                Throws<LossArgumentException>("target", "Float32", "Float64")),
            new BadCase("probability target of the wrong shape", () => losses.cross_entropy(X(), Rand(12, [4, 4])),
                Throws<LossArgumentException>("target", "[4, 5]", "[4, 4]")),
            new BadCase("NaN in a probability target", () => losses.cross_entropy(X(), With(Rand(12, [4, C]), 3, double.NaN)),
                new Outcome.NonFinite(double.NaN)),
            new BadCase("label_smoothing outside [0, 1]", () => losses.cross_entropy(X(), Y(), label_smoothing: 1.5),
                Throws<LossArgumentOutOfRangeException>("label_smoothing", "1.5")),
            new BadCase("-Inf in input (masked logit) with label smoothing", () =>
                losses.cross_entropy(With(X(), 0, double.NegativeInfinity, grad: true), Y(), label_smoothing: 0.1),
                new Outcome.NonFinite(double.PositiveInfinity))),
        ClassIndex(nameof(NLLLoss), (x, y, w, i) => losses.nll_loss(x, y, w, ignore_index: i), w => losses.NLLLoss(w),
            infAtTarget: new Outcome.NonFinite(double.NegativeInfinity), nanElsewhere: new Outcome.Finite(), minusInfElsewhere: new Outcome.Finite()),
        ClassIndex(nameof(FocalLoss), (x, y, w, i) => losses.focal_loss(x, y, weight: w, ignore_index: i), w => losses.FocalLoss(weight: w),
            infAtTarget: new Outcome.NonFinite(double.NaN), nanElsewhere: new Outcome.NonFinite(double.NaN), minusInfElsewhere: new Outcome.Finite(),
            new BadCase("negative gamma", () => losses.focal_loss(X(), Y(), gamma: -1), Throws<LossArgumentOutOfRangeException>("gamma", "-1"))),
        ClassIndex(nameof(LabelSmoothingLoss), (x, y, w, i) => losses.label_smoothing_loss(x, y, C, 0.1, w, i),
            w => losses.LabelSmoothingLoss(C, 0.1, w),
            infAtTarget: new Outcome.NonFinite(double.NaN), nanElsewhere: new Outcome.NonFinite(double.NaN),
            minusInfElsewhere: new Outcome.NonFinite(double.PositiveInfinity),
            new BadCase("input with another number of classes than the loss", () => losses.label_smoothing_loss(Randn(11, [4, 4], grad: true), Y(), C),
                Throws<LossArgumentException>("input", "classes = 5", "[4, 4]"))),
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
        var x = X();
        Action[] calls =
        [
            () => losses.cross_entropy(x, Y().cuda()),
            () => losses.nll_loss(x, Y().cuda()),
            () => losses.focal_loss(x, Y().cuda()),
            () => losses.label_smoothing_loss(x, Y().cuda(), C),
            () => losses.cross_entropy(x, Y(), ones(C).cuda()),
        ];
        foreach (var call in calls) call.Should().Throw<LossArgumentException>().WithMessage("*is on cpu but * is on cuda*");
    }
}
