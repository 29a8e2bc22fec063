namespace Pipeline.Functions.Archive;

/// <summary>A hồ sơ: the file documents are kept in (its id is the file code, e.g. <c>HS-2025-01</c>).</summary>
/// <param name="Office">The office that keeps it.</param>
/// <param name="Id">The file code.</param>
/// <param name="Title">Tiêu đề hồ sơ.</param>
/// <param name="Retention">Thời hạn bảo quản, e.g. <c>Vĩnh viễn</c>, <c>10 năm</c>; null until set.</param>
/// <param name="Access">Chế độ sử dụng / access rights, or null.</param>
/// <param name="Creator">Who created it.</param>
/// <param name="CreatedTime">When (UTC).</param>
public sealed record Dossier(string Office, string Id, string Title, string? Retention, string? Access, string Creator, DateTime CreatedTime);
