using static LossKit.Torch.torch;

namespace LossKit.Torch.Tests.Robustness;

/// <summary>
/// What the property test found, pinned down: calls that killed the process (in PyTorch 1.13 as well) before the shim
/// guarded them.
/// </summary>
public class FoundCrashTests
{
    /// <summary>
    /// x % -1 is 0 for every integer, but the CPU's division traps (SIGFPE) for the minimum of a signed type divided by -1.
    /// The divisor counts as the kernel sees it: cast to the result type, where int64's maximum is -1 in int32.
    /// </summary>
    [Fact]
    public void integer_remainder_of_the_minimum_by_minus_one_is_zero_instead_of_a_crash()
    {
        using var scope = NewDisposeScope();
        tensor(new[] { long.MinValue, 7, -7 }).remainder(-1).ToArray<long>().Should().Equal(0, 0, 0);
        tensor(new[] { long.MinValue, 7, -7 }).remainder(tensor(new[] { -1L, -1, 3 })).ToArray<long>().Should().Equal(0, 0, 2);
        tensor(new[] { int.MinValue, 5 }).remainder(-1).ToArray<int>().Should().Equal(0, 0);
        tensor(new[] { int.MinValue, 5 }).remainder(tensor(new[] { -1, 2 })).ToArray<int>().Should().Equal(0, 1);
        // A 0-dim int64 divisor takes the int32 dividend's dtype: int64's maximum wraps to -1.
        tensor(new[] { int.MinValue, 4 }).remainder(tensor(long.MaxValue)).ToArray<int>().Should().Equal(0, 0);
        tensor(new[] { int.MinValue, 4 }).remainder(long.MaxValue).ToArray<int>().Should().Equal(0, 0);
        // Python semantics everywhere else: the sign of the divisor.
        tensor(new[] { -7L, 7 }).remainder(3).ToArray<long>().Should().Equal(2, 1);
        tensor(new[] { -7L, 7 }).remainder(-3).ToArray<long>().Should().Equal(-1, -2);
        // Division by zero stays an error, as in libtorch.
        var act = () => tensor(new[] { 1L }).remainder(0);
        act.Should().Throw<TorchException>().WithMessage("remainder*ZeroDivisionError*");
    }

    [Fact]
    public void a_failing_libtorch_call_costs_microseconds_not_milliseconds()
    {
        // libtorch symbolises the C++ stack into every error it raises (about 4 ms); the shim turns that off (nothing
        // shows it), so code that handles bad batches by catching exceptions does not stall.
        var a = ones(2);
        var b = ones(3);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var c = a + b;
            }
            catch (TorchException)
            {
            }
        }
        clock.Stop();
        a.Dispose();
        b.Dispose();
        (clock.Elapsed.TotalMilliseconds / 200).Should().BeLessThan(1.0, "a failed call should not build a C++ backtrace");
    }
}
