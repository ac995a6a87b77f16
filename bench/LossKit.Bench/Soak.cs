using System.CommandLine;

namespace LossKit.Bench;

/// <summary>The soak test (issue: reliability): filled in with the reliability work.</summary>
internal static class Soak
{
    public static Command Command()
    {
        var command = new Command("soak", "Runs many forward + backward steps over every loss and reports resident memory.");
        command.SetAction(_ => { Console.Error.WriteLine("soak: see the reliability work"); return 2; });
        return command;
    }
}
