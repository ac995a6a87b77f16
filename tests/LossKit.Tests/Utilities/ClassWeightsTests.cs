using LossKit.Tests.Infrastructure;
using LossKit.Torch;
using static LossKit.Torch.torch;

namespace LossKit.Tests.Utilities;

public sealed class ClassWeightsTests
{
    [Fact]
    public void Inverse_frequency_by_hand()
    {
        using var scope = NewDisposeScope();
        // Counts [10, 30, 60]: 1/n = [0.1, 1/30, 1/60], sum 0.15; scaled by C / sum = 3 / 0.15 = 20: [2, 2/3, 1/3] (sum 3).
        var w = ClassWeights.InverseFrequency([10, 30, 60]);
        w.dtype.Should().Be(ScalarType.Float32);
        w.shape.Should().Equal(3);
        TensorAssert.Close(w, [2, 2.0 / 3, 1.0 / 3]);
        TensorAssert.Values(w).Sum().Should().BeApproximately(3, 1e-6, "normalised weights sum to C (mean 1)");
        TensorAssert.Close(ClassWeights.InverseFrequency([10, 30, 60], normalize: false, dtype: ScalarType.Float64), [0.1, 1.0 / 30, 1.0 / 60]);
        // The tensor overload: integer or floating counts.
        TensorAssert.Close(ClassWeights.InverseFrequency(tensor(new long[] { 10, 30, 60 }), dtype: ScalarType.Float64), [2, 2.0 / 3, 1.0 / 3]);
        TensorAssert.Close(ClassWeights.InverseFrequency(tensor(new float[] { 10, 30, 60 })), [2, 2.0 / 3, 1.0 / 3]);
        // Equal counts give equal weights 1.
        TensorAssert.Close(ClassWeights.InverseFrequency([7, 7, 7, 7]), [1, 1, 1, 1]);
    }

    [Fact]
    public void Effective_number_by_hand()
    {
        using var scope = NewDisposeScope();
        // β = 0.5, counts [1, 2, 3]: (1 - β)/(1 - β^n) = 0.5/0.5 = 1, 0.5/0.75 = 2/3, 0.5/0.875 = 4/7.
        // Sum = 1 + 2/3 + 4/7 = 47/21; scaled by 3 / (47/21) = 63/47: [63/47, 42/47, 36/47].
        var w = ClassWeights.EffectiveNumber([1, 2, 3], beta: 0.5, dtype: ScalarType.Float64);
        TensorAssert.Close(w, [63.0 / 47, 42.0 / 47, 36.0 / 47]);
        TensorAssert.Close(ClassWeights.EffectiveNumber([1, 2, 3], beta: 0.5, normalize: false, dtype: ScalarType.Float64), [1, 2.0 / 3, 4.0 / 7]);
        // β = 0: every class has effective number 1, so equal weights.
        TensorAssert.Close(ClassWeights.EffectiveNumber([10, 30, 60], beta: 0), [1, 1, 1]);
        // β → 1 approaches inverse frequency ([2, 2/3, 1/3] for [10, 30, 60]); β = 0.999 (the default) is in between.
        TensorAssert.Close(ClassWeights.EffectiveNumber([10, 30, 60], beta: 0.999999, dtype: ScalarType.Float64), [2, 2.0 / 3, 1.0 / 3], rtol: 1e-4, atol: 0);
        var mid = TensorAssert.Values(ClassWeights.EffectiveNumber([10, 30, 60]));
        mid[0].Should().BeGreaterThan(mid[1]).And.BeLessThan(2);
        mid[1].Should().BeGreaterThan(mid[2]);
        mid.Sum().Should().BeApproximately(3, 1e-5);
        // Cui et al.'s β = 0.999, n = 10: (1 - 0.999) / (1 - 0.999^10), 0.999^10 = 0.990044880209748...
        TensorAssert.Close(ClassWeights.EffectiveNumber([10], beta: 0.999, normalize: false, dtype: ScalarType.Float64), [0.001 / (1 - 0.990044880209748)], rtol: 1e-12);
        TensorAssert.Close(ClassWeights.EffectiveNumber(tensor(new long[] { 1, 2, 3 }), beta: 0.5, dtype: ScalarType.Float64), [63.0 / 47, 42.0 / 47, 36.0 / 47]);
    }

