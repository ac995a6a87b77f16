using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;
using static LossKit.Tests.Reliability.BadInputMatrix;

namespace LossKit.Tests.Reliability;

/// <summary>
/// The opt-in non-finite check (<see cref="LossChecks"/>): a NaN or infinite loss value throws from the loss call, a NaN or
/// infinite gradient flowing back to the input throws from backward, for several losses; off (the default) nothing changes.
/// The bad-input matrix covers the value check for every loss; this class covers the gradient check, the switches and
/// the exception's details.
/// </summary>
[Collection(ProcessWideSwitches.Name)]
public class NonFiniteCheckTests
{
    /// <summary>Losses with reduction None, so that a gradient can be sent into them element by element.</summary>
    private static readonly Dictionary<string, Func<Tensor, Tensor>> Unreduced = new()
    {
        [nameof(MSELoss)] = x => losses.mse_loss(x, Randn(2, [4, 3]), Reduction.None),
        [nameof(HuberLoss)] = x => losses.huber_loss(x, Randn(2, [4, 3]), reduction: Reduction.None),
        [nameof(CrossEntropyLoss)] = x => losses.cross_entropy(x, Long(0, 2, 1, 2), reduction: Reduction.None),
        [nameof(FocalLoss)] = x => losses.focal_loss(x, Long(0, 2, 1, 2), reduction: Reduction.None),
        [nameof(BCEWithLogitsLoss)] = x => losses.binary_cross_entropy_with_logits(x, Rand(2, [4, 3]), reduction: Reduction.None),
        [nameof(SigmoidFocalLoss)] = x => losses.sigmoid_focal_loss(x, Rand(2, [4, 3]), reduction: Reduction.None),
        [nameof(KLDivLoss)] = x => losses.kl_div(x, Rand(2, [4, 3]), Reduction.None),
        [nameof(DiceLoss)] = x => losses.dice_loss(x, Long(0, 2, 1, 2), reduction: Reduction.None),
    };

