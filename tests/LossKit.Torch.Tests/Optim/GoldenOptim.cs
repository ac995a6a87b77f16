using System.Text.Json;

namespace LossKit.Torch.Tests.Optim;

// The golden file written by tools/golden/gen_optim_golden.py (PyTorch 1.13) and copied to the test output.

internal sealed record GoldenOptimFile(
    string Generator,
    string TorchVersion,
    GoldenProblem Problem,
    List<GoldenOptimizer> Optimizers,
    List<GoldenScheduler> Schedulers,
    List<GoldenPlateau> Plateaus)
{
    private static readonly Lazy<GoldenOptimFile> Loaded = new(Load);

    public static GoldenOptimFile Instance => Loaded.Value;

    private static GoldenOptimFile Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Golden", "optim.json");
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        return JsonSerializer.Deserialize<GoldenOptimFile>(File.ReadAllText(path), options)
            ?? throw new InvalidDataException($"{path} is empty.");
    }
}

internal sealed record GoldenProblem(List<long[]> Shapes, List<double[]> Init, List<double[]> A, List<double[]> B, List<bool> InLoss);

internal sealed record GoldenGroup(int[] Params, Dictionary<string, JsonElement> Options);

internal sealed record GoldenOptimizer(
    string Name,
    string Optimizer,
    string Dtype,
    Dictionary<string, JsonElement> Defaults,
    List<GoldenGroup> Groups,
    int Steps,
    Dictionary<string, double[]>? LrChanges,
    List<List<double[]>> Trajectory);

internal sealed record GoldenScheduler(
    string Name,
    double[] InitialLrs,
    double[]? InitialLr,
    List<Dictionary<string, JsonElement>> Schedulers,
    int Steps,
    Dictionary<string, double[]>? LrChanges,
    List<double[]> Lrs,
    List<double[]> LastLr,
    List<int[]> LastEpochs);

internal sealed record GoldenPlateau(
    string Name,
    double[] InitialLrs,
    Dictionary<string, JsonElement> Kwargs,
    double[] Metrics,
    List<double[]> Lrs,
    List<double?> Best,
    List<int> NumBadEpochs,
    List<int> CooldownCounter,
    List<int> LastEpoch);

/// <summary>Typed reads of the options dictionaries of the golden file.</summary>
internal static class GoldenOptions
{
    public static double? Double(this Dictionary<string, JsonElement> o, string key) =>
        o.TryGetValue(key, out var v) ? v.GetDouble() : null;

    public static bool? Bool(this Dictionary<string, JsonElement> o, string key) =>
        o.TryGetValue(key, out var v) ? v.GetBoolean() : null;

    public static int? Int(this Dictionary<string, JsonElement> o, string key) =>
        o.TryGetValue(key, out var v) ? v.GetInt32() : null;

    public static string? String(this Dictionary<string, JsonElement> o, string key) =>
        o.TryGetValue(key, out var v) ? v.GetString() : null;
}
