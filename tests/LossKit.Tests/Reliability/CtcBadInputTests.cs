using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;
using static LossKit.Tests.Reliability.BadInputMatrix;

namespace LossKit.Tests.Reliability;

/// <summary>
/// The bad-input matrix of CTC: log_probs (T, N, C) = (6, 2, 4), padded targets (2, 3) with labels in [1, 4) (blank 0),
/// input_lengths [6, 5], target_lengths [3, 2].
/// </summary>
public class CtcBadInputTests
{
    private const int T = 6, N = 2, C = 4;

    private static Tensor LogProbs(bool grad = true, long t = T, long n = N, long c = C)
    {
        Tensor x;
        using (no_grad()) x = Randn(51, [t, n, c]).log_softmax(2);
        return grad ? x.requires_grad_() : x;
    }

    private static Tensor Targets() => tensor(new long[] { 1, 2, 3, 3, 1, 0 }, [N, 3]);

    private static Tensor F(Tensor lp, Tensor targets, long[] inputLengths, long[] targetLengths, long blank = 0, bool zeroInfinity = false) =>
        losses.ctc_loss(lp, targets, tensor(inputLengths), tensor(targetLengths), blank, Reduction.Mean, zeroInfinity);

    private static Tensor Valid(Tensor lp) => F(lp, Targets(), [6, 5], [3, 2]);

    /// <summary>Sample 0's loss (reduction None), the rest of the batch valid.</summary>
    private static Tensor First(Tensor lp, long[] inputLengths, long[] targetLengths) =>
        losses.ctc_loss(lp, Targets(), tensor(inputLengths), tensor(targetLengths), reduction: Reduction.None)[0];

