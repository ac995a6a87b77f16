using LossKit.Tests.Infrastructure;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Overlap;

/// <summary>
/// What F1Loss and DiceLoss must both satisfy, checked against the plain-loop reference (written in the tp/fp/fn form):
/// every mode, average and reduction, ignore_index, epsilon, the absent-class policy, gradients, gradcheck, float32,
/// module == function, extreme logits and validation.
/// </summary>
public abstract class OverlapLossContract
{
    protected abstract string Name { get; }

    protected abstract Tensor Function(Tensor input, Tensor target, OverlapMode mode = OverlapMode.Multiclass, bool from_logits = true,
        OverlapAverage average = OverlapAverage.Macro, double epsilon = 1e-7, long ignore_index = -100, Reduction reduction = Reduction.Mean);

    protected abstract Loss<Tensor, Tensor, Tensor> Module(OverlapMode mode, bool from_logits, OverlapAverage average, double epsilon,
        long ignore_index, Reduction reduction);

    private Tensor Call(OverlapData d, Tensor input, Tensor target, OverlapAverage average, double eps, Reduction reduction) =>
        Function(input, target, d.Mode, d.FromLogits, average, eps, d.IgnoreIndex, reduction);

    public static TheoryData<string, OverlapAverage, Reduction, double> Configurations()
    {
        var data = new TheoryData<string, OverlapAverage, Reduction, double>();
        foreach (var name in OverlapData.Names)
        {
            foreach (var reduction in new[] { Reduction.None, Reduction.Mean, Reduction.Sum })
                data.Add(name, OverlapAverage.Macro, reduction, 1e-7);
            data.Add(name, OverlapAverage.Micro, Reduction.Mean, 1e-7);
            data.Add(name, OverlapAverage.Macro, Reduction.Mean, 0.5);
            data.Add(name, OverlapAverage.Micro, Reduction.Mean, 0.0);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Matches_the_plain_loop_reference_and_its_analytic_gradient(string name, OverlapAverage average, Reduction reduction, double eps)
    {
        using var scope = NewDisposeScope();
        var d = OverlapData.Make(name);
        var input = d.Input(requiresGrad: true);
        var loss = Call(d, input, d.Target(), average, eps, reduction);
        var r = d.Reference(average, eps, reduction);
        TensorAssert.Close(loss, r.Values, reduction == Reduction.None ? [d.C] : []);
        loss.sum().backward();
        TensorAssert.Close(input.grad!, r.Grad, d.Shape, because: "(analytic gradient)");
    }

    [Theory]
    [InlineData("mc4d")]
    [InlineData("bin")]
    [InlineData("ml")]
    public void Data_sets_exercise_the_policies_they_claim(string name)
    {
        // Guards against a test that cannot fail: the random data must contain absent classes and ignored entries.
        var d = OverlapData.Make(name);
        var r = d.Reference(OverlapAverage.Macro, 1e-7, Reduction.None);
        if (name != "bin") r.Present.Should().Contain(false, "one class is absent from the targets");
        r.Present.Should().Contain(true);
        (d.ClassTarget?.Contains(d.IgnoreIndex) ?? d.FloatTarget!.Contains(d.IgnoreIndex)).Should().BeTrue();
    }

    [Theory]
    [InlineData("mc4d")]
    [InlineData("mc2d")]
    [InlineData("mcprob")]
    [InlineData("bin")]
    [InlineData("binprob")]
    [InlineData("ml")]
    [InlineData("mlprob")]
    public void Reductions_are_consistent_over_the_per_class_losses(string name)
    {
        using var scope = NewDisposeScope();
        var d = OverlapData.Make(name);
        var none = Call(d, d.Input(), d.Target(), OverlapAverage.Macro, 1e-7, Reduction.None);
        var sum = Call(d, d.Input(), d.Target(), OverlapAverage.Macro, 1e-7, Reduction.Sum);
        var mean = Call(d, d.Input(), d.Target(), OverlapAverage.Macro, 1e-7, Reduction.Mean);
        var present = d.Reference(OverlapAverage.Macro, 1e-7, Reduction.None).Present;
        var perClass = none.ToArray<double>();
        for (var k = 0; k < perClass.Length; k++)
            if (!present[k]) perClass[k].Should().Be(0, "an absent class has loss 0 in the None output");
        sum.ToDouble().Should().BeApproximately(perClass.Sum(), 1e-14);
        mean.ToDouble().Should().BeApproximately(perClass.Sum() / present.Count(p => p), 1e-14, "Mean divides by the number of present classes");
    }

    [Theory]
    [InlineData("mc2d", OverlapAverage.Macro, Reduction.Mean)]
    [InlineData("mc2d", OverlapAverage.Macro, Reduction.None)]
    [InlineData("mc2d", OverlapAverage.Micro, Reduction.Mean)]
    [InlineData("mcprob", OverlapAverage.Macro, Reduction.Sum)]
    [InlineData("bin", OverlapAverage.Macro, Reduction.Mean)]
    [InlineData("binprob", OverlapAverage.Micro, Reduction.Mean)]
    [InlineData("ml", OverlapAverage.Macro, Reduction.Mean)]
    [InlineData("ml", OverlapAverage.Micro, Reduction.Mean)]
    [InlineData("mlprob", OverlapAverage.Macro, Reduction.None)]
    public void Passes_gradcheck_in_float64(string name, OverlapAverage average, Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var d = OverlapData.Make(name);
        var target = d.Target();
        GradCheck.gradcheck(x => Call(d, x, target, average, 1e-7, reduction), d.Input(requiresGrad: true)).Should().BeTrue();
    }

    [Fact]
    public void Passes_gradcheck_with_spatial_dimensions()
    {
        using var scope = NewDisposeScope();
        var d = OverlapData.Make("mc4d");
        var target = d.Target();
        GradCheck.gradcheck(x => Call(d, x, target, OverlapAverage.Macro, 1e-7, Reduction.Mean), d.Input(requiresGrad: true)).Should().BeTrue();
    }

    [Theory]
    [InlineData("mc4d", OverlapAverage.Macro)]
    [InlineData("mc2d", OverlapAverage.Micro)]
    [InlineData("mcprob", OverlapAverage.Macro)]
    [InlineData("bin", OverlapAverage.Macro)]
    [InlineData("ml", OverlapAverage.Macro)]
    [InlineData("ml", OverlapAverage.Micro)]
    public void Float32_agrees_with_float64(string name, OverlapAverage average)
    {
        using var scope = NewDisposeScope();
        var d = OverlapData.Make(name);
        var x32 = d.Input(ScalarType.Float32, requiresGrad: true);
        var l32 = Call(d, x32, d.Target(ScalarType.Float32), average, 1e-7, Reduction.Mean);
        l32.dtype.Should().Be(ScalarType.Float32);
        // The float64 loss of the same (rounded) inputs.
        var x64 = x32.detach().to(ScalarType.Float64).requires_grad_();
        var l64 = Call(d, x64, d.Target(ScalarType.Float32).to(d.ClassTarget is null ? ScalarType.Float64 : ScalarType.Int64), average, 1e-7, Reduction.Mean);
        TensorAssert.Close(l32, TensorAssert.Values(l64), null, 1e-5, 1e-6);
        l32.backward();
        l64.backward();
        TensorAssert.Close(x32.grad!, TensorAssert.Values(x64.grad!), null, 1e-4, 1e-6);
    }

    [Theory]
    [InlineData(OverlapMode.Multiclass, OverlapAverage.Macro, Reduction.Mean)]
    [InlineData(OverlapMode.Multiclass, OverlapAverage.Macro, Reduction.None)]
    [InlineData(OverlapMode.Multiclass, OverlapAverage.Micro, Reduction.Mean)]
    [InlineData(OverlapMode.Binary, OverlapAverage.Macro, Reduction.Sum)]
    [InlineData(OverlapMode.Multilabel, OverlapAverage.Macro, Reduction.Mean)]
    public void Module_equals_function(OverlapMode mode, OverlapAverage average, Reduction reduction)
    {
        using var scope = NewDisposeScope();
        var d = OverlapData.Make(mode switch { OverlapMode.Multiclass => "mc4d", OverlapMode.Binary => "bin", _ => "ml" });
        using var module = Module(mode, true, average, 0.25, d.IgnoreIndex, reduction);
        module.reduction.Should().Be(reduction);
        var a = module.call(d.Input(), d.Target());
        var b = Function(d.Input(), d.Target(), mode, true, average, 0.25, d.IgnoreIndex, reduction);
        a.Equals(b).Should().BeTrue("the module only holds options and calls the function");
        // The options matter (so the equality above is not trivially true).
        Function(d.Input(), d.Target(), mode, true, average, 1e-7, d.IgnoreIndex, reduction).Equals(b).Should().BeFalse();
    }

    [Theory]
    [InlineData(OverlapMode.Multiclass)]
    [InlineData(OverlapMode.Binary)]
    [InlineData(OverlapMode.Multilabel)]
    public void Extreme_logits_give_finite_losses_and_gradients(OverlapMode mode)
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1e4f, -1e4f, 0f, -1e4f, 1e4f, 3f, 1e4f, 1e4f, -1e4f, -1e4f, -1e4f, 1e4f }, [4, 3], requires_grad: true);
        var target = mode == OverlapMode.Multiclass
            ? tensor(new long[] { 0, 2, 1, 2 })
            : tensor(new float[] { 1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 0, 1 }, [4, 3]);
        foreach (var average in new[] { OverlapAverage.Macro, OverlapAverage.Micro })
        {
            x.grad = null;
            var loss = Function(x, target, mode, average: average, epsilon: 0);
            double.IsFinite(loss.ToDouble()).Should().BeTrue();
            loss.ToDouble().Should().BeInRange(0, 1);
            loss.backward();
            TensorAssert.Values(x.grad!).Should().OnlyContain(v => double.IsFinite(v));
        }
    }

    [Fact]
    public void Perfect_prediction_gives_zero_and_the_loss_stays_in_the_unit_interval()
    {
        using var scope = NewDisposeScope();
        // Probabilities equal to the one-hot target: tp = Σ y, fp = fn = 0, F1 = (2tp + ε) / (2tp + ε) = 1 exactly.
        var p = tensor(new double[] { 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0 }, [4, 3]);
        Function(p, tensor(new long[] { 0, 1, 2, 0 }), from_logits: false).ToDouble().Should().Be(0);
        // Everything wrong: tp = 0, F1 = ε / (fp + fn + ε) ≈ 0.
        Function(p, tensor(new long[] { 1, 2, 0, 1 }), from_logits: false).ToDouble().Should().BeApproximately(1, 1e-7);
    }

    // ----- the absent-class policy ---------------------------------------------------------------------------------

    [Fact]
    public void Classes_absent_from_the_target_are_left_out_of_the_macro_mean()
    {
        using var scope = NewDisposeScope();
        // Probabilities (N = 2, C = 3): rows [0.7, 0.1, 0.2] (target 0) and [0.2, 0.5, 0.3] (target 1); class 2 never occurs.
        // class 0: tp = 0.7, fp = 0.2, fn = 0.3 -> F1 = 1.4 / 1.9 = 14/19
        // class 1: tp = 0.5, fp = 0.1, fn = 0.5 -> F1 = 1.0 / 1.6 = 5/8
        // macro over the 2 present classes: 1 - (14/19 + 5/8) / 2 = 1 - 207/304 = 97/304 (smp would divide by 3: 0.2127...).
        var p = tensor(new double[] { 0.7, 0.1, 0.2, 0.2, 0.5, 0.3 }, [2, 3], requires_grad: true);
        var t = tensor(new long[] { 0, 1 });
        var loss = Function(p, t, from_logits: false, epsilon: 0);
        loss.ToDouble().Should().BeApproximately(97.0 / 304, 1e-15);
        TensorAssert.Close(Function(p, t, from_logits: false, epsilon: 0, reduction: Reduction.None), [5.0 / 19, 3.0 / 8, 0]);
        loss.backward();
        var g = p.grad!.ToArray<double>();
        g[2].Should().Be(0, "class 2's probability does not enter any present class's count");
        g[5].Should().Be(0);
    }

    [Fact]
    public void No_class_present_gives_zero_with_zero_gradient()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new double[] { 0.3, -1.2, 2.0, 0.5, 1.0, -0.7 }, [2, 3], requires_grad: true);
        foreach (var average in new[] { OverlapAverage.Macro, OverlapAverage.Micro })
        {
            // Every row ignored.
            x.grad = null;
            var allIgnored = Function(x, tensor(new long[] { -100, -100 }), average: average);
            allIgnored.ToDouble().Should().Be(0);
            allIgnored.backward();
            x.grad!.ToArray<double>().Should().OnlyContain(v => v == 0);

            // All-negative binary and multilabel targets (nothing to find, predictions notwithstanding).
            x.grad = null;
            var negative = Function(x, zeros(2, 3, ScalarType.Float64), OverlapMode.Binary, average: average);
            negative.ToDouble().Should().Be(0);
            negative.backward();
            x.grad!.ToArray<double>().Should().OnlyContain(v => v == 0);

            x.grad = null;
            var multilabel = Function(x, zeros(2, 3, ScalarType.Float64), OverlapMode.Multilabel, average: average, epsilon: 0);
            multilabel.ToDouble().Should().Be(0);
            multilabel.backward();
            x.grad!.ToArray<double>().Should().OnlyContain(v => v == 0);
        }
        Function(x, tensor(new long[] { -100, -100 }), reduction: Reduction.Sum).ToDouble().Should().Be(0);
        Function(x, tensor(new long[] { -100, -100 }), reduction: Reduction.None).ToArray<double>().Should().Equal(0, 0, 0);
    }

    [Fact]
    public void An_empty_batch_gives_zero()
    {
        using var scope = NewDisposeScope();
        var x = zeros(new long[] { 0, 3 }, ScalarType.Float64, requires_grad: true);
        var loss = Function(x, zeros(0, ScalarType.Int64));
        loss.ToDouble().Should().Be(0, "LossKit defines the mean over nothing as 0");
        loss.backward();
        Function(zeros(new long[] { 0 }, ScalarType.Float64), zeros(0, ScalarType.Float64), OverlapMode.Binary).ToDouble().Should().Be(0);
        Function(x, zeros(0, ScalarType.Int64), reduction: Reduction.None).shape.Should().Equal(3);
    }

    [Fact]
    public void Unbatched_and_scalar_inputs_equal_a_batch_of_one()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new[] { 0.3, -1.0, 2.2 });
        var batched = Function(logits.reshape(1, 3), tensor(new long[] { 2 }), reduction: Reduction.None);
        var unbatched = Function(logits, tensor(2L), reduction: Reduction.None);
        unbatched.Equals(batched).Should().BeTrue();
        // Binary mode accepts any shape, a scalar included: p = sigmoid(0.5), y = 1 -> 1 - 2p / (p + 1).
        var p = 1 / (1 + Math.Exp(-0.5));
        Function(tensor(0.5), tensor(1.0), OverlapMode.Binary, epsilon: 0).ToDouble().Should().BeApproximately(1 - 2 * p / (p + 1), 1e-15);
    }

    [Fact]
    public void Ignored_rows_change_nothing_but_their_own_absence()
    {
        using var scope = NewDisposeScope();
        // Appending rows whose target is ignore_index (with arbitrary logits) gives the loss of the original rows.
        var d = OverlapData.Make("mc2d");
        var kept = d.ClassTarget!.Select((t, i) => (t, i)).Where(p => p.t != d.IgnoreIndex).Select(p => p.i).ToArray();
        var x = d.Input();
        var baseline = Function(x.index_select(0, tensor(kept.Select(i => (long)i).ToArray())),
            tensor(kept.Select(i => d.ClassTarget![i]).ToArray()), ignore_index: d.IgnoreIndex);
        var withIgnored = Function(x, d.Target(), ignore_index: d.IgnoreIndex);
        withIgnored.ToDouble().Should().BeApproximately(baseline.ToDouble(), 1e-15);
    }

    [Fact]
    public void NaN_propagates()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new double[] { double.NaN, 0, 1, 2 }, [2, 2]);
        double.IsNaN(Function(x, tensor(new long[] { 0, 1 })).ToDouble()).Should().BeTrue();
        double.IsNaN(Function(x, tensor(new double[] { 1, 0, 1, 1 }, [2, 2]), OverlapMode.Binary).ToDouble()).Should().BeTrue();
        var nanTarget = tensor(new double[] { double.NaN, 0, 0, 0 }, [2, 2]);
        double.IsNaN(Function(tensor(new double[] { 0, 1, 2, 3 }, [2, 2]), nanTarget, OverlapMode.Multilabel).ToDouble()).Should().BeTrue();
    }

    // ----- validation ------------------------------------------------------------------------------------------------

    [Fact]
    public void Rejects_bad_multiclass_arguments()
    {
        using var scope = NewDisposeScope();
        var x = zeros(4, 3);
        FluentActions.Invoking(() => Function(x, tensor(new long[] { 0, 1, 3, 2 }))).Should().Throw<LossArgumentOutOfRangeException>()
            .Where(e => e.Loss == Name && e.ParamName == "target")
            .WithMessage($"{Name}: target contains class index 3 at flat position 2, outside [0, 3) and not ignore_index (-100)*");
        FluentActions.Invoking(() => Function(x, zeros(4, 3))).Should().Throw<LossArgumentException>()
            .WithMessage($"{Name}: class-index target must be an integer tensor*Float32*[4, 3]*soft targets*");
        FluentActions.Invoking(() => Function(x, zeros(5, ScalarType.Int64))).Should().Throw<LossArgumentException>()
            .WithMessage($"{Name}: for input of shape [4, 3] (N, C, ...) the class-index target must have shape [4], got [5].*");
        FluentActions.Invoking(() => Function(zeros(4, ScalarType.Int64), zeros(4, ScalarType.Int64))).Should().Throw<LossArgumentException>()
            .WithMessage($"{Name}: input must be a floating-point tensor*Int64*");
        FluentActions.Invoking(() => Function(zeros(new long[] { 4, 0 }), zeros(4, ScalarType.Int64))).Should().Throw<LossArgumentException>()
            .WithMessage($"{Name}: in Multiclass mode input needs at least one class*");
    }

    [Fact]
    public void Rejects_bad_sigmoid_arguments()
    {
        using var scope = NewDisposeScope();
        FluentActions.Invoking(() => Function(zeros(8, 1), zeros(8), OverlapMode.Binary)).Should().Throw<LossArgumentException>()
            .Where(e => e.ParamName == "target").WithMessage($"{Name}: input and target must have the same shape*squeeze*");
        FluentActions.Invoking(() => Function(zeros(3), tensor(new float[] { 0, 1, 2 }), OverlapMode.Binary)).Should().Throw<LossArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "target")
            .WithMessage($"{Name}: target must lie in [0, 1] (or equal ignore_index, -100), but element 2 (flat index) is 2;*");
        FluentActions.Invoking(() => Function(zeros(3), zeros(3, ScalarType.Float64), OverlapMode.Binary)).Should().Throw<LossArgumentException>()
            .WithMessage($"{Name}: input is Float32 but target is Float64*");
        FluentActions.Invoking(() => Function(zeros(3), zeros(3, ScalarType.Int64), OverlapMode.Binary)).Should().Throw<LossArgumentException>()
            .WithMessage($"{Name}: target must be a floating-point tensor*");
        FluentActions.Invoking(() => Function(zeros(3), zeros(3), OverlapMode.Multilabel)).Should().Throw<LossArgumentException>()
            .Where(e => e.ParamName == "input").WithMessage($"{Name}: in Multilabel mode input must be (N, C)*got [3]*Binary*");
    }

    [Fact]
    public void Rejects_probabilities_outside_the_unit_interval_when_not_from_logits()
    {
        using var scope = NewDisposeScope();
        FluentActions.Invoking(() => Function(tensor(new float[] { 0.2f, 1.5f }, [1, 2]), tensor(new long[] { 0 }), from_logits: false))
            .Should().Throw<LossArgumentOutOfRangeException>().Where(e => e.ParamName == "input")
            .WithMessage($"{Name}: input must lie in [0, 1], but element 1 (flat index) is 1.5*");
        // Logits outside [0, 1] are fine with from_logits.
        Function(tensor(new float[] { 0.2f, 1.5f }, [1, 2]), tensor(new long[] { 0 })).ToDouble().Should().BeInRange(0, 1);
    }

    [Fact]
    public void Rejects_bad_options()
    {
        using var scope = NewDisposeScope();
        var x = zeros(2, 3);
        var t = tensor(new long[] { 0, 1 });
        FluentActions.Invoking(() => Function(x, t, epsilon: -1e-3)).Should().Throw<LossArgumentOutOfRangeException>().Where(e => e.ParamName == "epsilon");
        FluentActions.Invoking(() => Function(x, t, epsilon: double.NaN)).Should().Throw<LossArgumentOutOfRangeException>().Where(e => e.ParamName == "epsilon");
        FluentActions.Invoking(() => Function(x, t, (OverlapMode)7)).Should().Throw<LossArgumentException>().WithMessage($"{Name}: unknown mode 7*");
        FluentActions.Invoking(() => Function(x, t, average: (OverlapAverage)5)).Should().Throw<LossArgumentException>().WithMessage($"{Name}: unknown average 5*");
        FluentActions.Invoking(() => Function(x, t, average: OverlapAverage.Micro, reduction: Reduction.None)).Should().Throw<LossArgumentException>()
            .Where(e => e.ParamName == "reduction").WithMessage($"{Name}: average Micro pools the counts*None is not defined*");
        FluentActions.Invoking(() => Function(x, t, reduction: Reduction.BatchMean)).Should().Throw<LossArgumentException>()
            .WithMessage($"{Name}: reduction BatchMean is only defined for KL divergence*");
        FluentActions.Invoking(() => Module(OverlapMode.Multiclass, true, OverlapAverage.Micro, 1e-7, -100, Reduction.Sum)).Should().Throw<LossArgumentException>()
            .Where(e => e.ParamName == "reduction");
        FluentActions.Invoking(() => Module(OverlapMode.Multiclass, true, OverlapAverage.Macro, -1, -100, Reduction.Mean)).Should().Throw<LossArgumentOutOfRangeException>();
    }

    [Fact]
    public void Rejects_disposed_tensors()
    {
        var x = zeros(2, 3);
        var t = tensor(new long[] { 0, 1 });
        x.Dispose();
        FluentActions.Invoking(() => Function(x, t)).Should().Throw<ObjectDisposedException>().WithMessage($"{Name}: input has been disposed*");
        t.Dispose();
    }
}
