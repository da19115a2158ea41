using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace Stillpoint.PwshHost;

/// <summary>The console host: where `exit N`, $Host.UI and progress go.</summary>
internal sealed class ConsoleHost : PSHost
{
    private readonly HostUI _ui = new();
    public bool ShouldExit { get; private set; }
    public int ExitCode { get; private set; }

    public override string Name => "Stillpoint.PwshHost";
    public override Version Version => typeof(PowerShell).Assembly.GetName().Version ?? new Version(7, 0);
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override PSHostUserInterface UI => _ui;
    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
    public override void SetShouldExit(int exitCode)
    {
        ShouldExit = true;
        ExitCode = exitCode;
    }
    public override void EnterNestedPrompt() => throw new NotSupportedException("nested prompts need an interactive console");
    public override void ExitNestedPrompt() => throw new NotSupportedException("nested prompts need an interactive console");
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
}

internal sealed class HostUI : PSHostUserInterface
{
    public override PSHostRawUserInterface RawUI { get; } = new RawUI();
    public override void Write(string value) => Console.Out.Write(value);
    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Console.Out.Write(value);
    public override void WriteLine(string value) => Console.Out.WriteLine(value);
    public override void WriteErrorLine(string value) => Console.Error.WriteLine(value);
    public override void WriteDebugLine(string message) => Console.Error.WriteLine($"DEBUG: {message}");
    public override void WriteVerboseLine(string message) => Console.Error.WriteLine($"VERBOSE: {message}");
    public override void WriteWarningLine(string message) => Console.Error.WriteLine($"WARNING: {message}");
    // A non-interactive console shows no progress bars, as pwsh does with redirected output.
    public override void WriteProgress(long sourceId, ProgressRecord record) { }
    public override string ReadLine() => Console.In.ReadLine() ?? "";
    public override SecureString ReadLineAsSecureString() => throw new NotSupportedException("no interactive input");
    public override Dictionary<string, PSObject> Prompt(string caption, string message, System.Collections.ObjectModel.Collection<FieldDescription> descriptions) =>
        throw new PSInvalidOperationException($"{message}: this host is non-interactive");
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
        throw new PSInvalidOperationException("this host is non-interactive");
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
        throw new PSInvalidOperationException("this host is non-interactive");
    public override int PromptForChoice(string caption, string message, System.Collections.ObjectModel.Collection<ChoiceDescription> choices, int defaultChoice) =>
        throw new PSInvalidOperationException($"{message}: this host is non-interactive (use -Confirm:$false)");
}

internal sealed class RawUI : PSHostRawUserInterface
{
    public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
    public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
    public override Size BufferSize { get; set; } = new(120, 50);
    public override Coordinates CursorPosition { get; set; }
    public override int CursorSize { get; set; }
    public override bool KeyAvailable => false;
    public override Size MaxPhysicalWindowSize => new(120, 50);
    public override Size MaxWindowSize => new(120, 50);
    public override Coordinates WindowPosition { get; set; }
    public override Size WindowSize { get; set; } = new(120, 50);
    public override string WindowTitle { get; set; } = "pwsh";
    public override void FlushInputBuffer() { }
    public override BufferCell[,] GetBufferContents(Rectangle rectangle) => new BufferCell[0, 0];
    public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException("no interactive input");
    public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
    public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
    public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
}

/// <summary>
/// Output objects as text: scalars as themselves, other objects as "Name : Value" lines (the
/// shape of Format-List). Scripts that need a precise text form should produce strings.
/// </summary>
internal static class Text
{
    public static string Of(PSObject item)
    {
        var baseObject = item.BaseObject;
        if (baseObject is string or ValueType || item.Properties.All(p => p.MemberType == PSMemberTypes.Property && baseObject is not PSCustomObject && IsScalarType(baseObject)))
        {
            return baseObject?.ToString() ?? "";
        }
        var properties = item.Properties.Where(p => p.IsGettable).ToList();
        if (properties.Count == 0) return item.ToString();
        var width = properties.Max(p => p.Name.Length);
        return string.Join(Environment.NewLine, properties.Select(p => $"{p.Name.PadRight(width)} : {SafeValue(p)}")) + Environment.NewLine;
    }

    private static bool IsScalarType(object? value) => value is null || value.GetType().IsPrimitive || value is decimal or DateTime or Guid or Uri;

    private static string SafeValue(PSPropertyInfo property)
    {
        try { return property.Value?.ToString() ?? ""; }
        catch (Exception e) { return $"<{e.GetType().Name}>"; }
    }
}