    public static TheoryData<string, string> UnreducedLosses()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in Unreduced.Keys)
            foreach (var path in new[] { BadInputMatrix.Fused, BadInputMatrix.Composed })
                data.Add(name, path);
        return data;
    }

    [Theory]
    [MemberData(nameof(UnreducedLosses))]
    public void a_non_finite_gradient_reaching_the_input_throws_from_backward(string loss, string path)
    {
        using var composed = path == BadInputMatrix.Composed ? FusedKernels.DisableOnThisThread() : null;
        using var scope = NewDisposeScope();
        var x = Randn(1, [4, 3], grad: true);
        Tensor value;
        using (LossChecks.ThrowOnNonFiniteOnThisThread()) value = Unreduced[loss](x);
        // A finite value, but the gradient sent back into it holds a NaN, so the one reaching the input does too.
        var upstream = With(ones_like(value), 1, double.NaN);
        var act = () => value.backward(upstream);
        var e = act.Should().Throw<NonFiniteLossException>().Which;
        e.Loss.Should().Be(loss);
        e.Kind.Should().Be(NonFiniteKind.Gradient);
        e.Argument.Should().Be("input");
        e.Total.Should().Be(12);
        e.Count.Should().BeGreaterThan(0);
        double.IsNaN(e.Value).Should().BeTrue();
        e.Message.Should().StartWith($"{loss}: the gradient flowing back to input is not finite: ").And.Contain("[4, 3]");

        // Without the check the same thing passes silently: the NaN lands in x.grad.
        x.grad = null;
        var unchecked_ = Unreduced[loss](x);
        unchecked_.backward(With(ones_like(unchecked_), 1, double.NaN));
        x.grad!.isnan().any().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void a_finite_loss_with_a_NaN_gradient_throws_from_backward_naming_the_first_offender()
    {
        // RMSE without eps at an exact fit: the value is 0, the gradient 0 / 0.
        using var scope = NewDisposeScope();
        using var on = LossChecks.ThrowOnNonFiniteOnThisThread();
        var x = tensor(new[] { 1.0, 2.0, 3.0 }, requires_grad: true);
        var loss = losses.rmse_loss(x, tensor(new[] { 1.0, 2.0, 3.0 }), eps: 0);
        loss.ToDouble().Should().Be(0);
        var e = ((Action)(() => loss.backward())).Should().Throw<NonFiniteLossException>().Which;
        e.Message.Should().Be("RMSELoss: the gradient flowing back to input is not finite: 3 of 3 elements are NaN or infinite; " +
                              "the first is NaN at flat index 0 (input has shape [3], Double).");
        (e.Count, e.Total, e.Index).Should().Be((3L, 3L, 0L));
        e.Should().BeAssignableTo<ArithmeticException>();
        // The process goes on: the next step works.
        x.grad = null;
        var next = losses.rmse_loss(x, tensor(new[] { 1.5, 2.0, 3.0 }), eps: 0);
        next.backward();
        x.grad!.isfinite().all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void the_gradient_check_also_fails_autograd_grad_and_names_log_probs_for_CTC()
    {
        using var scope = NewDisposeScope();
        using var on = LossChecks.ThrowOnNonFiniteOnThisThread();
        var lp = Randn(5, [6, 2, 4]).log_softmax(2).detach().requires_grad_();
        var loss = losses.ctc_loss(lp, tensor(new long[] { 1, 2, 3, 1 }, [2, 2]), Long(6, 5), Long(2, 2), reduction: Reduction.None);
        var act = () => autograd.grad([loss], [lp], [tensor(new[] { 1f, float.PositiveInfinity })]);
        var e = act.Should().Throw<NonFiniteLossException>().Which;
        e.Loss.Should().Be(nameof(CTCLoss));
        e.Argument.Should().Be("log_probs");
        e.Message.Should().Contain("the gradient flowing back to log_probs");
    }

    [Fact]
    public void the_value_check_reports_count_index_and_value()
    {
        using var scope = NewDisposeScope();
        using var on = LossChecks.ThrowOnNonFiniteOnThisThread();
        var x = tensor(new[] { 1f, 2f, float.PositiveInfinity, float.NaN }, requires_grad: true);
        var act = () => losses.l1_loss(x, zeros(4), Reduction.None);
        var e = act.Should().Throw<NonFiniteLossException>().Which;
        e.Message.Should().Be("L1Loss: the loss value is not finite: 2 of 4 elements are NaN or infinite; the first is +Infinity at flat index 2.");
        (e.Kind, e.Argument, e.Count, e.Total, e.Index, e.Value).Should().Be((NonFiniteKind.LossValue, "loss", 2L, 4L, 2L, double.PositiveInfinity));
    }

    [Fact]
    public void off_by_default_a_NaN_loss_is_returned_as_it_is()
    {
        LossChecks.ThrowOnNonFinite.Should().BeFalse();
        LossChecks.ThrowOnNonFiniteEnabledOnThisThread.Should().BeFalse();
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1f, float.NaN }, requires_grad: true);
        var loss = losses.mse_loss(x, zeros(2));
        double.IsNaN(loss.ToDouble()).Should().BeTrue();
        loss.backward();
        x.grad!.isnan().any().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void the_thread_scope_affects_only_its_thread_nests_and_must_be_disposed_there()
    {
        using var scope = NewDisposeScope();
        using (LossChecks.ThrowOnNonFiniteOnThisThread())
        {
            using (LossChecks.ThrowOnNonFiniteOnThisThread()) LossChecks.ThrowOnNonFiniteEnabledOnThisThread.Should().BeTrue();
            LossChecks.ThrowOnNonFiniteEnabledOnThisThread.Should().BeTrue("scopes nest");
            bool? other = null;
            double otherLoss = 0;
            var t = new Thread(() =>
            {
                other = LossChecks.ThrowOnNonFiniteEnabledOnThisThread;
                using var s = NewDisposeScope();
                otherLoss = losses.mse_loss(tensor(new[] { float.NaN }), zeros(1)).ToDouble();
            });
            t.Start();
            t.Join();
            other.Should().BeFalse();
            double.IsNaN(otherLoss).Should().BeTrue("another thread's losses are not checked");
        }
        LossChecks.ThrowOnNonFiniteEnabledOnThisThread.Should().BeFalse();

        var crossThread = LossChecks.ThrowOnNonFiniteOnThisThread();
        Exception? thrown = null;
        var w = new Thread(() => thrown = Record.Exception(crossThread.Dispose));
        w.Start();
        w.Join();
        thrown.Should().BeOfType<InvalidOperationException>();
        crossThread.Dispose();
        LossChecks.ThrowOnNonFiniteEnabledOnThisThread.Should().BeFalse();
    }

    [Fact]
    public void the_process_wide_switch_checks_losses_on_every_thread()
    {
        try
        {
            LossChecks.ThrowOnNonFinite = true;
            var failures = new System.Collections.Concurrent.ConcurrentBag<Exception?>();
            var threads = Enumerable.Range(0, 3).Select(_ => new Thread(() =>
            {
                using var s = NewDisposeScope();
                failures.Add(Record.Exception(() => losses.cross_entropy(tensor(new[] { 1f, float.NaN }), Long(0).squeeze(0))));
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            failures.Should().HaveCount(3).And.AllBeOfType<NonFiniteLossException>();
        }
        finally
        {
            LossChecks.ThrowOnNonFinite = false;
        }
    }

    [Fact]
    public void combined_loss_reports_the_component_whose_gradient_is_not_finite()
    {
        using var scope = NewDisposeScope();
        using var on = LossChecks.ThrowOnNonFiniteOnThisThread();
        using var combined = losses.Combine((losses.MSELoss(), 1.0), (losses.RMSELoss(eps: 0), 1.0));
        var x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        var loss = combined.call(x, tensor(new[] { 1.0, 2.0 }));
        loss.ToDouble().Should().Be(0);
        var act = () => loss.backward();
        act.Should().Throw<NonFiniteLossException>().Which.Loss.Should().Be(nameof(RMSELoss));
    }

    [Fact]
    public void the_setting_at_the_forward_pass_decides()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        Tensor loss;
        using (LossChecks.ThrowOnNonFiniteOnThisThread()) loss = losses.rmse_loss(x, tensor(new[] { 1.0, 2.0 }), eps: 0);
        var act = () => loss.backward();
        act.Should().Throw<NonFiniteLossException>("the check was attached when the loss was computed");
    }

    [Fact]
    public void checks_on_change_neither_values_nor_gradients()
    {
        using var scope = NewDisposeScope();
        var x = Randn(1, [4, 5], ScalarType.Float64, grad: true);
        var y = Long(0, 4, 2, 1);
        var plain = losses.focal_loss(x, y);
        plain.backward();
        var g = x.grad!.detach().clone();
        x.grad = null;
        Tensor checkedLoss;
        using (LossChecks.ThrowOnNonFiniteOnThisThread()) checkedLoss = losses.focal_loss(x, y);
        checkedLoss.ToDouble().Should().Be(plain.ToDouble());
        checkedLoss.backward();
        x.grad!.Equals(g).Should().BeTrue();
        // Without grad mode nothing is attached, and the value is still checked.
        using (no_grad())
        using (LossChecks.ThrowOnNonFiniteOnThisThread())
        {
            losses.focal_loss(x, y).requires_grad.Should().BeFalse();
            var act = () => losses.focal_loss(With(x, 0, double.NaN), y);
            act.Should().Throw<NonFiniteLossException>();
        }
    }
}

/// <summary>Tests that flip process-wide switches (LossChecks.ThrowOnNonFinite) run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideSwitches
{
    public const string Name = "Process-wide switches";
}