    [Fact]
    public void Counts_and_weights_from_targets()
    {
        using var scope = NewDisposeScope();
        // Targets [[0, 2, 2], [2, 1, -100]]: counts [1, 1, 3] (ignore_index not counted).
        // Inverse frequency: [1, 1, 1/3], sum 7/3, scaled by 3 / (7/3) = 9/7: [9/7, 9/7, 3/7].
        var t = tensor(new long[] { 0, 2, 2, 2, 1, -100 }, [2, 3]);
        ClassWeights.Count(t, 3).Should().Equal(1, 1, 3);
        ClassWeights.Count(t, 5).Should().Equal(1, 1, 3, 0, 0);
        TensorAssert.Close(ClassWeights.FromTargets(t, 3, dtype: ScalarType.Float64), [9.0 / 7, 9.0 / 7, 3.0 / 7]);
        TensorAssert.Close(ClassWeights.FromTargets(t.to(ScalarType.Int32), 3), [9.0 / 7, 9.0 / 7, 3.0 / 7]);
        TensorAssert.Close(ClassWeights.FromTargets(t, 3, ClassWeighting.EffectiveNumber, beta: 0.5, dtype: ScalarType.Float64),
            TensorAssert.Values(ClassWeights.EffectiveNumber([1, 1, 3], beta: 0.5, dtype: ScalarType.Float64)));
        // A different ignore_index: -100 is then an invalid index.
        FluentActions.Invoking(() => ClassWeights.FromTargets(t, 3, ignore_index: 1)).Should().Throw<LossArgumentOutOfRangeException>()
            .WithMessage("ClassWeights.FromTargets: target contains class index -100 at flat position 5, outside [0, 3) and not ignore_index (1).*");
    }

    [Fact]
    public void Zero_and_invalid_counts_are_errors()
    {
        using var scope = NewDisposeScope();
        FluentActions.Invoking(() => ClassWeights.InverseFrequency([5, 0, 2])).Should().Throw<LossArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "counts").WithMessage("ClassWeights.InverseFrequency: class 1 has count 0, so its weight 1/count would be infinite*");
        FluentActions.Invoking(() => ClassWeights.EffectiveNumber([5, 0, 2])).Should().Throw<LossArgumentOutOfRangeException>()
            .WithMessage("ClassWeights.EffectiveNumber: class 1 has count 0*");
        FluentActions.Invoking(() => ClassWeights.InverseFrequency([5, -3])).Should().Throw<LossArgumentOutOfRangeException>()
            .WithMessage("*class 1 has count -3; counts must be finite and > 0.*");
        FluentActions.Invoking(() => ClassWeights.InverseFrequency(tensor(new[] { 1.0, double.NaN }))).Should().Throw<LossArgumentOutOfRangeException>();
        FluentActions.Invoking(() => ClassWeights.InverseFrequency(Array.Empty<long>())).Should().Throw<LossArgumentException>().WithMessage("*counts is empty*");
        FluentActions.Invoking(() => ClassWeights.InverseFrequency((long[])null!)).Should().Throw<LossArgumentException>();
        FluentActions.Invoking(() => ClassWeights.InverseFrequency(zeros(2, 2))).Should().Throw<LossArgumentException>().WithMessage("*1-D numeric tensor*[2, 2]*");
        // A class that never occurs in the targets has count 0.
        FluentActions.Invoking(() => ClassWeights.FromTargets(tensor(new long[] { 0, 0, 2 }), 3)).Should().Throw<LossArgumentOutOfRangeException>()
            .WithMessage("ClassWeights.FromTargets: class 1 has count 0*");
    }

    [Fact]
    public void Rejects_bad_options()
    {
        using var scope = NewDisposeScope();
        FluentActions.Invoking(() => ClassWeights.EffectiveNumber([1, 2], beta: 1.0)).Should().Throw<LossArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "beta").WithMessage("ClassWeights.EffectiveNumber: beta must be in [0, 1), got 1.*");
        FluentActions.Invoking(() => ClassWeights.EffectiveNumber([1, 2], beta: -0.1)).Should().Throw<LossArgumentOutOfRangeException>();
        FluentActions.Invoking(() => ClassWeights.InverseFrequency([1, 2], dtype: ScalarType.Int64)).Should().Throw<LossArgumentException>()
            .WithMessage("ClassWeights.InverseFrequency: dtype must be Float32 or Float64, got Int64.*");
        FluentActions.Invoking(() => ClassWeights.FromTargets(zeros(3), 3)).Should().Throw<LossArgumentException>()
            .WithMessage("ClassWeights.FromTargets: target must be an integer tensor*Float32*");
        FluentActions.Invoking(() => ClassWeights.FromTargets(tensor(new long[] { 0, 3 }), 3)).Should().Throw<LossArgumentOutOfRangeException>()
            .WithMessage("*class index 3 at flat position 1, outside [0, 3)*");
        FluentActions.Invoking(() => ClassWeights.Count(tensor(new long[] { 0 }), 0)).Should().Throw<LossArgumentOutOfRangeException>().Where(e => e.ParamName == "classes");
        FluentActions.Invoking(() => ClassWeights.FromTargets(tensor(new long[] { 0, 1 }), 2, (ClassWeighting)9)).Should().Throw<LossArgumentException>();
    }
}