    public static IReadOnlyList<LossUnderTest> Family { get; } =
    [
        new(nameof(CTCLoss), () => Valid(LogProbs()),
        [
            new("log_probs of rank 4", () => Valid(LogProbs().unsqueeze(0)), Throws<LossArgumentException>("log_probs", "[1, 6, 2, 4]")),
            new("log_probs of rank 1", () => F(Randn(51, [6], grad: true), Targets(), [6, 5], [3, 2]),
                Throws<LossArgumentException>("log_probs", "[6]")),
            new("batch size mismatch: input_lengths", () => F(LogProbs(), Targets(), [6, 5, 4], [3, 2]),
                Throws<LossArgumentException>("input_lengths", "N = 2", "[3]")),
            new("batch size mismatch: padded targets", () => F(LogProbs(), Targets().repeat(2, 1), [6, 5], [3, 2]),
                Throws<LossArgumentException>("targets", "N = 2", "[4, 3]")),
            new("integer log_probs", () => Valid(LogProbs(false).to(ScalarType.Int64)), Throws<LossArgumentException>("log_probs", "Int64")),
            new("bool log_probs", () => Valid(LogProbs(false).gt(-1)), Throws<LossArgumentException>("log_probs", "Bool")),
            new("float targets", () => F(LogProbs(), Targets().to(ScalarType.Float32), [6, 5], [3, 2]),
                Throws<LossArgumentException>("targets", "Float32")),
            new("float input_lengths", () => losses.ctc_loss(LogProbs(), Targets(), tensor(new[] { 6f, 5f }), tensor(new long[] { 3, 2 })),
                Throws<LossArgumentException>("input_lengths", "Float32")),
            new("input length larger than T", () => F(LogProbs(), Targets(), [7, 5], [3, 2]),
                Throws<LossArgumentOutOfRangeException>("input_lengths", "input_lengths[0] is 7", "T = 6")),
            new("target length larger than S", () => F(LogProbs(), Targets(), [6, 5], [3, 4]),
                Throws<LossArgumentOutOfRangeException>("target_lengths", "target_lengths[1] is 4", "S = 3")),
            new("negative input length", () => F(LogProbs(), Targets(), [6, -1], [3, 2]),
                Throws<LossArgumentOutOfRangeException>("input_lengths", "input_lengths[1] is -1")),
            new("negative target length", () => F(LogProbs(), Targets(), [6, 5], [-2, 2]),
                Throws<LossArgumentOutOfRangeException>("target_lengths", "target_lengths[0] is -2")),
            new("concatenated targets that do not add up to target_lengths", () =>
                F(LogProbs(), Long(1, 2, 3, 3), [6, 5], [3, 2]), Throws<LossArgumentException>("target_lengths", "4 labels", "add up to 5")),
            new("blank = C", () => F(LogProbs(), Targets(), [6, 5], [3, 2], blank: C), Throws<LossArgumentOutOfRangeException>("blank", "[0, 4)", "got 4")),
            new("blank = -1", () => F(LogProbs(), Targets(), [6, 5], [3, 2], blank: -1), Throws<LossArgumentOutOfRangeException>("blank", "got -1")),
            new("module with blank = -1", () => losses.CTCLoss(blank: -1).call(LogProbs(), Targets(), [6L, 5], [3L, 2]),
                Throws<LossArgumentOutOfRangeException>("blank", "-1")),
            new("module with blank = C", () =>
            {
                using var m = losses.CTCLoss(blank: C);
                return m.call(LogProbs(), Targets(), [6L, 5], [3L, 2]);
            }, Throws<LossArgumentOutOfRangeException>("blank", "got 4")),
            new("target label >= C", () => F(LogProbs(), tensor(new long[] { 1, 4, 3, 3, 1, 0 }, [N, 3]), [6, 5], [3, 2]),
                Throws<LossArgumentOutOfRangeException>("targets", "targets[0, 1] is 4", "[0, 4)")),
            new("target label equal to blank", () => F(LogProbs(), tensor(new long[] { 1, 2, 3, 3, 0, 0 }, [N, 3]), [6, 5], [3, 2]),
                Throws<LossArgumentOutOfRangeException>("targets", "targets[1, 1] is the blank index 0")),
            new("target longer than its input", () => F(LogProbs(), Targets(), [2, 5], [3, 2]),
                Throws<LossArgumentOutOfRangeException>("target_lengths", "target_lengths[0] is 3, longer than input_lengths[0] = 2", "zero_infinity")),
            new("target longer than its input with zero_infinity: that sample gives 0", () =>
                F(LogProbs(), Targets(), [2, 5], [3, 2], zeroInfinity: true), new Outcome.Finite()),
            new("empty batch (N = 0)", () => F(LogProbs(n: 0), zeros(0, 3, ScalarType.Int64), [], []), new Outcome.Value(0)),
            new("no time steps (T = 0) and empty targets", () => F(LogProbs(t: 0), zeros(N, 0, ScalarType.Int64), [0, 0], [0, 0]), new Outcome.Value(0)),
            new("input length 0 with an empty target: that sample gives 0", () => First(LogProbs(), [0, 5], [0, 2]), new Outcome.Value(0)),
            new("input length 0 with a non-empty target", () => First(LogProbs(), [0, 5], [3, 2]),
                Throws<LossArgumentOutOfRangeException>("target_lengths", "longer than input_lengths[0] = 0")),
            new("input length 0 with a non-empty target and zero_infinity: that sample gives 0", () =>
                F(LogProbs(), Targets(), [0, 5], [3, 2], zeroInfinity: true), new Outcome.Finite()),
            new("no time steps (T = 0) and a non-empty target", () => F(LogProbs(t: 0), Targets(), [0, 0], [3, 0]),
                Throws<LossArgumentOutOfRangeException>("target_lengths", "longer than input_lengths[0] = 0")),
            new("a target that fits but lacks frames for a blank between repeats: +Inf", () =>
                F(LogProbs(), tensor(new long[] { 1, 1, 3, 3, 1, 2 }, [N, 3]), [2, 5], [2, 2]), new Outcome.NonFinite(double.PositiveInfinity)),
            new("NaN in log_probs", () => Valid(With(LogProbs(), 0, double.NaN, grad: true)), new Outcome.NonFinite(double.NaN)),
            new("+Inf in log_probs", () => Valid(With(LogProbs(), 0, double.PositiveInfinity, grad: true)), new Outcome.NonFinite(double.NaN)),
            new("-Inf in log_probs (a probability of 0 on one path)", () => Valid(With(LogProbs(), 1, double.NegativeInfinity, grad: true)),
                new Outcome.Finite()),
            new("disposed log_probs", () => Valid(Disposed(LogProbs())), Throws<ObjectDisposedException>("log_probs", "disposed")),
            new("disposed targets", () => F(LogProbs(), Disposed(Targets()), [6, 5], [3, 2]), Throws<ObjectDisposedException>("targets", "disposed")),
            new("disposed input_lengths", () => losses.ctc_loss(LogProbs(), Targets(), Disposed(Long(6, 5)), Long(3, 2)),
                Throws<ObjectDisposedException>("input_lengths", "disposed")),
            new("disposed target_lengths", () => losses.ctc_loss(LogProbs(), Targets(), Long(6, 5), Disposed(Long(3, 2))),
                Throws<ObjectDisposedException>("target_lengths", "disposed")),
            new("module used after Dispose", () =>
            {
                var m = losses.CTCLoss();
                m.Dispose();
                return m.call(LogProbs(), Targets(), Long(6, 5), Long(3, 2));
            }, Throws<ObjectDisposedException>("disposed")),
            new("module used after Dispose (lengths as arrays)", () =>
            {
                var m = losses.CTCLoss();
                m.Dispose();
                return m.call(LogProbs(), Targets(), [6L, 5], [3L, 2]);
            }, Throws<ObjectDisposedException>("disposed")),
        ]),
    ];

