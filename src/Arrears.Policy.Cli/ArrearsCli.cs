using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Reflection;
using Arrears.Policy.Cli.Demo;
using Spectre.Console;

namespace Arrears.Policy.Cli;

/// <summary>The <c>arrears</c> command line: simulate, explain, validate, diagram, policies and demo.</summary>
/// <remarks>
/// Exit codes: 0 success; 2 invalid input or usage (one line per problem on standard error, nothing on standard output);
/// 1 an internal error (no stack trace unless <c>--verbose</c>).
/// </remarks>
internal static class ArrearsCli
{
    public const int Success = 0;
    public const int InternalError = 1;
    public const int InvalidInput = 2;

    /// <summary>Runs the tool with the process's console settings.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Stream stdin) =>
        RunAsync(args, stdout, stderr, stdin, CliConsole.Detect());

    /// <summary>Runs the tool in process: parses <paramref name="args"/>, runs the command and returns the exit code.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <param name="stdin">Standard input as raw bytes (scenarios are UTF-8; nothing is decoded before the JSON reader sees it).</param>
    /// <param name="console">Whether a person is watching, and the width.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Stream stdin, CliConsole console, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var io = new CliIo(stdout, stderr, stdin, console);
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
            return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("arrears: cancelled").ConfigureAwait(false);
            return InternalError;
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
        var root = new RootCommand("Simulate, explain and diagram account lifecycles of prepaid cloud billing (Arrears.Policy).");
        root.Options.Add(io.Verbose);
        foreach (var version in root.Options.OfType<VersionOption>())
        {
            // The tool's own version, also when it runs inside another process (tests).
            version.Action = new VersionAction();
        }

        var scenario = new Argument<string>("SCENARIO") { Description = "The scenario JSON file (see docs/spec/simulate-contract.md), or - for standard input." };
        var format = io.Format;
        var simulate = new Command("simulate", "Replay a scenario and print its lifecycle timeline (JSON for machines, a table for people).") { scenario, format };
        simulate.SetAction((parseResult, cancellationToken) => Commands.SimulateAsync(io, parseResult.GetValue(scenario)!, parseResult.GetValue(format), cancellationToken));
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

        var policy = new Argument<string>("POLICY") { Description = "A preset name (see 'arrears policies') or a policy JSON file." };
        var diagram = new Command("diagram", "Print a policy as a Mermaid state diagram with its parameters on the edges.") { policy };
        diagram.SetAction((parseResult, cancellationToken) => Commands.DiagramAsync(io, parseResult.GetValue(policy)!, cancellationToken));
        root.Subcommands.Add(diagram);

        var policies = new Command("policies", "List the built-in policy presets, their parameters and sources.");
        policies.SetAction((_, cancellationToken) => Commands.PoliciesAsync(io, cancellationToken));
        root.Subcommands.Add(policies);

        var demo = new Command("demo", "Replay a built-in population of API Gateway accounts hour by hour for 200 days, as a host would.");
        demo.SetAction((_, cancellationToken) => DemoCommand.RunAsync(io, cancellationToken));
        root.Subcommands.Add(demo);

        return root;
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

/// <summary>The standard streams of one run, and how to draw on them.</summary>
internal sealed class CliIo(TextWriter stdout, TextWriter stderr, Stream stdin, CliConsole console)
{
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

    public Option<bool> Verbose { get; } = new("--verbose") { Description = "Show the stack trace of an internal error.", Recursive = true };

    public IAnsiConsole CreateConsole() => Console.Create(Out);
}
