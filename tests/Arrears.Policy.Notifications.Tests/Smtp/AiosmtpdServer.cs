using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MimeKit;

namespace Arrears.Policy.Notifications.Tests.Smtp;

/// <summary>
/// A real SMTP server on loopback for the tests of a class: Python's aiosmtpd with <c>recording_handler.py</c>, which
/// saves every accepted message to a folder and rejects the recipients <c>rejected@…</c> (550) and <c>busy@…</c> (451).
/// </summary>
/// <remarks>
/// Started on a free port when the class's first test needs it and stopped (the process this fixture started, nothing
/// else) when the class is done. Where no Python has aiosmtpd, <see cref="SmtpServerFactAttribute"/> skips the tests
/// on a workstation and lets them run, and fail through <see cref="Require"/>, when <c>CI=true</c>.
/// </remarks>
public sealed class AiosmtpdServer : IDisposable
{
    /// <summary>The Pythons tried, in order: ARREARS_TEST_PYTHON when set (a virtual environment's, say), else Debian's, then the one on PATH.</summary>
    private static readonly string[] PythonCandidates =
        Environment.GetEnvironmentVariable("ARREARS_TEST_PYTHON") is { Length: > 0 } python ? [python] : ["/usr/bin/python3", "python3"];

    private static readonly Lazy<(string? Python, string Problem)> Probe = new(FindPython);

    private readonly object _gate = new();
    private Process? _process;
    private string? _startFailure;

    /// <summary>Gets why aiosmtpd cannot run here, or <see langword="null"/> when a Python with aiosmtpd was found.</summary>
    public static string? Unavailable => Probe.Value.Python is null ? Probe.Value.Problem : null;

    /// <summary>Gets the folder the server saves messages to.</summary>
    public string Folder { get; } = Directory.CreateTempSubdirectory("arrears-smtp-").FullName;

    /// <summary>Gets the port the server listens on (after <see cref="Require"/>).</summary>
    public int Port { get; private set; }

    /// <summary>
    /// Returns why a test that needs the server is skipped: never when the server is available, never in CI (<c>CI=true</c>),
    /// where a missing server must fail the test, and otherwise the reason it is unavailable.
    /// </summary>
    public static string? SkipReason(string? unavailable, string? ci) =>
        unavailable is null || string.Equals(ci, "true", StringComparison.OrdinalIgnoreCase)
            ? null
            : $"{unavailable} (with CI=true this test fails instead of skipping)";

    /// <summary>Starts the server if it is not running, or fails the test with the reason it cannot run.</summary>
    public AiosmtpdServer Require()
    {
        lock (_gate)
        {
            if (Unavailable is { } problem)
            {
                throw new InvalidOperationException($"The SMTP tests need aiosmtpd: {problem}");
            }

            if (_startFailure is not null)
            {
                throw new InvalidOperationException(_startFailure);
            }

            if (_process is null)
            {
                try
                {
                    Start(Probe.Value.Python!);
                }
                catch (InvalidOperationException exception)
                {
                    _startFailure = exception.Message;
                    throw;
                }
            }

            return this;
        }
    }

    /// <summary>Returns the messages received so far with a given Message-Id, oldest first, each with its envelope recipients.</summary>
    public IReadOnlyList<(MimeMessage Message, IReadOnlyList<string> Recipients)> Received(string messageId) =>
        [.. All().Where(m => string.Equals(m.Message.MessageId, messageId, StringComparison.Ordinal))];

    /// <summary>Returns every message received so far, oldest first.</summary>
    public IReadOnlyList<(MimeMessage Message, IReadOnlyList<string> Recipients)> All()
    {
        var messages = new List<(MimeMessage, IReadOnlyList<string>)>();
        foreach (var path in Directory.EnumerateFiles(Folder, "*.eml").Order(StringComparer.Ordinal))
        {
            using var envelope = JsonDocument.Parse(File.ReadAllBytes(Path.ChangeExtension(path, ".json")));
            var recipients = envelope.RootElement.GetProperty("rcpt_tos").EnumerateArray().Select(e => e.GetString()!).ToList();
            messages.Add((MimeMessage.Load(path), recipients));
        }

        return messages;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_process is { } process)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5000);
                }

                process.Dispose();
                _process = null;
            }
        }

        Directory.Delete(Folder, recursive: true);
    }

    /// <summary>Returns a loopback port that nothing listens on right now.</summary>
    internal static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static (string? Python, string Problem) FindPython()
    {
        var problems = new List<string>();
        foreach (var python in PythonCandidates)
        {
            try
            {
                using var probe = Process.Start(new ProcessStartInfo(python, ["-c", "import aiosmtpd"])
                {
                    RedirectStandardError = true,
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                })!;
                var error = probe.StandardError.ReadToEndAsync();
                if (!probe.WaitForExit(30_000))
                {
                    probe.Kill();
                    problems.Add($"{python}: 'import aiosmtpd' did not finish");
                    continue;
                }

                if (probe.ExitCode == 0)
                {
                    return (python, string.Empty);
                }

                problems.Add($"{python}: {error.Result.Trim().Split('\n')[^1]}");
            }
            catch (Win32Exception)
            {
                problems.Add($"{python}: not found");
            }
        }

        return (null, $"no Python with aiosmtpd ({string.Join("; ", problems)}); install it with 'apt-get install python3-aiosmtpd' or 'pip install aiosmtpd'");
    }

    private void Start(string python)
    {
        var failures = new List<string>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = FreePort();
            var start = new ProcessStartInfo(
                python,
                ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "recording_handler.RecordingHandler", Folder])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            start.Environment["PYTHONPATH"] = AppContext.BaseDirectory;
            start.Environment["PYTHONUNBUFFERED"] = "1";
            var process = Process.Start(start)!;
            var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            if (WaitUntilListening(process, port))
            {
                _process = process;
                Port = port;
                return;
            }

            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit(5000);
            failures.Add($"port {port}: {string.Join(" | ", output.TakeLast(5))}");
            process.Dispose();
        }

        throw new InvalidOperationException($"aiosmtpd did not start: {string.Join("; ", failures)}");
    }

    /// <summary>Waits up to 20 seconds for the server to accept connections; false when it exits or never listens.</summary>
    private static bool WaitUntilListening(Process process, int port)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (process.HasExited)
            {
                return false;
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        return false;
    }
}

/// <summary>
/// A test that needs <see cref="AiosmtpdServer"/>: skipped with the reason where aiosmtpd is missing, unless <c>CI=true</c>,
/// where it runs and fails.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SmtpServerFactAttribute : FactAttribute
{
    public SmtpServerFactAttribute()
    {
        Skip = AiosmtpdServer.SkipReason(AiosmtpdServer.Unavailable, Environment.GetEnvironmentVariable("CI"));
    }
}
