namespace Arrears.Policy.Simulation;

/// <summary>
/// Reads the scenario JSON of the simulate contract (docs/spec/simulate-contract.md) into a <see cref="Scenario"/>,
/// reporting every problem with its JSON path and value instead of throwing.
/// </summary>
/// <remarks>
/// <para>
/// Every field is checked: unknown and duplicate fields, wrong JSON types, missing required fields, and the values the
/// lifecycle specification rejects (non-positive amounts, a negative opening balance, a non-positive unit, a negative unit
/// price or quantity, unknown currencies, time zones, presets and billing items, negative durations or durations with
/// years or months, instants that are not ISO 8601 UTC, and an entry id repeated with different content). Reading never
/// stops at the first problem, and never throws for bad input, whatever the document holds.
/// </para>
/// <para>
/// Amounts, prices, quantities and units are decimals held in JSON strings (<c>"12.50"</c>); a JSON number is rejected,
/// because a parser on the way may already have turned it into a binary floating-point value. Amounts lie within
/// ±10^15 and instants between the years 1 and 8999, so that no balance and no deadline can overflow.
/// </para>
/// <para>
/// An entry repeated with the same id and the same content is kept once (an idempotent replay), as a ledger would; so are
/// holds and revocations.
/// </para>
/// <para>
/// Beyond the first version of the contract, a scenario may state everything the library understands (the contract's
/// "Additions"): several <c>products</c> each with its policy, notification <c>routes</c> and <c>holdLimits</c> in a
/// policy, custom <c>channels</c>, graduated <c>tiers</c> of an item, <c>holds</c> and <c>revocations</c>, and
/// <c>recordedAt</c> on facts with an <c>evaluations</c> schedule. What the replay will ignore (facts after <c>until</c>,
/// <c>recordedAt</c> without a schedule) is listed in <see cref="ScenarioReadResult.Warnings"/>.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var result = ScenarioJson.Read(File.ReadAllText("scenario.json"));
/// if (!result.IsValid)
/// {
///     foreach (var error in result.Errors) Console.Error.WriteLine(error);   // entries[3].amount: must be positive, got "-5"
///     return 2;
/// }
/// var timeline = Simulator.Run(result.Scenario);
/// Console.WriteLine(TimelineJson.ToJson(timeline));
/// </code>
/// </example>
public static class ScenarioJson
{
    /// <summary>Reads a scenario from JSON text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The scenario, or every problem found.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    public static ScenarioReadResult Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonInput.TryEncode(json, out var utf8, out var error) ? Read(utf8) : new ScenarioReadResult(null, [error]);
    }

    /// <summary>Reads a scenario from a stream of UTF-8 JSON (read to its end; the stream is not closed).</summary>
    /// <param name="utf8Json">The stream.</param>
    /// <returns>The scenario, or every problem found.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="utf8Json"/> is null.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    public static ScenarioReadResult Read(Stream utf8Json)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        using var buffer = new MemoryStream();
        utf8Json.CopyTo(buffer);
        return Read(buffer.ToArray());
    }

    /// <summary>Reads a scenario from UTF-8 JSON bytes.</summary>
    /// <param name="utf8Json">The UTF-8 bytes (a leading byte order mark is skipped; invalid UTF-8 is reported with its line and column).</param>
    /// <returns>The scenario, or every problem found.</returns>
    public static ScenarioReadResult Read(ReadOnlyMemory<byte> utf8Json)
    {
        if (!JsonInput.TryParse(utf8Json, out var document, out var error))
        {
            return new ScenarioReadResult(null, [error]);
        }

        using (document)
        {
            var reader = new ScenarioReader();
            var scenario = reader.Read(document.RootElement);
            return reader.Fields.Count > 0
                ? new ScenarioReadResult(null, [.. reader.Fields.Errors])
                : new ScenarioReadResult(scenario, [], [.. reader.Warnings]);
        }
    }

    /// <summary>
    /// Reads a policy on its own, as it appears in the <c>policy</c> field of a scenario: a JSON string naming a preset, or a
    /// policy object (<c>{ "preset": NAME, ...overrides }</c> or every setting).
    /// </summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The policy, or every problem found (paths start with <c>policy</c>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    public static PolicyReadResult ReadPolicy(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonInput.TryEncode(json, out var utf8, out var error) ? ReadPolicy(utf8) : new PolicyReadResult(null, [error]);
    }

    /// <summary>Reads a policy on its own from UTF-8 JSON bytes, as <see cref="ReadPolicy(string)"/> does from text.</summary>
    /// <param name="utf8Json">The UTF-8 bytes (a leading byte order mark is skipped; invalid UTF-8 is reported with its line and column).</param>
    /// <returns>The policy, or every problem found (paths start with <c>policy</c>).</returns>
    public static PolicyReadResult ReadPolicy(ReadOnlyMemory<byte> utf8Json)
    {
        if (!JsonInput.TryParse(utf8Json, out var document, out var error))
        {
            return new PolicyReadResult(null, [error]);
        }

        using (document)
        {
            var fields = new JsonFields();
            var policy = new PolicyReader(fields).Read(document.RootElement, "policy");
            return fields.Count > 0 || policy is null
                ? new PolicyReadResult(null, [.. fields.Errors])
                : new PolicyReadResult(policy, []);
        }
    }
}
