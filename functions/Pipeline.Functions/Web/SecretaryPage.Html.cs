namespace Pipeline.Functions.Web;

/// <summary>
/// The secretary's page <c>/secretary</c>, served by <see cref="WebPages"/>: the office's meetings, a form to create one
/// from approved documents, and the chosen meeting's life (publish, session, conclusions, votes, opinions, attendance,
/// archive). Markup only: no inline script or style (the CSP forbids them).
/// </summary>
internal static partial class SecretaryPage
{
    /// <summary>The HTML of <c>GET /secretary</c>. Static: everything that depends on data is inserted by <see cref="Script"/> as text.</summary>
    public static readonly string Html = PageShell.Page(
        title: "Cuộc họp – Pipeline",
        heading: """Thư ký cuộc họp <span class="en" lang="en">Meeting secretary</span>""",
        script: "/secretary.js",
        stylesheet: "/secretary.css",
        main: $"""
<main>
  <nav class="row back"><a href="/">← Danh sách văn bản <span class="en" lang="en">All documents</span></a></nav>

  <section class="card" aria-labelledby="key-heading">
{PageShell.KeyForm(canForget: true)}
    <p id="key-hint" class="hint">
      Khóa nằm trong tệp <code>&lt;thư mục dữ liệu&gt;/admin.key</code>. Khóa chỉ được giữ trong thẻ trình duyệt này (sessionStorage).
      <span class="en" lang="en">The key is in <code>&lt;data&gt;/admin.key</code>. It is kept for this browser tab only.</span>
    </p>
    <p id="key-state" role="status"></p>
  </section>

  <section class="card" aria-labelledby="meetings-heading">
    <h2 id="meetings-heading">Các cuộc họp <span class="en" lang="en">Meetings</span></h2>
    <div class="row">
      <button type="button" id="meetings-refresh" class="secondary">Tải lại <span class="en" lang="en">Refresh</span></button>
    </div>
    <div id="list-problem" class="problem" role="alert" hidden></div>
    <p id="list-summary" role="status"></p>
    <div class="table-wrap">
      <table id="meetings">
        <caption class="visually-hidden">Danh sách cuộc họp</caption>
        <thead>
          <tr>
            <th scope="col">Tên cuộc họp <span class="en" lang="en">Title</span></th>
            <th scope="col">Thời gian (giờ Việt Nam) <span class="en" lang="en">Time</span></th>
            <th scope="col">Địa điểm <span class="en" lang="en">Place</span></th>
            <th scope="col">Trạng thái <span class="en" lang="en">Status</span></th>
            <th scope="col">Tài liệu họp <span class="en" lang="en">Pack</span></th>
            <th scope="col">Mở <span class="en" lang="en">Open</span></th>
          </tr>
        </thead>
        <tbody id="meeting-rows"></tbody>
      </table>
    </div>
  </section>

  <section id="detail" class="card" aria-labelledby="detail-title" hidden>
    <h2 id="detail-title"></h2>
    <div class="row facts">
      <span>Trạng thái <span class="en" lang="en">Status</span>: <span id="detail-status" class="status" aria-live="polite"></span></span>
      <span>Thời gian <span class="en" lang="en">Time</span>: <span id="detail-time"></span></span>
      <span>Địa điểm <span class="en" lang="en">Place</span>: <span id="detail-place"></span></span>
      <span>Chủ trì <span class="en" lang="en">Chair</span>: <span id="detail-chair"></span></span>
    </div>
    <div class="row lifecycle">
      <button type="button" id="detail-next" hidden></button>
      <span id="detail-state" class="hint" role="status"></span>
      <button type="button" id="detail-close" class="secondary">Đóng <span class="en" lang="en">Close</span></button>
    </div>
    <div id="detail-problem" class="problem" role="alert" hidden></div>
    <p id="minutes" class="minutes" hidden></p>

    <h3>Tài liệu họp <span class="en" lang="en">Meeting pack</span></h3>
    <ul id="packs" class="packs"></ul>

    <h3>Điểm danh <span class="en" lang="en">Attendance</span></h3>
    <form id="attendance-form" novalidate>
      <div id="attendance" class="attendance"></div>
      <button type="submit" id="attendance-save" class="secondary">Lưu điểm danh <span class="en" lang="en">Save attendance</span></button>
      <span id="attendance-state" class="hint" role="status"></span>
    </form>

    <h3>Nội dung họp <span class="en" lang="en">Agenda</span></h3>
    <ol id="items" class="items"></ol>
  </section>

  <section class="card" aria-labelledby="create-heading">
    <h2 id="create-heading">Tạo cuộc họp <span class="en" lang="en">Create a meeting</span></h2>
    <form id="create-form" class="create-form" novalidate>
      <div class="grid">
        <div class="field wide">
          <label for="m-title">Tên cuộc họp <span class="en" lang="en">Title</span></label>
          <input id="m-title" type="text" maxlength="300">
        </div>
        <div class="field">
          <label for="m-starts">Bắt đầu (giờ Việt Nam) <span class="en" lang="en">Starts, Vietnam time</span></label>
          <input id="m-starts" type="datetime-local">
        </div>
        <div class="field">
          <label for="m-place">Địa điểm <span class="en" lang="en">Place</span></label>
          <input id="m-place" type="text" maxlength="300">
        </div>
        <div class="field">
          <label for="m-chair">Chủ trì <span class="en" lang="en">Chair</span></label>
          <input id="m-chair" type="text" maxlength="300">
        </div>
        <div class="field">
          <label for="m-secretary">Thư ký (email) <span class="en" lang="en">Secretary</span></label>
          <input id="m-secretary" type="email" spellcheck="false">
        </div>
        <div class="field">
          <label for="m-dossier">Hồ sơ (không bắt buộc) <span class="en" lang="en">Dossier, optional</span></label>
          <input id="m-dossier" type="text" maxlength="200">
        </div>
        <div class="field wide">
          <label for="m-participants">Thành phần dự họp – mỗi dòng một người: <code>email</code> hoặc <code>Tên &lt;email&gt;</code> <span class="en" lang="en">Participants, one per line</span></label>
          <textarea id="m-participants" rows="4" spellcheck="false"></textarea>
        </div>
      </div>
      <fieldset class="agenda-editor">
        <legend>Chương trình họp <span class="en" lang="en">Agenda</span></legend>
        <p class="hint">Chỉ văn bản đã duyệt được đưa vào chương trình, trừ khi ghi lý do “để biết”.
          <span class="en" lang="en">Only approved documents, unless the item is for information (give the reason).</span></p>
        <p id="approved-state" class="hint" role="status"></p>
        <div id="agenda-rows"></div>
        <button type="button" id="agenda-add" class="secondary">+ Thêm nội dung <span class="en" lang="en">Add item</span></button>
      </fieldset>
      <div id="create-problem" class="problem" role="alert" hidden></div>
      <p id="create-state" role="status"></p>
      <div class="row">
        <button type="submit" id="create-button">Tạo cuộc họp <span class="en" lang="en">Create</span></button>
      </div>
    </form>
  </section>
</main>
""");
}
