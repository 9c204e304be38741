using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Arrears.Policy.Runtime;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;

namespace Arrears.Policy.Cli.Stores;

/// <summary>
/// The actions of <c>import</c>, <c>evaluate</c>, <c>status</c>, <c>history</c> and <c>outbox</c>: the runtime against a
/// durable store, as a host runs it (docs/spec/store-cli-contract.md).
/// </summary>
internal static class StoreCommands
{
    private static readonly JsonWriterOptions JsonLine = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The least widths of the outbox columns for people (an instant, a kind, a status; the recipient, last, takes what it needs).</summary>
    private static readonly int[] OutboxWidths = [16, 7, 12, 7, 12, 5];

    /// <summary>Outbox messages read per query.</summary>
    internal const int OutboxPage = 1000;

    public static async Task<int> ImportAsync(CliIo io, string store, string path, bool json, CancellationToken cancellationToken)
    {
        if (!StoreLocation.TryParse(store, out var location, out var error))
        {
            await io.Error.WriteLineAsync(error).ConfigureAwait(false);
            return ArrearsCli.InvalidInput;
        }

        // Every line is read and checked before the store is even opened: a bad file creates nothing.
        var input = await Commands.OpenInputAsync(io, path).ConfigureAwait(false);
        if (input is null)
        {
            return ArrearsCli.InvalidInput;
        }

        ImportReader file;
        try
        {
            file = await ImportReader.ReadAsync(input, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            await io.Error.WriteLineAsync($"{Terminal.Printable(path)}: cannot be read: {Terminal.Printable(exception.Message.ReplaceLineEndings(" "))}").ConfigureAwait(false);
            return ArrearsCli.InvalidInput;
        }
        finally
        {
            if (path != "-")
            {
                await input.DisposeAsync().ConfigureAwait(false);
            }
        }

        if (file.Errors.Count > 0)
        {
            foreach (var problem in file.Errors)
            {
                await io.Error.WriteLineAsync(problem).ConfigureAwait(false);
            }

            return ArrearsCli.InvalidInput;
        }

        return await WithStoreAsync(io, location, async opened =>
        {
            ImportResult result;
            try
            {
                result = file.Accounts.Count == 0
                    ? default
                    : await opened.Store.ImportAsync([.. file.Accounts.Select(a => a.Import)], cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException exception)
            {
                // The store refused the import as a whole (an entry id that exists with other content, a currency that
                // cannot change): nothing was applied. Name the line of the account the store names.
                var message = Terminal.Printable(WithoutParameter(exception).ReplaceLineEndings(" "));
                var line = file.Accounts.FirstOrDefault(a => message.Contains($"account {Terminal.Quote(a.Import.Registration.Id)}", StringComparison.Ordinal));
                await io.Error.WriteLineAsync(line is null ? $"import: {message}" : string.Create(CultureInfo.InvariantCulture, $"line {line.Line}: {message}")).ConfigureAwait(false);
                return ArrearsCli.InvalidInput;
            }

            if (json)
            {
                await WriteJsonLineAsync(io, writer =>
                {
                    writer.WriteNumber("accounts", file.Accounts.Count);
                    writer.WriteNumber("entries", result.Entries);
                    writer.WriteNumber("usage", result.Usage);
                    writer.WriteNumber("holds", result.Holds);
                    writer.WriteNumber("created", result.Created);
                    writer.WriteNumber("updated", result.Updated);
                }).ConfigureAwait(false);
            }
            else
            {
                await io.Out.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture,
                    $"imported {file.Accounts.Count} accounts, {result.Entries} entries, {result.Usage} usage records{(result.Holds > 0 ? $", {result.Holds} holds and revocations" : string.Empty)}")).ConfigureAwait(false);
            }

            return ArrearsCli.Success;
        }).ConfigureAwait(false);
    }

