namespace Pipeline.Functions.Web;

/// <summary>The clerk's page, served by <see cref="WebPages"/>. Markup only: no inline script or style (the CSP forbids them).</summary>
internal static partial class DocumentsPage
{
    /// <summary>The HTML of <c>GET /</c>. Static: everything that depends on data is inserted by <see cref="Script"/> as text.</summary>
    public static readonly string Html = PageShell.Page(
        title: "Số hóa văn bản – Pipeline",
        heading: """Số hóa văn bản <span class="en" lang="en">Document digitisation</span>""",
        script: "/app.js",
        main: $"""
<main>
  <nav class="row"><a href="/secretary" id="secretary-link">Cuộc họp (thư ký) <span class="en" lang="en">Meetings</span></a></nav>
  <section class="card" aria-labelledby="key-heading">
{PageShell.KeyForm(canForget: true)}
    <p id="key-hint" class="hint">
      Khóa nằm trong tệp <code>&lt;thư mục dữ liệu&gt;/admin.key</code>; khi khởi động, ứng dụng in dòng
      <code>Admin key: &lt;đường dẫn&gt;</code> cho biết tệp ở đâu. Khóa chỉ được giữ trong thẻ trình duyệt này (sessionStorage).
      <span class="en" lang="en">The key is in <code>&lt;data&gt;/admin.key</code>: the app prints <code>Admin key: &lt;path&gt;</code> when it starts. It is kept for this browser tab only.</span>
    </p>
    <p id="key-state" role="status"></p>
  </section>

  <section class="card" aria-labelledby="upload-heading">
    <h2 id="upload-heading">Tải lên bản quét <span class="en" lang="en">Upload scans</span></h2>
    <form id="upload-form" class="grid" novalidate>
      <div class="field wide">
        <label for="files">Tệp (PDF, TIFF, JPEG, PNG) – chọn được nhiều tệp <span class="en" lang="en">Files, one or many</span></label>
        <input id="files" name="file" type="file" multiple accept=".pdf,.tif,.tiff,.jpg,.jpeg,.png,application/pdf,image/tiff,image/jpeg,image/png">
      </div>
      <div class="field">
        <label for="dossier">Hồ sơ (không bắt buộc) <span class="en" lang="en">Dossier, optional</span></label>
        <input id="dossier" name="dossier" type="text" maxlength="200">
      </div>
      <div class="field">
        <label for="secrecy">Độ mật <span class="en" lang="en">Secrecy</span></label>
        <select id="secrecy" name="secrecy">
          <option value="none" selected>Không mật</option>
          <option value="mat">Mật</option>
          <option value="toi-mat">Tối mật</option>
          <option value="tuyet-mat">Tuyệt mật</option>
        </select>
      </div>
      <div class="field">
        <label for="language">Ngôn ngữ nhận dạng <span class="en" lang="en">OCR language</span></label>
        <input id="language" name="language" type="text" value="vie+eng" spellcheck="false">
      </div>
      <div class="field">
        <label for="office">Cơ quan (không bắt buộc) <span class="en" lang="en">Office, optional</span></label>
        <input id="office" name="office" type="text" spellcheck="false">
      </div>
      <div class="actions wide">
        <button type="submit" id="upload-button">Tải lên <span class="en" lang="en">Upload</span></button>
      </div>
    </form>
    <div id="upload-problem" class="problem" role="alert" hidden></div>
    <ul id="upload-result" class="result" aria-live="polite"></ul>
  </section>

  <section class="card" aria-labelledby="documents-heading">
    <h2 id="documents-heading">Văn bản của cơ quan <span class="en" lang="en">Office documents</span></h2>
    <form id="search-form" class="row" role="search">
      <label for="search">Tìm kiếm <span class="en" lang="en">Search</span></label>
      <input id="search" name="q" type="search" placeholder="ví dụ: nghị quyết, cong van">
      <button type="submit">Tìm <span class="en" lang="en">Search</span></button>
      <button type="button" id="search-clear" class="secondary">Bỏ lọc <span class="en" lang="en">Clear</span></button>
      <button type="button" id="refresh" class="secondary">Tải lại <span class="en" lang="en">Refresh</span></button>
    </form>
    <p class="hint">
      Văn bản đã số hóa (hoặc bị trả lại, bị từ chối sau khi đã sửa) có nút “Trình duyệt”: chọn tuyến đã lưu hoặc nhập các
      bước; mỗi người duyệt nhận một liên kết qua thư. Tiến trình duyệt hiện ngay dưới văn bản.
      <span class="en" lang="en">Send a digitised document for approval; its progress shows under it.</span>
    </p>
    <div id="list-problem" class="problem" role="alert" hidden></div>
    <p id="list-summary" role="status"></p>
    <div class="table-wrap">
      <table id="documents">
        <caption class="visually-hidden">Danh sách văn bản và tiến độ số hóa</caption>
        <thead>
          <tr>
            <th scope="col">Tệp <span class="en" lang="en">File</span></th>
            <th scope="col">Trạng thái <span class="en" lang="en">Status</span></th>
            <th scope="col">Trang <span class="en" lang="en">Pages</span></th>
            <th scope="col">Độ mật <span class="en" lang="en">Secrecy</span></th>
            <th scope="col">Tải lên lúc <span class="en" lang="en">Uploaded</span></th>
            <th scope="col">Mở <span class="en" lang="en">Open</span></th>
          </tr>
        </thead>
        <tbody id="document-rows"></tbody>
      </table>
    </div>
    <nav class="row pager" aria-label="Phân trang">
      <button type="button" id="page-prev" class="secondary" disabled>‹ Trang trước</button>
      <span id="page-info"></span>
      <button type="button" id="page-next" class="secondary" disabled>Trang sau ›</button>
    </nav>
  </section>

  <section id="viewer" class="card" aria-labelledby="viewer-heading" hidden>
    <h2 id="viewer-heading">Văn bản nhận dạng <span class="en" lang="en">Recognised text</span></h2>
    <p id="viewer-title"></p>
    <div class="row">
      <button type="button" id="viewer-close" class="secondary">Đóng <span class="en" lang="en">Close</span></button>
    </div>
    <pre id="viewer-text" tabindex="0"></pre>
  </section>
</main>
""");
}
