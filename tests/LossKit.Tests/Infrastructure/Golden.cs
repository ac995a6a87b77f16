using System.Globalization;
using System.Text.Json;
using LossKit.Torch;
using static LossKit.Torch.torch;
using static LossKit.Torch.torch.nn;

namespace LossKit.Tests.Infrastructure;

/// <summary>One case of a golden file written by tools/golden/gen_&lt;family&gt;.py with PyTorch.</summary>
public sealed class GoldenCase
{
    private readonly JsonElement _json;

    internal GoldenCase(JsonElement json) => _json = json;

    /// <summary>The case's unique name.</summary>
    public string Name => _json.GetProperty("name").GetString()!;

    /// <summary>The PyTorch function that produced it.</summary>
    public string Loss => _json.GetProperty("loss").GetString()!;

    public override string ToString() => Name;

    public bool HasOption(string name) => _json.GetProperty("options").TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public double Double(string option) => _json.GetProperty("options").GetProperty(option).GetDouble();

    public long Long(string option) => _json.GetProperty("options").GetProperty(option).GetInt64();

    public bool Bool(string option) => _json.GetProperty("options").GetProperty(option).GetBoolean();

    public string String(string option) => _json.GetProperty("options").GetProperty(option).GetString()!;

    public Reduction Reduction => String("reduction") switch
    {
        "none" => Reduction.None,
        "mean" => Reduction.Mean,
        "sum" => Reduction.Sum,
        "batchmean" => Reduction.BatchMean,
        var r => throw new InvalidDataException($"unknown reduction '{r}' in golden case {Name}"),
    };

    public bool HasInput(string name) => _json.GetProperty("inputs").TryGetProperty(name, out _);

    /// <summary>A new tensor holding input <paramref name="name"/> (requiring grad as it did in PyTorch).</summary>
    public Tensor Input(string name)
    {
        var e = _json.GetProperty("inputs").GetProperty(name);
        var t = ToTensor(e);
        if (e.TryGetProperty("requires_grad", out var rg) && rg.GetBoolean()) t.requires_grad = true;
        return t;
    }

    /// <summary>The expected output values (row-major) and shape.</summary>
    public (double[] values, long[] shape) Output => Values(_json.GetProperty("output"));

    /// <summary>The expected gradient of sum(output) with respect to input <paramref name="name"/>.</summary>
    public (double[] values, long[] shape) Grad(string name) => Values(_json.GetProperty("grads").GetProperty(name));

    public bool HasGrad(string name) => _json.GetProperty("grads").TryGetProperty(name, out _);

    public string InputDtype(string name) => _json.GetProperty("inputs").GetProperty(name).GetProperty("dtype").GetString()!;

    private static (double[] values, long[] shape) Values(JsonElement e)
    {
        var shape = e.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()).ToArray();
        var data = e.GetProperty("data").EnumerateArray().Select(ParseDouble).ToArray();
        return (data, shape);
    }

    private static double ParseDouble(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Number => v.GetDouble(),
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        JsonValueKind.String => v.GetString() switch
        {
            "nan" => double.NaN,
            "inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            var s => double.Parse(s!, CultureInfo.InvariantCulture),
        },
        _ => throw new InvalidDataException($"unexpected JSON value {v}"),
    };

    private static Tensor ToTensor(JsonElement e)
    {
        var (values, shape) = Values(e);
        return e.GetProperty("dtype").GetString() switch
        {
            "float64" => tensor(values, shape),
            "float32" => tensor(values.Select(v => (float)v).ToArray(), shape),
            "int64" => tensor(values.Select(v => (long)v).ToArray(), shape),
            "int32" => tensor(values.Select(v => (int)v).ToArray(), shape),
            "bool" => tensor(values.Select(v => v != 0).ToArray(), shape),
            var d => throw new InvalidDataException($"unknown dtype '{d}'"),
        };
    }
}

/// <summary>Reads tests/LossKit.Tests/Golden/&lt;family&gt;.json (copied next to the test assembly).</summary>
public static class Golden
{
    private static readonly Dictionary<string, IReadOnlyList<GoldenCase>> Cache = new();

    public static IReadOnlyList<GoldenCase> Cases(string family)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(family, out var cached)) return cached;
            var path = Path.Combine(AppContext.BaseDirectory, "Golden", family + ".json");
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var cases = doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new GoldenCase(c.Clone())).ToList();
            Cache[family] = cases;
            return cases;
        }
    }

    /// <summary>xunit MemberData: the names of the cases of a family whose name starts with <paramref name="prefix"/>.</summary>
    public static TheoryData<string> Names(string family, string prefix = "")
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases(family).Where(c => c.Name.StartsWith(prefix, StringComparison.Ordinal))) data.Add(c.Name);
        return data;
    }

    public static GoldenCase Case(string family, string name) => Cases(family).Single(c => c.Name == name);
}
