// A pwsh-compatible command line over the real PowerShell engine. It implements the part of
// pwsh's command line that Stillpoint and node-powershell use:
//   pwsh [-NoLogo] [-NoProfile] [-NonInteractive] [-NoExit] [-ExecutionPolicy P]
//        (-Command <text> | -Command - | -File <path> [args...])
// Everything a script does runs in the real engine; only the console host is ours.
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;

namespace Stillpoint.PwshHost;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.OutputEncoding = new UTF8Encoding(false);
        Console.InputEncoding = new UTF8Encoding(false);
        string? command = null;
        string? file = null;
        var fileArgs = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var name = arg.StartsWith('-') ? arg.TrimStart('-').ToLowerInvariant() : "";
            switch (name)
            {
                case "nologo": case "noprofile": case "noninteractive": case "noexit": case "nop": case "noni":
                    break;
                case "executionpolicy": case "ep": case "outputformat": case "of": case "inputformat": case "if":
                    i++;
                    break;
                case "command": case "c":
                    command = string.Join(' ', args.Skip(i + 1));
                    i = args.Length;
                    break;
                case "file": case "f":
                    if (i + 1 >= args.Length) return Usage("-File needs a path");
                    file = args[i + 1];
                    fileArgs.AddRange(args.Skip(i + 2));
                    i = args.Length;
                    break;
                case "version": case "v":
                    Console.WriteLine($"PowerShell {typeof(PowerShell).Assembly.GetName().Version}");
                    return 0;
                default:
                    if (command is null && file is null && !arg.StartsWith('-'))
                    {
                        file = arg;
                        fileArgs.AddRange(args.Skip(i + 1));
                        i = args.Length;
                        break;
                    }
                    return Usage($"unknown parameter {arg}");
            }
        }

        var host = new ConsoleHost();
        using var runspace = RunspaceFactory.CreateRunspace(host, InitialSessionState.CreateDefault2());
        runspace.Open();
        var session = new Session(runspace, host);

        if (file is not null) return session.RunFile(file, fileArgs);
        if (command is null || command == "-")
        {
            return Console.IsInputRedirected || command == "-" ? session.RunStdin() : Usage("no -Command or -File given");
        }
        return session.RunText(command);
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"pwsh: {message}");
        return 64;
    }
}

internal sealed class Session(Runspace runspace, ConsoleHost host)
{
    private bool _lastSucceeded = true;

    public int RunFile(string path, List<string> args)
    {
        using var ps = PowerShell.Create(runspace);
        ps.AddCommand(Path.GetFullPath(path));
        foreach (var a in args) ps.AddArgument(a);
        Invoke(ps);
        return ExitCode();
    }

    public int RunText(string text)
    {
        Execute(text);
        return ExitCode();
    }

    /// <summary>
    /// -Command - : reads statements from standard input as pwsh does, running each as soon as
    /// it is complete (a multi-line statement is gathered until it parses), until end of input.
    /// </summary>
    public int RunStdin()
    {
        var pending = new StringBuilder();
        string? line;
        while (!host.ShouldExit && (line = Console.In.ReadLine()) is not null)
        {
            pending.AppendLine(line);
            System.Management.Automation.Language.Parser.ParseInput(pending.ToString(), out _, out var errors);
            if (errors.Any(e => e.IncompleteInput)) continue;
            Execute(pending.ToString());
            pending.Clear();
        }
        if (pending.Length > 0 && !host.ShouldExit) Execute(pending.ToString());
        return ExitCode();
    }

    private void Execute(string text)
    {
        using var ps = PowerShell.Create(runspace);
        ps.AddScript(text);
        Invoke(ps);
    }

    private void Invoke(PowerShell ps)
    {
        ps.Streams.Error.DataAdded += (_, e) => WriteError(ps.Streams.Error[e.Index]);
        ps.Streams.Warning.DataAdded += (_, e) => Console.Error.WriteLine($"WARNING: {ps.Streams.Warning[e.Index].Message}");
        var output = new PSDataCollection<PSObject>();
        output.DataAdded += (_, e) => WriteOutput(output[e.Index]);
        try
        {
            ps.Invoke(null, output);
            _lastSucceeded = !ps.HadErrors;
        }
        catch (RuntimeException error)
        {
            WriteError(error.ErrorRecord);
            _lastSucceeded = false;
        }
    }

    private int ExitCode() => host.ShouldExit ? host.ExitCode : (_lastSucceeded ? 0 : 1);

    private static void WriteOutput(PSObject? item)
    {
        if (item is null) return;
        Console.Out.WriteLine(Text.Of(item));
        Console.Out.Flush();
    }

    private static void WriteError(ErrorRecord record)
    {
        Console.Error.WriteLine(record.ToString());
        Console.Error.Flush();
    }
}
