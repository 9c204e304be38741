using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Reflection;
using Arrears.Policy.Cli.Demo;
using Arrears.Policy.Cli.Stores;
using Spectre.Console;

namespace Arrears.Policy.Cli;

/// <summary>The <c>arrears</c> command line: simulate, explain, validate, diagram, policies, demo, and the store commands import, evaluate, status, history and outbox.</summary>
/// <remarks>
/// Exit codes: 0 success; 2 invalid input or usage (one line per problem on standard error, nothing on standard output);
/// 1 an internal error (no stack trace unless <c>--verbose</c>); 74 standard output cannot be written (a full disk, a
/// closed pipe), as <c>EX_IOERR</c> of sysexits.h.
/// </remarks>
internal static class ArrearsCli
{
    public const int Success = 0;
    public const int InternalError = 1;
    public const int InvalidInput = 2;
    public const int OutputError = 74;

    /// <summary>The exit codes, shown at the end of every command's help.</summary>
    public static readonly string[] ExitCodes =
    [
        "Exit codes:",
        "  0   success",
        "  1   internal error (a bug; --verbose shows the stack trace)",
        "  2   invalid input or usage (one line per problem on standard error)",
        "  74  standard output cannot be written (a full disk, a closed pipe)",
    ];

    /// <summary>Runs the tool in process: parses <paramref name="args"/>, runs the command and returns the exit code.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <param name="stdin">Standard input as raw bytes (scenarios are UTF-8; nothing is decoded before the JSON reader sees it).</param>
    /// <param name="console">Whether a person is watching, and the width.</param>
    /// <param name="host">The clock and the stores.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Stream stdin, CliConsole console, CliHost host, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(host);
        stdout = new OutputWriter(stdout);
        var io = new CliIo(stdout, stderr, stdin, console, host);
        var root = BuildCommand(io);
        var parseResult = root.Parse(args);
        var (problems, hint) = UsageProblems(root, io, parseResult);
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                await stderr.WriteLineAsync(problem).ConfigureAwait(false);
            }

            if (hint)
            {
                var command = parseResult.CommandResult.Command;
                await stderr.WriteLineAsync($"Run 'arrears{(command is RootCommand ? string.Empty : " " + command.Name)} --help' for usage.").ConfigureAwait(false);
            }

            return InvalidInput;
        }

        var configuration = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            var exit = await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
            await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
            return exit;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("arrears: cancelled").ConfigureAwait(false);
            return InternalError;
        }
        catch (OutputException exception)
        {
            // What was written before the failure stays written; the reader of a closed pipe wanted no more of it.
            await stderr.WriteLineAsync($"arrears: cannot write to standard output: {Terminal.Printable(exception.Message.ReplaceLineEndings(" "))}").ConfigureAwait(false);
            return OutputError;
        }
