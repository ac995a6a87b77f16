using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LossKit.Bench;

/// <summary>
/// The PyTorch process (bench/pytorch_side.py under Debian's python3-torch): started once, kept alive, and driven one
/// JSON request per line, so LossKit and PyTorch measurements can alternate within one invocation.
/// </summary>
internal sealed class PyTorchSide : IDisposable
{
    private readonly Process _process;

    private PyTorchSide(Process process) => _process = process;

    public static PyTorchSide Start(string python, int threads)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "pytorch_side.py");
        var info = new ProcessStartInfo(python, [script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        // The same thread count on both sides; OpenMP must not decide on its own.
        info.Environment["OMP_NUM_THREADS"] = threads.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {python}");
        var side = new PyTorchSide(process);
        var version = side.Request(new JsonObject { ["op"] = "version" });
        _ = version;
        return side;
    }

    public JsonNode Request(JsonObject request)
    {
        _process.StandardInput.WriteLine(request.ToJsonString());
        _process.StandardInput.Flush();
        var line = _process.StandardOutput.ReadLine()
            ?? throw new InvalidOperationException("the PyTorch side exited (see its error output above)");
        var reply = JsonNode.Parse(line) ?? throw new InvalidOperationException($"unreadable reply: {line}");
        if (reply["error"] is { } error) throw new InvalidOperationException($"PyTorch side: {error}");
        return reply;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.WriteLine("{\"op\": \"quit\"}");
                _process.StandardInput.Flush();
                if (!_process.WaitForExit(5000)) _process.Kill();
            }
        }
        catch (IOException)
        {
            // already gone
        }
        _process.Dispose();
    }

    public static double[] Doubles(JsonNode? node) => node!.AsArray().Select(v => v!.GetValue<double>()).ToArray();

    public static string Describe(JsonNode reply) => reply.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