    public static TheoryData<string, string, string> Rows => BadInputMatrix.Rows(Family);

    [Theory]
    [MemberData(nameof(Rows))]
    public void every_bad_input_ends_in_a_documented_exception_or_result(string loss, string badCase, string path) =>
        BadInputMatrix.Run(Family, loss, badCase, path);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void sequences_without_time_steps_are_defined_and_leave_the_rest_of_the_batch_exact(bool concatenated)
    {
        // libtorch's kernel reads before its buffers for T_n = 0 (it returned -0.69 for an impossible alignment, and
        // garbage denormals for an empty one); LossKit defines those samples and runs the others through the kernel.
        using var scope = NewDisposeScope();
        var lp = LogProbs(t: T, n: 3);
        var targets = concatenated ? Long(1, 2, 3, 3, 1) : tensor(new long[] { 1, 2, 3, 9, 9, 9, 3, 1, 0 }, [3, 3]);
        var lengths = new long[] { 3, 0, 2 };
        var loss = losses.ctc_loss(lp, targets, tensor(new long[] { 6, 0, 5 }), tensor(lengths), reduction: Reduction.None, zero_infinity: true);
        // Sample 1 has no frames and an empty target: 0. (Row 1 of the padded targets is padding: never read.)
        var alone0 = losses.ctc_loss(lp.narrow(1, 0, 1), Long(1, 2, 3).unsqueeze(0), Long(6), Long(3), reduction: Reduction.None);
        var alone2 = losses.ctc_loss(lp.narrow(1, 2, 1), Long(3, 1).unsqueeze(0), Long(5), Long(2), reduction: Reduction.None);
        loss.ToArray<float>().Should().Equal(alone0.ToArray<float>()[0], 0f, alone2.ToArray<float>()[0]);

        var mean = losses.ctc_loss(lp, targets, tensor(new long[] { 6, 0, 5 }), tensor(lengths));
        mean.ToDouble().Should().BeApproximately((alone0.ToDouble() / 3 + 0 + alone2.ToDouble() / 2) / 3, 1e-6);
        mean.backward();
        var grad = lp.grad!;
        grad.narrow(1, 1, 1).abs().sum().ToDouble().Should().Be(0, "a sequence without frames has no gradient");
        grad.isfinite().all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void a_log_probability_of_minus_infinity_gets_a_zero_gradient_not_NaN()
    {
        using var scope = NewDisposeScope();
        var lp = With(LogProbs(), 1, double.NegativeInfinity, grad: true);
        var loss = Valid(lp);
        loss.backward();
        var grad = lp.grad!;
        grad.isfinite().all().item<bool>().Should().BeTrue();
        grad.view(-1)[1].ToDouble().Should().Be(0);
        double.IsFinite(loss.ToDouble()).Should().BeTrue();
    }

    [CudaFact]
    public void log_probs_and_targets_on_different_devices_are_refused()
    {
        using var scope = NewDisposeScope();
        var act = () => F(LogProbs(), Targets().cuda(), [6, 5], [3, 2]);
        act.Should().Throw<LossArgumentException>().WithMessage("CTCLoss: log_probs is on cpu but targets is on cuda*");
    }
}
