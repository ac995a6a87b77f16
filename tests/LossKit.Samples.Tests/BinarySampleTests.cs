using FluentAssertions;
using Xunit;

namespace LossKit.Samples.Tests;

public class BinarySampleTests
{
    [Fact]
    public void Runs_on_reduced_settings_and_prints_the_table()
    {
        var (code, output) = SampleRunner.Run(BinarySample.Run, "--epochs", "2");

        code.Should().Be(0, output);
        output.Should().Contain("positive class: malignant");
        foreach (var header in new[] { "loss", "accuracy", "F1", "mean p", "Brier", "ECE-5" })
            output.Should().Contain(header);
        foreach (var row in new[] { "│ BCE ", "│ BCE, pos_weight ", "│ focal, α 0.25, γ 2 ", "│ focal, no α, γ 2 ", "│ soft Dice " })
            output.Should().Contain(row);
    }
}
