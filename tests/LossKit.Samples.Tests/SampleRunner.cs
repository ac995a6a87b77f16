namespace LossKit.Samples.Tests;

/// <summary>Runs a sample's entry point with the given arguments and captures what it prints.</summary>
internal static class SampleRunner
{
    private static readonly object ConsoleGate = new();

    /// <summary>Exit code and output of <paramref name="run"/>; console output is captured (samples run one at a time).</summary>
    public static (int exitCode, string output) Run(Func<string[], int> run, params string[] args)
    {
        lock (ConsoleGate)
        {
            var original = Console.Out;
            using var writer = new StringWriter();
            Console.SetOut(writer);
            try
            {
                var code = run(args);
                return (code, writer.ToString());
            }
            finally
            {
                Console.SetOut(original);
            }
        }
    }
}