    public static async Task<int> EvaluateAsync(CliIo io, string store, string? asOf, bool json, CancellationToken cancellationToken)
    {
        if (!StoreLocation.TryParse(store, out var location, out var error))
        {
            await io.Error.WriteLineAsync(error).ConfigureAwait(false);
            return ArrearsCli.InvalidInput;
        }

        Instant now;
        if (asOf is null)
        {
            now = io.Host.Clock.GetCurrentInstant();
        }
        else if (InstantPattern.ExtendedIso.Parse(asOf) is { Success: true } parsed)
        {
            now = parsed.Value;
        }
        else
        {
            await io.Error.WriteLineAsync($"--as-of: must be an ISO 8601 instant in UTC such as 2026-03-01T00:00:00Z, got {Terminal.Quote(asOf)}").ConfigureAwait(false);
            return ArrearsCli.InvalidInput;
        }

        return await WithStoreAsync(io, location, async opened =>
        {
            var progress = io.Console.ErrorInteractive ? new EvaluationProgress(io) : null;
            var counting = new CountingStore(opened.Store, progress is null ? null : _ => progress.Committed());

            // The tool's runtime evaluates and writes the outbox; it never dispatches (decision 0010), so it has no notifier.
            var runtime = new ArrearsRuntime(counting, PolicyNames.Registry(), new FixedClock(now), [], new NoDispatch(), RecipientsAreAddresses.Instance);
            var watch = Stopwatch.StartNew();
            EvaluationSummary summary;
            try
            {
                summary = progress is null
                    ? await runtime.EvaluateDueAsync(cancellationToken).ConfigureAwait(false)
                    : await progress.RunAsync(() => runtime.EvaluateDueAsync(cancellationToken)).ConfigureAwait(false);
            }
            catch (ArgumentException exception) when (exception.ParamName is "now" or "lease")
            {
                // The store cannot keep the instant (SQLite's and PostgreSQL's due and claim instants end in 2262): nothing was claimed.
                var message = WithoutParameter(exception);
                await io.Error.WriteLineAsync("--as-of: " + Terminal.Printable(message[(message.IndexOf(": ", StringComparison.Ordinal) + 2)..])).ConfigureAwait(false);
                return ArrearsCli.InvalidInput;
            }

            watch.Stop();

            var transitions = counting.Transitions;
            if (json)
            {
                await WriteJsonLineAsync(io, writer =>
                {
                    writer.WriteString("asOf", InstantPattern.ExtendedIso.Format(now));
                    writer.WriteNumber("evaluated", counting.Accounts);
                    writer.WriteStartObject("transitions");
                    foreach (var (reason, count) in transitions)
                    {
                        writer.WriteNumber(reason.ToString(), count);
                    }

                    writer.WriteEndObject();
                    writer.WriteNumber("notifications", counting.Notifications);
                    writer.WriteNumber("conflicts", summary.Conflicts);
                }).ConfigureAwait(false);
            }
            else
            {
                var seconds = watch.Elapsed.TotalSeconds;
                var rate = seconds >= 1 && counting.Accounts >= 100 ? string.Create(CultureInfo.InvariantCulture, $", {counting.Accounts / seconds:0} accounts/s") : string.Empty;
                await io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"evaluated {counting.Accounts} accounts at {InstantPattern.ExtendedIso.Format(now)} in {seconds:0.0} s{rate}")).ConfigureAwait(false);
                await io.Out.WriteLineAsync("transitions: " + string.Join(", ", transitions.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value}")))).ConfigureAwait(false);
                await io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"notifications: {counting.Notifications} written to the outbox (pending: a host's dispatcher delivers them)")).ConfigureAwait(false);
                await io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"conflicts: {summary.Conflicts}")).ConfigureAwait(false);
            }

            if (summary.Failures > 0)
            {
                await io.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"arrears: {summary.Failures} evaluations failed; those accounts stay due and are evaluated again once their claims expire:")).ConfigureAwait(false);
                foreach (var failure in summary.Errors)
                {
                    await io.Error.WriteLineAsync(Terminal.Printable(failure.ReplaceLineEndings(" "))).ConfigureAwait(false);
                }

                return ArrearsCli.InternalError;
            }

            return ArrearsCli.Success;
        }).ConfigureAwait(false);
    }

    public static async Task<int> StatusAsync(CliIo io, string store, string account, bool json, CancellationToken cancellationToken)
    {
        if (!StoreLocation.TryParse(store, out var location, out var error))
        {
            await io.Error.WriteLineAsync(error).ConfigureAwait(false);
            return ArrearsCli.InvalidInput;
        }

        return await WithStoreAsync(io, location, async opened =>
        {
            var stored = await opened.Store.FindAccountAsync(account, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                await io.Error.WriteLineAsync($"{Terminal.Quote(account)}: no such account in {opened.Location}").ConfigureAwait(false);
                return ArrearsCli.InvalidInput;
            }

            var state = stored.State;
            var currency = stored.Registration.Currency;
            var lifecycles = state.Lifecycles;
            // With several products, the furthest any product went (as simulate's final.state); each product's is listed.
            var status = lifecycles.Count > 0 ? lifecycles.Max(l => l.Status) : state.LifecycleOf(null).Status;
            var products = lifecycles.Where(l => l.Product is not null).ToList();
            string? balance = state.LastEvaluatedAt is { } last ? currency.Format(stored.Ledger.BalanceAt(last)) : null;
            if (json)
            {
                await WriteJsonLineAsync(io, writer =>
                {
                    writer.WriteString("account", stored.Registration.Id);
                    writer.WriteString("state", status.ToString());
                    WriteNullable(writer, "balance", balance);
                    WriteNullable(writer, "nextReviewAt", Format(stored.NextReviewAt));
                    WriteNullable(writer, "lastEvaluatedAt", Format(state.LastEvaluatedAt));
                    if (products.Count > 0)
                    {
                        writer.WriteStartArray("products");
                        foreach (var product in products)
                        {
                            writer.WriteStartObject();
                            writer.WriteString("product", product.Product);
                            writer.WriteString("state", product.Status.ToString());
                            writer.WriteEndObject();
                        }

                        writer.WriteEndArray();
                    }
                }).ConfigureAwait(false);
            }
            else
            {
                var lines = new List<(string Name, string Value)>
                {
                    ("account", Terminal.Printable(stored.Registration.Id)),
                    ("state", status.ToString()),
                };
                lines.AddRange(products.Select(p => ("  " + Terminal.Printable(p.Product!), p.Status.ToString())));
                lines.Add(("balance", balance is null ? "not evaluated yet" : $"{balance} {currency.Code}"));
                lines.Add(("next review", Format(stored.NextReviewAt) ?? "none"));
                lines.Add(("last evaluated", Format(state.LastEvaluatedAt) ?? "never"));
                lines.Add(("policy", Terminal.Printable(stored.Registration.Policy)));
                var width = lines.Max(l => l.Name.Length) + 2;
                foreach (var (name, value) in lines)
                {
                    await io.Out.WriteLineAsync(name.PadRight(width) + value).ConfigureAwait(false);
                }
            }

            return ArrearsCli.Success;
        }).ConfigureAwait(false);
    }

    public static async Task<int> HistoryAsync(CliIo io, string store, string account, bool json, CancellationToken cancellationToken)
    {
        if (!StoreLocation.TryParse(store, out var location, out var error))
        {
            await io.Error.WriteLineAsync(error).ConfigureAwait(false);
            return ArrearsCli.InvalidInput;
        }

        return await WithStoreAsync(io, location, async opened =>
        {
            if (await opened.Store.FindAccountAsync(account, cancellationToken).ConfigureAwait(false) is null)
            {
                await io.Error.WriteLineAsync($"{Terminal.Quote(account)}: no such account in {opened.Location}").ConfigureAwait(false);
                return ArrearsCli.InvalidInput;
            }

            var history = await opened.Store.HistoryAsync(account, cancellationToken).ConfigureAwait(false);
            var holds = await opened.Store.HoldsAsync(account, cancellationToken).ConfigureAwait(false);
            var events = HistoryEvents(history, holds);
            if (json)
            {
                foreach (var (record, hold) in events)
                {
                    await WriteJsonLineAsync(io, writer =>
                    {
                        if (record is not null)
                        {
                            WriteTransition(writer, record);
                        }
                        else
                        {
                            WriteHoldFact(writer, hold!);
                        }
                    }).ConfigureAwait(false);
                }
            }
            else if (events.Count == 0)
            {
                await io.Out.WriteLineAsync($"{Terminal.Printable(account)}: no transitions yet").ConfigureAwait(false);
            }
            else
            {
                // Plain columns, not a table that wraps: one line per transition, hold granted or revocation.
                var granted = holds.Where(r => r.Hold is not null).ToDictionary(r => r.Hold!.Id, r => r.Hold!, StringComparer.Ordinal);
                var products = history.Any(r => r.Product is not null) || granted.Values.Any(h => h.Product is not null);
                var rows = new List<string[]>
                {
                    products
                        ? ["At (UTC)", "Product", "From", "To", "Reason", "Decided (UTC)"]
                        : ["At (UTC)", "From", "To", "Reason", "Decided (UTC)"],
                };
                foreach (var (record, fact) in events)
                {
                    var cells = new List<string>();
                    if (record is not null)
                    {
                        cells.Add(FormatInstant(record.At));
                        if (products)
                        {
                            cells.Add(Terminal.Printable(record.Product ?? "-"));
                        }

                        cells.Add(record.From.ToString());
                        cells.Add(record.To.ToString());
                        cells.Add(record.Reason + (record.IsLate ? " (late)" : string.Empty) +
                                  (record.DeferredFrom is { } deferred
                                      ? $" (deferred from {FormatInstant(deferred)}{(record.HeldBy.Count > 0 ? " by " + Terminal.Printable(string.Join(", ", record.HeldBy)) : string.Empty)})"
                                      : string.Empty));
                        cells.Add(FormatInstant(record.EvaluatedAt));
                    }
                    else if (fact!.Hold is { } hold)
                    {
                        cells.Add(FormatInstant(fact.RecordedAt));
                        if (products)
                        {
                            cells.Add(Terminal.Printable(hold.Product ?? "-"));
                        }

                        cells.Add("hold " + Terminal.Printable(hold.Id));
                        cells.Add("granted");
                        cells.Add(string.Create(
                            CultureInfo.InvariantCulture,
                            $"{hold.Kind} hold from {FormatInstant(hold.From)} {(hold.Until is { } until ? "until " + FormatInstant(until) : "open-ended")}, by {Terminal.Printable(hold.GrantedBy)}: {Terminal.Printable(hold.Reason)}"));
                        cells.Add(FormatInstant(fact.RecordedAt));
                    }
                    else
                    {
                        var revocation = fact.Revocation!;
                        cells.Add(FormatInstant(fact.RecordedAt));
                        if (products)
                        {
                            cells.Add(Terminal.Printable(granted.GetValueOrDefault(revocation.Revokes)?.Product ?? "-"));
                        }

                        cells.Add("hold " + Terminal.Printable(revocation.Revokes));
                        cells.Add("revoked");
                        cells.Add($"{Terminal.Printable(revocation.Id)} ends it at {FormatInstant(revocation.At)}, by {Terminal.Printable(revocation.RevokedBy)}: {Terminal.Printable(revocation.Reason)}");
                        cells.Add(FormatInstant(fact.RecordedAt));
                    }

                    rows.Add([.. cells]);
                }

                var widths = Enumerable.Range(0, rows[0].Length - 1).Select(i => rows.Max(r => r[i].Length)).ToArray();
                foreach (var row in rows)
                {
                    await io.Out.WriteLineAsync(Columns(widths, row)).ConfigureAwait(false);
                }
            }

            return ArrearsCli.Success;
        }).ConfigureAwait(false);
    }

    public static async Task<int> OutboxAsync(CliIo io, string store, string? account, bool json, CancellationToken cancellationToken)
    {
        if (!StoreLocation.TryParse(store, out var location, out var error))
        {
            await io.Error.WriteLineAsync(error).ConfigureAwait(false);
            return ArrearsCli.InvalidInput;
        }

        return await WithStoreAsync(io, location, async opened =>
        {
            if (account is not null && await opened.Store.FindAccountAsync(account, cancellationToken).ConfigureAwait(false) is null)
            {
                await io.Error.WriteLineAsync($"--account: no account {Terminal.Quote(account)} in {opened.Location}").ConfigureAwait(false);
                return ArrearsCli.InvalidInput;
            }

            var widths = OutboxWidths.ToArray();
            var after = 0L;
            var count = 0;
            while (true)
            {
                var page = await opened.Store.QueryOutboxAsync(new OutboxQuery(account: account, after: after, max: OutboxPage), cancellationToken).ConfigureAwait(false);
                if (!json && after == 0)
                {
                    // The columns are as wide as the first page needs; a longer value on a later page pushes its line only.
                    widths[1] = Math.Max(widths[1], page.Select(m => Terminal.Printable(m.Account).Length).DefaultIfEmpty().Max());
                    widths[3] = Math.Max(widths[3], page.Select(m => Terminal.Printable(m.Channel ?? string.Empty).Length).DefaultIfEmpty().Max());
                    await io.Out.WriteLineAsync(Columns(widths, "At (UTC)", "Account", "Kind", "Channel", "Status", "Tries", "Recipient")).ConfigureAwait(false);
                }

                foreach (var message in page)
                {
                    after = Math.Max(after, message.Sequence);
                    if (message.Kind != OutboxKind.Notification)
                    {
                        continue;
                    }

                    count++;
                    if (json)
                    {
                        await WriteJsonLineAsync(io, writer =>
                        {
                            writer.WriteString("account", message.Account);
                            writer.WriteString("at", Format(message.At));
                            writer.WriteString("kind", message.Notification.ToString());
                            writer.WriteString("recipient", message.Recipient);
                            writer.WriteString("channel", message.Channel);
                            writer.WriteString("key", message.Key);
                            writer.WriteString("status", message.Status.ToString());
                            writer.WriteNumber("attempts", message.Attempts);
                        }).ConfigureAwait(false);
                    }
                    else
                    {
                        await io.Out.WriteLineAsync(Columns(
                            widths,
                            FormatInstant(message.At),
                            Terminal.Printable(message.Account),
                            message.Notification.ToString(),
                            Terminal.Printable(message.Channel ?? string.Empty),
                            message.Status.ToString(),
                            message.Attempts.ToString(CultureInfo.InvariantCulture),
                            Terminal.Printable(message.Recipient ?? string.Empty))).ConfigureAwait(false);
                    }
                }

                if (page.Count < OutboxPage)
                {
                    break;
                }
            }

            if (!json)
            {
                await io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{count} notifications")).ConfigureAwait(false);
            }

            return ArrearsCli.Success;
        }).ConfigureAwait(false);
    }

    /// <summary>Opens the store, runs <paramref name="action"/> and closes it; a store that cannot be used (unreachable, newer schema, corrupted) is exit 2 with one line saying so.</summary>
    private static async Task<int> WithStoreAsync(CliIo io, StoreLocation location, Func<OpenedStore, Task<int>> action)
    {
        try
        {
            var opened = await io.Host.OpenAsync(location, CancellationToken.None).ConfigureAwait(false);
            await using (opened.ConfigureAwait(false))
            {
                return await action(opened).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (StoreErrors.Describe(exception, location) is { } message)
        {
            await io.Error.WriteLineAsync(message).ConfigureAwait(false);
            return ArrearsCli.InvalidInput;
        }
    }

    /// <summary>An argument exception's message without the " (Parameter 'accounts')" .NET appends to it.</summary>
    private static string WithoutParameter(ArgumentException exception) =>
        exception.ParamName is { } name ? exception.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : exception.Message;

    /// <summary>
    /// The audit trail in one order: the transitions as decided, with each hold granted and each revocation (at the instant
    /// it was recorded) before the first transition after it; at one instant a hold fact comes first (it was known to the
    /// evaluation that decided the transition).
    /// </summary>
    private static List<(TransitionRecord? Transition, HoldRecord? Hold)> HistoryEvents(IReadOnlyList<TransitionRecord> transitions, IReadOnlyList<HoldRecord> holds)
    {
        var facts = holds.OrderBy(h => h.RecordedAt).ToList();
        var events = new List<(TransitionRecord?, HoldRecord?)>(transitions.Count + facts.Count);
        var next = 0;
        foreach (var transition in transitions)
        {
            while (next < facts.Count && facts[next].RecordedAt <= transition.At)
            {
                events.Add((null, facts[next++]));
            }

            events.Add((transition, null));
        }

        while (next < facts.Count)
        {
            events.Add((null, facts[next++]));
        }

        return events;
    }

    /// <summary>Writes a transition as <c>history --json</c> does (the contract's fields; <c>deferredFrom</c> and <c>heldBy</c> when holds deferred it).</summary>
    private static void WriteTransition(Utf8JsonWriter writer, TransitionRecord record)
    {
        writer.WriteString("at", Format(record.At));
        writer.WriteString("from", record.From.ToString());
        writer.WriteString("to", record.To.ToString());
        writer.WriteString("reason", record.Reason.ToString());
        WriteNullable(writer, "product", record.Product);
        writer.WriteBoolean("late", record.IsLate);
        if (record.DeferredFrom is { } deferred)
        {
            writer.WriteString("deferredFrom", Format(deferred));
            writer.WriteStartArray("heldBy");
            foreach (var id in record.HeldBy)
            {
                writer.WriteStringValue(id);
            }

            writer.WriteEndArray();
        }

        writer.WriteString("evaluatedAt", Format(record.EvaluatedAt));
    }

    /// <summary>
    /// Writes a hold granted (<c>"event":"holdGranted"</c>) or a revocation (<c>"event":"holdRevoked"</c>), <c>at</c> the
    /// instant it was recorded; transition lines have no <c>event</c>.
    /// </summary>
    private static void WriteHoldFact(Utf8JsonWriter writer, HoldRecord fact)
    {
        if (fact.Hold is { } hold)
        {
            writer.WriteString("event", "holdGranted");
            writer.WriteString("at", Format(fact.RecordedAt));
            writer.WriteString("hold", hold.Id);
            writer.WriteString("kind", hold.Kind.ToString().ToLowerInvariant());
            writer.WriteString("from", Format(hold.From));
            if (hold.Until is { } until)
            {
                writer.WriteString("until", Format(until));
            }
            else
            {
                writer.WriteNull("until");
            }

            WriteNullable(writer, "product", hold.Product);
            writer.WriteString("by", hold.GrantedBy);
            writer.WriteString("reason", hold.Reason);
            return;
        }

        var revocation = fact.Revocation!;
        writer.WriteString("event", "holdRevoked");
        writer.WriteString("at", Format(fact.RecordedAt));
        writer.WriteString("revocation", revocation.Id);
        writer.WriteString("hold", revocation.Revokes);
        writer.WriteString("endsAt", Format(revocation.At));
        writer.WriteString("by", revocation.RevokedBy);
        writer.WriteString("reason", revocation.Reason);
    }

    private static string Columns(int[] widths, params string[] cells)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            line.Append(i < widths.Length ? cells[i].PadRight(widths[i]) + "  " : cells[i]);
        }

        return line.ToString().TrimEnd();
    }

    private static string? Format(Instant? instant) => instant is { } value ? InstantPattern.ExtendedIso.Format(value) : null;

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static async Task WriteJsonLineAsync(CliIo io, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonLine))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        await io.Out.WriteLineAsync(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length)).ConfigureAwait(false);
    }

    /// <summary>The progress of an <c>evaluate</c> on a terminal: on standard error, so that standard output stays the summary.</summary>
    private sealed class EvaluationProgress(CliIo io)
    {
        private int _committed;

        public void Committed() => Interlocked.Increment(ref _committed);

        public async Task<EvaluationSummary> RunAsync(Func<Task<EvaluationSummary>> evaluate)
        {
            EvaluationSummary? summary = null;
            await io.Console.Create(io.Error, io.Console.ErrorInteractive).Progress()
                .AutoClear(true)
                .Columns(new SpinnerColumn(), new TaskDescriptionColumn(), new ElapsedTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask("evaluating").IsIndeterminate();
                    var run = evaluate();
                    while (await Task.WhenAny(run, Task.Delay(100)).ConfigureAwait(false) != run)
                    {
                        task.Description = string.Create(CultureInfo.InvariantCulture, $"evaluating: {Volatile.Read(ref _committed)} accounts saved");
                    }

                    summary = await run.ConfigureAwait(false);
                    task.StopTask();
                }).ConfigureAwait(false);
            return summary!;
        }
    }

    private static readonly NodaTime.Text.InstantPattern Minutes = NodaTime.Text.InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd HH':'mm");
    private static readonly NodaTime.Text.InstantPattern Seconds = NodaTime.Text.InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd HH':'mm':'ss;FFFFFFFFF");

    /// <summary>An instant for people, in UTC: to the minute, or to the second and its fraction when it has them.</summary>
    private static string FormatInstant(Instant instant) =>
        instant.InUtc().Second == 0 && instant.InUtc().NanosecondOfSecond == 0 ? Minutes.Format(instant) : Seconds.Format(instant);
}
