using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Pipeline.Functions.Documents;

/// <summary>Small helpers for the stores that share the catalog database: parameterised commands and UTC times as text.</summary>
internal static class CatalogSql
{
    /// <summary>A command on <paramref name="connection"/> (in <paramref name="transaction"/> when given) with named parameters.</summary>
    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    /// <summary>A command in <paramref name="transaction"/>.</summary>
    public static SqliteCommand Command(SqliteTransaction transaction, string sql, params (string Name, object? Value)[] parameters) =>
        Command(transaction.Connection!, transaction, sql, parameters);

    /// <summary>Runs a statement in <paramref name="transaction"/>; returns the rows changed.</summary>
    public static int Execute(SqliteTransaction transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    /// <summary>The first column of the first row, or null.</summary>
    public static object? Scalar(SqliteTransaction transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(transaction, sql, parameters);
        return command.ExecuteScalar();
    }

    /// <summary>The first column of every row, as text.</summary>
    public static List<string> Strings(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read()) values.Add(reader.GetString(0));
        return values;
    }

    /// <summary>A UTC time as stored: ISO 8601 with 7 fractional digits and Z, so text order is time order.</summary>
    public static string Iso(DateTime time) => AuditLog.Iso(time);

    /// <summary>A stored time, or null.</summary>
    public static DateTime? Time(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal)
        ? null
        : DateTime.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
