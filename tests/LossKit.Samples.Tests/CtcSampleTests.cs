using FluentAssertions;
using Xunit;

namespace LossKit.Samples.Tests;

public class CtcSampleTests
{
    [Fact]
    public void Runs_on_reduced_settings_and_prints_the_table()
    {
        var (code, output) = SampleRunner.Run(CtcSample.Run,
            "--epochs", "2", "--eval-every", "1", "--train-size", "200", "--test-size", "50", "--max-length", "4");

        code.Should().Be(0, output);
        foreach (var header in new[] { "epoch", "train CTC", "test CTC", "sequence acc.", "CER" })
            output.Should().Contain(header);
        // One row before training and one per scored epoch.
        foreach (var epoch in new[] { "│ 0 ", "│ 1 ", "│ 2 " })
            output.Should().Contain(epoch);
        output.Should().NotContain("│ 3 ");
    }

    [Fact]
    public void The_same_seed_prints_the_same_table()
    {
        string[] args = ["--epochs", "1", "--train-size", "100", "--test-size", "30", "--seed", "7"];
        var first = SampleRunner.Run(CtcSample.Run, args);
        var second = SampleRunner.Run(CtcSample.Run, args);

        first.exitCode.Should().Be(0, first.output);
        second.output.Should().Be(first.output);
    }
}
