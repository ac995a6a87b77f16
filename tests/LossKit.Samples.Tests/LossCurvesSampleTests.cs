using System.Xml.Linq;

namespace LossKit.Samples.Tests;

public sealed class LossCurvesSampleTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "losskit-curves-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void Writes_a_well_formed_svg_with_a_path_per_loss_and_prints_the_sampled_values()
    {
        var file = Path.Combine(_folder, "sub", "curves.svg");
        var (exitCode, output) = SampleRunner.Run(LossCurvesSample.Run, "--out", file);

        exitCode.Should().Be(0, output);
        File.Exists(file).Should().BeTrue();
        var svg = XDocument.Load(file); // throws unless well-formed
        XNamespace ns = "http://www.w3.org/2000/svg";
        svg.Root!.Name.Should().Be(ns + "svg");
        var paths = svg.Descendants(ns + "path").Select(p => (string?)p.Attribute("data-loss")).ToList();
        foreach (var loss in LossCurvesSample.CurveNames)
            paths.Count(p => p == loss).Should().Be(2, $"{loss} is drawn as a value curve and a slope curve");
        svg.Descendants(ns + "path").Should().OnlyContain(p => ((string)p.Attribute("d")!).StartsWith('M') && !((string)p.Attribute("d")!).Contains("NaN"));

        output.Should().Contain("e = 0.5").And.Contain("p = 0.9");
        output.Should().Contain("16.000 / 8.000", "MSE at e = 4 is 16 with slope 8");
        output.Should().Contain("2.303 / -0.900", "cross-entropy at p = 0.1 is -log 0.1 with slope p - 1");
    }

    [Fact]
    public void Refuses_a_range_that_is_not_positive()
    {
        var (exitCode, _) = SampleRunner.Run(LossCurvesSample.Run, "--range", "0", "--out", Path.Combine(_folder, "x.svg"));
        exitCode.Should().NotBe(0);
    }
}
