using FluentAssertions;
using Xunit;

namespace LossKit.Samples.Tests;

public class ClassificationSampleTests
{
    [Fact]
    public void Runs_on_reduced_settings_and_prints_the_table()
    {
        var (code, output) = SampleRunner.Run(ClassificationSample.Run, "--epochs", "2", "--rare-classes", "3,5", "--rare-fraction", "0.2");

        code.Should().Be(0, output);
        foreach (var header in new[] { "loss", "accuracy", "macro-F1", "rare F1", "F1 3", "F1 5" })
            output.Should().Contain(header);
        output.Should().NotContain("F1 8");
        foreach (var row in new[] { "│ CE ", "│ weighted CE ", "│ focal, γ 2 ", "│ LabelSmoothing 0.1 ", "│ CE, smoothing 0.1 ", "│ soft F1 ", "│ CE + soft F1 " })
            output.Should().Contain(row);
    }

    [Fact]
    public void Rejects_a_class_out_of_range()
    {
        var (code, _) = SampleRunner.Run(ClassificationSample.Run, "--rare-classes", "3,12", "--epochs", "1");
        code.Should().NotBe(0);
    }
}
