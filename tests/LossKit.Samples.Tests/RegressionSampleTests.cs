using System.Text.RegularExpressions;

namespace LossKit.Samples.Tests;

public class RegressionSampleTests
{
    private static readonly Regex Ansi = new(@"\x1b\[[0-9;]*m", RegexOptions.Compiled);

    private static string RunSample(params string[] args)
    {
        var (exitCode, output) = SampleRunner.Run(RegressionSample.Run, args);
        exitCode.Should().Be(0, output);
        return Ansi.Replace(output, "");
    }

    private static void ShouldHoldTheTable(string output, double threshold)
    {
        foreach (var header in RegressionSample.Headers(threshold))
            output.Should().Contain(header);
        var rows = output.Split('\n').Where(l => l.StartsWith("│ ", StringComparison.Ordinal)).Select(l => l[2..]).ToList();
        foreach (var loss in RegressionSample.LossNames)
            rows.Should().ContainSingle(r => r.StartsWith(loss + " ", StringComparison.Ordinal), $"the table has one row for {loss}");
    }

    [Fact]
    public void Runs_on_clean_targets_and_prints_one_row_per_loss()
    {
        var output = RunSample("--epochs", "2");
        output.Should().Contain("Training targets: clean.");
        ShouldHoldTheTable(output, 45);
    }

    [Fact]
    public void Runs_with_outliers_in_the_training_targets()
    {
        var output = RunSample("--outliers", "0.1", "--epochs", "2", "--threshold", "60");
        output.Should().Contain("35 of 354").And.Contain("10% training outliers");
        ShouldHoldTheTable(output, 60);
    }

    [Fact]
    public void The_same_command_prints_the_same_table()
    {
        RunSample("--epochs", "3", "--seed", "7").Should().Be(RunSample("--epochs", "3", "--seed", "7"));
    }

    [Theory]
    [InlineData("--outliers", "1")]
    [InlineData("--epochs", "0")]
    [InlineData("--lr", "-0.1")]
    public void Refuses_an_option_out_of_range(string option, string value)
    {
        var (exitCode, _) = SampleRunner.Run(RegressionSample.Run, option, value);
        exitCode.Should().NotBe(0);
    }
}
