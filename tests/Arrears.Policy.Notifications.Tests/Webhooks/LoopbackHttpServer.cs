using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Arrears.Policy.Notifications.Tests.Webhooks;

/// <summary>One request as the server read it off the wire.</summary>
internal sealed record ReceivedRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>How the server answers a request: a status line, silence, or a dropped connection.</summary>
internal abstract record Answer
{
    public static Answer Status(int code, string reason) => new StatusAnswer(code, reason);

    public static Answer Redirect(int code, string location) => new StatusAnswer(code, "Moved", location);

    public static Answer Silence { get; } = new SilentAnswer();

    public static Answer Drop { get; } = new DroppedAnswer();

    public sealed record StatusAnswer(int Code, string Reason, string? Location = null) : Answer;

    public sealed record SilentAnswer : Answer;

    public sealed record DroppedAnswer : Answer;
}

/// <summary>
/// A minimal HTTP/1.1 server on a loopback port chosen by the system: reads each request (headers and a Content-Length
/// body), records it, and answers as told, one request per connection.
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<ReceivedRequest, Answer> _answer;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly ConcurrentBag<TcpClient> _silent = [];
    private readonly Task _loop;

    public LoopbackHttpServer(Func<ReceivedRequest, Answer> answer)
    {
        _answer = answer;
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hooks/arrears");

    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var client in _silent)
        {
            client.Dispose();
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var keepOpen = false;
        try
        {
            var stream = client.GetStream();
            var request = await ReadRequestAsync(stream);
            if (request is null)
            {
                return;
            }

            _requests.Enqueue(request);
            switch (_answer(request))
            {
                case Answer.StatusAnswer status:
                    var location = status.Location is null ? string.Empty : $"Location: {status.Location}\r\n";
                    var head = $"HTTP/1.1 {status.Code} {status.Reason}\r\n{location}Content-Length: 0\r\nConnection: close\r\n\r\n";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                    break;
                case Answer.SilentAnswer:
                    keepOpen = true; // held until the server is disposed
                    _silent.Add(client);
                    break;
                case Answer.DroppedAnswer:
                    client.Client.LingerState = new LingerOption(true, 0); // reset, not a clean close
                    break;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            if (!keepOpen)
            {
                client.Dispose();
            }
        }
    }

    private async Task<ReceivedRequest?> ReadRequestAsync(NetworkStream stream)
    {
        var buffer = new List<byte>(1024);
        var one = new byte[1];
        while (buffer.Count < 4 || !(buffer[^4] == '\r' && buffer[^3] == '\n' && buffer[^2] == '\r' && buffer[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0)
            {
                return null;
            }

            buffer.Add(one[0]);
        }

        var lines = Encoding.Latin1.GetString([.. buffer]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var requestLine = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var body = new byte[headers.TryGetValue("Content-Length", out var length) ? int.Parse(length, System.Globalization.CultureInfo.InvariantCulture) : 0];
        await stream.ReadExactlyAsync(body, _stop.Token);
        return new ReceivedRequest(requestLine[0], requestLine[1], headers, body);
    }
}
