using System.Globalization;
using System.IO.Compression;

namespace LossKit.Samples;

/// <summary>A table of features (rows x columns, row-major) and one target per row.</summary>
public sealed record DataSet<TTarget>(string Name, double[][] Features, TTarget[] Targets, string[] FeatureNames)
{
    public int Rows => Features.Length;
    public int Columns => Features.Length == 0 ? 0 : Features[0].Length;
}

/// <summary>Loads the data sets committed under samples/data (copied next to each sample's binaries).</summary>
public static class DataSets
{
    /// <summary>The data folder: next to the running app, or the repository's samples/data.</summary>
    public static string Folder
    {
        get
        {
            var beside = Path.Combine(AppContext.BaseDirectory, "data");
            if (Directory.Exists(beside)) return beside;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "samples", "data");
                if (Directory.Exists(candidate)) return candidate;
            }
            throw new DirectoryNotFoundException("samples/data was not found next to the app or above it.");
        }
    }

    private static IEnumerable<string> Lines(string file)
    {
        var path = Path.Combine(Folder, file);
        using var stream = File.OpenRead(path);
        using Stream data = file.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(stream, CompressionMode.Decompress) : stream;
        using var reader = new StreamReader(data);
        while (reader.ReadLine() is { } line)
            if (!string.IsNullOrWhiteSpace(line)) yield return line;
    }

    private static double Parse(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>Diabetes (Efron et al. 2004): 442 patients, 10 baseline variables, disease progression after a year.</summary>
    public static DataSet<double> Diabetes()
    {
        var x = Lines("diabetes_data_raw.csv.gz").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Parse).ToArray()).ToArray();
        var y = Lines("diabetes_target.csv.gz").Select(l => Parse(l.Trim())).ToArray();
        if (x.Length != y.Length) throw new InvalidDataException($"diabetes: {x.Length} feature rows but {y.Length} targets");
        return new DataSet<double>("diabetes", x, y, ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]);
    }

    /// <summary>Handwritten digits (Alpaydin and Kaynak 1998): 1797 images of 8x8 pixels (0..16), classes 0..9.</summary>
    public static DataSet<long> Digits()
    {
        var rows = Lines("digits.csv.gz").Select(l => l.Split(',').Select(Parse).ToArray()).ToArray();
        return new DataSet<long>("digits", rows.Select(r => r[..64]).ToArray(), rows.Select(r => (long)r[64]).ToArray(),
            Enumerable.Range(0, 64).Select(i => $"pixel{i / 8}{i % 8}").ToArray());
    }

    /// <summary>Breast Cancer Wisconsin, diagnostic (Wolberg, Street and Mangasarian 1995): 569 cases, 30 features; 0 malignant, 1 benign.</summary>
    public static DataSet<long> BreastCancer()
    {
        var lines = Lines("breast_cancer.csv").ToList();
        var rows = lines.Skip(1).Select(l => l.Split(',').Select(Parse).ToArray()).ToArray();
        return new DataSet<long>("breast_cancer", rows.Select(r => r[..30]).ToArray(), rows.Select(r => (long)r[30]).ToArray(),
            Enumerable.Range(0, 30).Select(i => $"f{i}").ToArray());
    }
}
