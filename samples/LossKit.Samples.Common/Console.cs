using System.Globalization;
using System.Text;
using Spectre.Console;

namespace LossKit.Samples;

/// <summary>Progress and result tables for the samples (plain text when the output is redirected).</summary>
public static class SampleConsole
{
    private static TextWriter? _writer;
    private static IAnsiConsole? _console;

    /// <summary>
    /// A Spectre console writing to the current <see cref="Console.Out"/>, without ANSI escapes when the output is
    /// redirected. Not <c>AnsiConsole.Console</c>: that one keeps the writer it first saw, so once something swaps
    /// <see cref="Console.Out"/> (the sample tests capture each run's output) later tables go to the old writer (or throw,
    /// when it was disposed); and it writes colour escapes into redirected output when TERM says the terminal has colours.
    /// </summary>
    private static IAnsiConsole Terminal
    {
        get
        {
            var writer = Console.Out;
            if (_console is null || !ReferenceEquals(writer, _writer))
            {
                _console = AnsiConsole.Create(new AnsiConsoleSettings
                {
                    Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
                    ColorSystem = Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
                    Out = new AnsiConsoleOutput(writer),
                });
                _writer = writer;
            }
            return _console;
        }
    }

    /// <summary>Runs <paramref name="work"/> with one progress bar per task when the console is interactive; otherwise
    /// runs it silently (a progress bar in a log file is noise). The callback reports (task index, fraction done).</summary>
    public static void WithProgress(IReadOnlyList<string> tasks, Action<Action<int, double>> work)
    {
        if (!Terminal.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            work((_, _) => { });
            return;
        }
        Terminal.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var bars = tasks.Select(t => ctx.AddTask(t, autoStart: false, maxValue: 1.0)).ToArray();
                work((i, fraction) =>
                {
                    if (!bars[i].IsStarted) bars[i].StartTask();
                    bars[i].Value = Math.Min(1.0, fraction);
                });
            });
    }

    /// <summary>Prints a table (Spectre's box drawing) and returns it as Markdown, for the sample's README.</summary>
    public static string PrintTable(string title, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var list = rows.ToList();
        var table = new Table().Title(title).Border(TableBorder.Rounded);
        foreach (var h in headers) table.AddColumn(new TableColumn(h).RightAligned());
        table.Columns[0].LeftAligned();
        foreach (var r in list) table.AddRow(r.Select(Markup.Escape).ToArray());
        Terminal.Write(table);
        var md = new StringBuilder();
        md.AppendLine("| " + string.Join(" | ", headers) + " |");
        md.AppendLine("| " + string.Join(" | ", headers.Select((_, i) => i == 0 ? "---" : "---:")) + " |");
        foreach (var r in list) md.AppendLine("| " + string.Join(" | ", r) + " |");
        return md.ToString();
    }

    public static string F(double v, int digits = 2) => v.ToString("F" + digits, CultureInfo.InvariantCulture);
}