#pragma warning disable CA1031 // The tool's last line of defence: any failure becomes exit code 1 with a one-line message.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            var verbose = parseResult.GetValue(io.Verbose);
            await stderr.WriteLineAsync($"arrears: internal error: {exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")}").ConfigureAwait(false);
            if (verbose)
            {
                await stderr.WriteLineAsync(exception.ToString()).ConfigureAwait(false);
            }
            else
            {
                await stderr.WriteLineAsync("Run again with --verbose for the stack trace.").ConfigureAwait(false);
            }

            return InternalError;
        }
    }

    /// <summary>
    /// Lists the usage problems of a command line, one line each: options nobody defined (<c>--bogus: unknown option</c>,
    /// also where the parser would take them for a file name), stray arguments, a bad <c>--format</c>; and the parser's own
    /// errors (a missing command or argument), which are followed by a hint to run <c>--help</c>.
    /// </summary>
    private static (List<string> Problems, bool Hint) UsageProblems(RootCommand root, CliIo io, ParseResult parseResult)
    {
        var problems = new List<string>();
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var afterDoubleDash = false;
        Token? previous = null;
        foreach (var token in parseResult.Tokens)
        {
            if (token.Type == TokenType.DoubleDash)
            {
                afterDoubleDash = true;
            }
            else if (token.Type == TokenType.Argument && !afterDoubleDash && IsOptionLike(token.Value)
                && !(previous is { Type: TokenType.Option } && previous.Value == io.Format.Name) && reported.Add(token.Value))
            {
                problems.Add($"{Terminal.Printable(token.Value)}: unknown option");
            }

            previous = token;
        }

        var unknownOptions = problems.Count > 0;
        var command = parseResult.CommandResult.Command;
        foreach (var token in parseResult.UnmatchedTokens)
        {
            // Once an option is unknown, which argument is which is a guess: the options are fixed first.
            if (!unknownOptions && reported.Add(token))
            {
                problems.Add(command is RootCommand
                    ? $"{Terminal.Printable(token)}: unknown command, expected one of {string.Join(", ", root.Subcommands.Select(c => c.Name))}"
                    : $"{Terminal.Printable(token)}: unexpected argument");
            }
        }

        if (parseResult.GetResult(io.Format) is { Tokens: [var formatToken] } && formatToken.Value is not ("json" or "table"))
        {
            problems.Add($"--format: must be json or table, got {Terminal.Quote(formatToken.Value)}");
        }

        var hint = false;
        if (parseResult.Action is ParseErrorAction)
        {
            foreach (var error in parseResult.Errors)
            {
                if (error.Message.StartsWith("Unrecognized command or argument", StringComparison.Ordinal) ||
                    (problems.Count > 0 && error.Message.StartsWith("Required command was not provided", StringComparison.Ordinal)))
                {
                    continue;
                }

                problems.Add(Terminal.Printable(error.Message.ReplaceLineEndings(" ")));
                hint = true;
            }
        }

        return (problems, hint);
    }

    /// <summary>Whether a word on the command line looks like an option: <c>--name</c> or <c>-x</c>, but not the lone <c>-</c> (standard input).</summary>
    private static bool IsOptionLike(string token) => token.Length > 1 && token[0] == '-';

    private static RootCommand BuildCommand(CliIo io)
    {
        var root = new RootCommand("Simulate, explain and diagram account lifecycles of prepaid cloud billing, and run them on a store (Arrears.Policy).");
        root.Options.Add(io.Verbose);
        foreach (var version in root.Options.OfType<VersionOption>())
        {
            // The tool's own version, also when it runs inside another process (tests).
            version.Action = new VersionAction();
        }

        foreach (var help in root.Options.OfType<HelpOption>())
        {
            // The help of every command (the option is recursive) ends with the exit codes.
            help.Action = new ExitCodesHelpAction((HelpAction)help.Action!);
        }

        var scenario = new Argument<string>("SCENARIO") { Description = "The scenario JSON file (see docs/spec/simulate-contract.md), or - for standard input." };
        var format = io.Format;
        var simulate = new Command("simulate", "Replay a scenario and print its lifecycle timeline (JSON for machines, a table for people).") { scenario, format, io.Utc };
        simulate.SetAction((parseResult, cancellationToken) =>
            Commands.SimulateAsync(io, parseResult.GetValue(scenario)!, parseResult.GetValue(format), parseResult.GetValue(io.Utc), cancellationToken));
        root.Subcommands.Add(simulate);

        var explainScenario = new Argument<string>("SCENARIO") { Description = "The scenario JSON file, or - for standard input." };
        var utc = new Option<bool>("--utc") { Description = "Show instants in UTC instead of the account's time zone." };
        var explain = new Command("explain", "Replay a scenario and tell its timeline in sentences a support agent can read.") { explainScenario, utc };
        explain.SetAction((parseResult, cancellationToken) => Commands.ExplainAsync(io, parseResult.GetValue(explainScenario)!, parseResult.GetValue(utc), cancellationToken));
        root.Subcommands.Add(explain);

        var validateScenario = new Argument<string>("SCENARIO") { Description = "The scenario JSON file, or - for standard input." };
        var validate = new Command("validate", "Check a scenario without running it: prints \"valid\", or every problem with its JSON path.") { validateScenario };
        validate.SetAction((parseResult, cancellationToken) => Commands.ValidateAsync(io, parseResult.GetValue(validateScenario)!, cancellationToken));
        root.Subcommands.Add(validate);

        var policy = new Argument<string>("POLICY")
        {
            Description = "A preset name (see 'arrears policies'), a policy JSON file, or a scenario file (its policy is drawn); - for standard input.",
        };
        var diagram = new Command("diagram", "Print a policy as a Mermaid state diagram with its parameters on the edges.") { policy };
        diagram.SetAction((parseResult, cancellationToken) => Commands.DiagramAsync(io, parseResult.GetValue(policy)!, cancellationToken));
        root.Subcommands.Add(diagram);

        var json = new Option<bool>("--json") { Description = "Print the presets as one JSON document: name, product, summary, source, date read and every setting of the policy." };
        var policies = new Command("policies", "List the built-in policy presets, their parameters and sources.") { json };
        policies.SetAction((parseResult, cancellationToken) => Commands.PoliciesAsync(io, parseResult.GetValue(json), cancellationToken));
        root.Subcommands.Add(policies);

        var demoStore = new Option<string>("--store")
        {
            Description = "Run on this new store (sqlite:PATH or postgres:CONNECTION_STRING) instead of an SQLite file in a new temporary folder.",
            HelpName = "STORE",
        };
        var timelines = new Option<bool>("--timelines") { Description = "Also print the timelines of three accounts: paid one second late, purged, resumed." };
        var demo = new Command("demo", "Run a built-in population of API Gateway accounts for 200 days on the runtime and an SQLite store, as a host would.") { timelines, demoStore };
        demo.SetAction((parseResult, cancellationToken) => DemoCommand.RunAsync(io, parseResult.GetValue(demoStore), parseResult.GetValue(timelines), cancellationToken));
        root.Subcommands.Add(demo);

        AddStoreCommands(root, io);
        return root;
    }

    /// <summary>The commands that run the runtime against a durable store (docs/spec/store-cli-contract.md).</summary>
    private static void AddStoreCommands(RootCommand root, CliIo io)
    {
        static Option<string> Store() => new("--store")
        {
            Description = "The store: sqlite:PATH (created on first use) or postgres:CONNECTION_STRING (an Npgsql connection string).",
            HelpName = "STORE",
            Required = true,
        };

        static Option<bool> Json(string what) => new("--json") { Description = what };

        var importStore = Store();
        var importJson = Json("Print the counts as one JSON object.");
        var importFile = new Argument<string>("FILE") { Description = "JSON Lines: one account per line in the scenario format of simulate without until, plus optional contacts; - for standard input." };
        var import = new Command("import", "Load accounts, ledger entries, usage and contacts into a store, all of the file or nothing.") { importStore, importJson, importFile };
        import.SetAction((parseResult, cancellationToken) => StoreCommands.ImportAsync(io, parseResult.GetValue(importStore)!, parseResult.GetValue(importFile)!, parseResult.GetValue(importJson), cancellationToken));
        root.Subcommands.Add(import);

        var evaluateStore = Store();
        var evaluateJson = Json("Print the summary as one JSON object.");
        var asOf = new Option<string>("--as-of") { Description = "Evaluate at this instant (ISO 8601 UTC, such as 2026-03-01T00:00:00Z) instead of now.", HelpName = "INSTANT" };
        var evaluate = new Command("evaluate", "Run the bulk evaluator once: evaluate every due account and write states, transitions and the outbox.") { evaluateStore, asOf, evaluateJson };
        evaluate.SetAction((parseResult, cancellationToken) => StoreCommands.EvaluateAsync(io, parseResult.GetValue(evaluateStore)!, parseResult.GetValue(asOf), parseResult.GetValue(evaluateJson), cancellationToken));
        root.Subcommands.Add(evaluate);

        var statusStore = Store();
        var statusJson = Json("Print one JSON object.");
        var statusAccount = new Argument<string>("ACCOUNT") { Description = "The account id." };
        var status = new Command("status", "Show an account's state, balance and next review as of its last evaluation.") { statusStore, statusJson, statusAccount };
        status.SetAction((parseResult, cancellationToken) => StoreCommands.StatusAsync(io, parseResult.GetValue(statusStore)!, parseResult.GetValue(statusAccount)!, parseResult.GetValue(statusJson), cancellationToken));
        root.Subcommands.Add(status);

        var historyStore = Store();
        var historyJson = Json("Print JSON Lines, one transition per line.");
        var historyAccount = new Argument<string>("ACCOUNT") { Description = "The account id." };
        var history = new Command("history", "Show every transition decided for an account, and when it was decided: the audit trail.") { historyStore, historyJson, historyAccount };
        history.SetAction((parseResult, cancellationToken) => StoreCommands.HistoryAsync(io, parseResult.GetValue(historyStore)!, parseResult.GetValue(historyAccount)!, parseResult.GetValue(historyJson), cancellationToken));
        root.Subcommands.Add(history);

        var outboxStore = Store();
        var outboxJson = Json("Print JSON Lines, one notification per line.");
        var outboxAccount = new Option<string>("--account") { Description = "Only this account's notifications.", HelpName = "ACCOUNT" };
        var outbox = new Command("outbox", "List every notification written to the outbox, in the order written, with its delivery status.") { outboxStore, outboxAccount, outboxJson };
        outbox.SetAction((parseResult, cancellationToken) => StoreCommands.OutboxAsync(io, parseResult.GetValue(outboxStore)!, parseResult.GetValue(outboxAccount), parseResult.GetValue(outboxJson), cancellationToken));
        root.Subcommands.Add(outbox);
    }
}

