using Microsoft.Data.Sqlite;

namespace Pipeline.Durable.Store.Sqlite;

/// <summary>
/// One connection's statements, prepared once per SQL text and reused with new parameter values: parsing and planning
/// a statement again on every call costs more than the small queries and writes the store runs. Not thread-safe: its
/// owner uses it from one thread at a time.
/// </summary>
internal sealed class SqliteStatements(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    /// <summary>The command for <paramref name="sql"/>, with <paramref name="parameters"/> bound.</summary>
    public SqliteCommand Prepare(string sql, ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            _commands[sql] = command;
        }
        foreach (var (name, value) in parameters)
        {
            var parameter = command.Parameters.Contains(name) ? command.Parameters[name] : command.Parameters.Add(new SqliteParameter { ParameterName = name });
            parameter.Value = value ?? DBNull.Value;
        }
        return command;
    }

    /// <summary>Disposes the commands and the connection.</summary>
    public void Dispose()
    {
        foreach (var command in _commands.Values) command.Dispose();
        _commands.Clear();
        connection.Dispose();
    }
}
