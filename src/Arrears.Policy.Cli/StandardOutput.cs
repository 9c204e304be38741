using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Arrears.Policy.Cli;

/// <summary>
/// Standard output as the tool writes it: a failed write (a full disk, a pipe whose reader has gone) is an
/// <see cref="OutputException"/>, which the tool reports as <see cref="ArrearsCli.OutputError"/>, not as an internal error.
/// </summary>
internal static class StandardOutput
{
    /// <summary>
    /// Opens the process's standard output. On Unix, when it is a pipe or a socket, it is written with plain
    /// <c>write(2)</c> through a <see cref="FileStream"/>, so that a closed pipe is an <see cref="IOException"/> (the
    /// console stream of .NET ignores <c>EPIPE</c>); a terminal or a file keeps the console stream, which reports other
    /// errors such as a full disk and moves the file offset that the shell shares (<c>{ arrears ...; echo; } &gt; out</c>).
    /// </summary>
    public static TextWriter Open()
    {
        if (!OperatingSystem.IsWindows() && Console.IsOutputRedirected)
        {
            var file = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            if (!file.CanSeek)
            {
                return new StreamWriter(file, Utf8, bufferSize: 4096) { AutoFlush = true };
            }

            file.Dispose();
        }

        return Console.Out;
    }

    private static UTF8Encoding Utf8 { get; } = new(encoderShouldEmitUTF8Identifier: false);
}

/// <summary>A write to standard output failed: the tool stops with <see cref="ArrearsCli.OutputError"/>.</summary>
internal sealed class OutputException(IOException inner) : IOException(inner.Message, inner);

/// <summary>
/// Passes every write on to standard output and turns its <see cref="IOException"/> into an <see cref="OutputException"/>,
/// so that a failed write is told apart from an input that cannot be read (exit 2) and from a bug (exit 1).
/// </summary>
internal sealed class OutputWriter(TextWriter inner) : TextWriter
{
    public override Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    public override void Write(char value) => Guard(() => inner.Write(value));

    public override void Write(string? value) => Guard(() => inner.Write(value));

    public override void Write(char[] buffer, int index, int count) => Guard(() => inner.Write(buffer, index, count));

    public override void Write(ReadOnlySpan<char> buffer)
    {
        try
        {
            inner.Write(buffer);
        }
        catch (IOException exception) when (exception is not OutputException)
        {
            throw new OutputException(exception);
        }
    }

    public override void WriteLine() => Guard(inner.WriteLine);

    public override void WriteLine(string? value) => Guard(() => inner.WriteLine(value));

    public override void Flush() => Guard(inner.Flush);

    public override Task WriteAsync(char value) => GuardAsync(() => inner.WriteAsync(value));

    public override Task WriteAsync(string? value) => GuardAsync(() => inner.WriteAsync(value));

    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default) =>
        GuardAsync(() => inner.WriteAsync(buffer, cancellationToken));

    public override Task WriteLineAsync() => GuardAsync(inner.WriteLineAsync);

    public override Task WriteLineAsync(string? value) => GuardAsync(() => inner.WriteLineAsync(value));

    public override Task WriteLineAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default) =>
        GuardAsync(() => inner.WriteLineAsync(buffer, cancellationToken));

    public override Task FlushAsync() => GuardAsync(inner.FlushAsync);

    public override Task FlushAsync(CancellationToken cancellationToken) => GuardAsync(() => inner.FlushAsync(cancellationToken));

    private static void Guard(Action write)
    {
        try
        {
            write();
        }
        catch (IOException exception) when (exception is not OutputException)
        {
            throw new OutputException(exception);
        }
    }

    private static async Task GuardAsync(Func<Task> write)
    {
        try
        {
            await write().ConfigureAwait(false);
        }
        catch (IOException exception) when (exception is not OutputException)
        {
            throw new OutputException(exception);
        }
    }
}