/// <summary>Prints the version of the tool's assembly (without the source revision suffix).</summary>
internal sealed class VersionAction : SynchronousCommandLineAction
{
    public static string Version { get; } =
        (typeof(ArrearsCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];

    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        parseResult.InvocationConfiguration.Output.WriteLine(Version);
        return ArrearsCli.Success;
    }
}

/// <summary>Prints the parser's help, then the tool's exit codes.</summary>
internal sealed class ExitCodesHelpAction(HelpAction help) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var exit = help.Invoke(parseResult);
        foreach (var line in ArrearsCli.ExitCodes)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(line);
        }

        parseResult.InvocationConfiguration.Output.WriteLine();
        return exit;
    }
}

/// <summary>The standard streams of one run, and how to draw on them.</summary>
internal sealed class CliIo(TextWriter stdout, TextWriter stderr, Stream stdin, CliConsole console, CliHost host)
{
    public CliHost Host { get; } = host;

    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    public Stream In { get; } = stdin;

    public CliConsole Console { get; } = console;

    /// <summary>Gets the output format of simulate, checked with the other usage problems (json or table, case-sensitive).</summary>
    public Option<string?> Format { get; } = new("--format")
    {
        Description = "Output format: json (the default when standard output is redirected) or table (the default on a terminal).",
        HelpName = "json|table",
    };

    /// <summary>Gets the option that shows instants for people in UTC rather than in the account's time zone.</summary>
    public Option<bool> Utc { get; } = new("--utc")
    {
        Description = "Show the table's instants in UTC rather than in the account's time zone (with its offset). JSON is always in UTC.",
    };

    public Option<bool> Verbose { get; } = new("--verbose") { Description = "Show the stack trace of an internal error.", Recursive = true };

    public IAnsiConsole CreateConsole() => Console.Create(Out);
}
