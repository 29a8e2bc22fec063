// The clerk's page (/), loaded after common.js and approvals.js. Every API call sends the pasted key in x-functions-key;
// every value from the server reaches the page as text (textContent, attributes), never as markup. While a document is
// being digitised its row polls the orchestration's custom status once a second; while it waits for an approval its
// approvals are re-read every few seconds; polling stops when neither is left.
'use strict';
(() => {
  const POLL_MS = 1000;
  // Approvers take hours or days; a few seconds' delay is unnoticeable and keeps many open approvals cheap to watch.
  const APPROVAL_POLL_MS = 3000;
  // After its orchestration completed, a document still shown in progress is re-read this many times before the row gives up.
  const SETTLE_POLLS = 10;
  const NO_TEXT = new Set(['Received', 'Digitising', 'Rejected', 'Failed']);
  const FINISHED_RUNTIME = new Set(['Completed', 'Failed', 'Terminated']);
  const STAGE_LABELS = {
    preparing: 'Đang chuẩn bị', ocr: 'Đang nhận dạng chữ (OCR)', assembling: 'Đang tạo PDF lưu trữ',
    done: 'Hoàn tất', rejected: 'Bị từ chối', failed: 'Lỗi',
  };

  const { STATUS_LABELS, SECRECY_LABELS, IN_PROGRESS, $, apiKey, Problem, asProblem, el, english, showProblem, clearProblem, storeKeyFrom, forgetKey } = window.Pipeline;
  const api = window.Pipeline.createApi('Dán khóa trong tệp <thư mục dữ liệu>/admin.key vào ô “Khóa API” rồi bấm “Lưu khóa”.');
  const Approvals = window.PipelineApprovals;
  const state = { page: 1, pageSize: 0, total: 0, q: '', rows: new Map(), timer: null, stopped: false, listVersion: 0, lastApprovalPoll: 0 };

  // ---- Helpers --------------------------------------------------------------------------------------------

  /** A version 4 UUID; crypto.randomUUID only exists on https or localhost, getRandomValues everywhere. */
  function uuid() {
    if (window.crypto && typeof crypto.randomUUID === 'function' && window.isSecureContext) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // ---- Key ------------------------------------------------------------------------------------------------

  function showKeyState() {
    $('key-state').textContent = apiKey()
      ? 'Đã có khóa cho thẻ này. (Key saved for this tab.)'
      : 'Chưa có khóa: dán khóa rồi bấm “Lưu khóa”. (No key yet.)';
  }

  function onSaveKey(event) {
    event.preventDefault();
    if (!storeKeyFrom($('key-input'))) return;
    showKeyState();
    state.stopped = false;
    loadList();
  }

  function onForgetKey() {
    forgetKey();
    stopPolling();
    state.rows.clear();
    $('document-rows').replaceChildren();
    $('list-summary').textContent = '';
    showKeyState();
  }

  // ---- Upload ---------------------------------------------------------------------------------------------

  async function onUpload(event) {
    event.preventDefault();
    const problemBox = $('upload-problem');
    const result = $('upload-result');
    clearProblem(problemBox);
    result.replaceChildren();
    const files = Array.from($('files').files || []);
    if (files.length === 0) {
      showProblem(problemBox, new Problem('Chưa chọn tệp (no file chosen)', 'Chọn một hoặc nhiều tệp PDF, TIFF, JPEG hoặc PNG.'));
      $('files').focus();
      return;
    }
    const form = new FormData();
    for (const file of files) form.append('file', file, file.name);
    const office = $('office').value.trim();
    if (office) form.append('office', office);
    form.append('dossier', $('dossier').value.trim());
    form.append('secrecy', $('secrecy').value);
    form.append('language', $('language').value.trim() || 'vie+eng');

    const button = $('upload-button');
    button.disabled = true;
    result.append(el('li', 'small', `Đang tải lên ${files.length} tệp… (uploading)`));
    try {
      // One key per submit: a repeated request (double click, retry by the browser) creates nothing new.
      const response = await api('/api/documents', { method: 'POST', body: form, headers: { 'Idempotency-Key': uuid() } });
      const body = await response.json();
      const accepted = Array.isArray(body.documents) ? body.documents : [];
      result.replaceChildren();
      accepted.forEach((doc, i) => {
        const name = files[i] ? files[i].name : doc.documentId;
        if (doc.duplicateOf) {
          result.append(el('li', 'duplicate',
            `${name}: đã được tải lên trước đó – văn bản ${doc.duplicateOf} (already uploaded)`));
        } else {
          result.append(el('li', 'accepted', `${name}: đã nhận, đang số hóa (accepted)`));
        }
      });
      $('files').value = '';
      $('search').value = '';
      state.q = '';
      state.page = 1;
      await loadList(accepted);
    } catch (e) {
      result.replaceChildren();
      showProblem(problemBox, e);
    } finally {
      button.disabled = false;
    }
  }

  // ---- List -----------------------------------------------------------------------------------------------

  /** Reads the current page; <code>uploaded</code> (from a 202) are shown even when the list does not hold them yet. */
  async function loadList(uploaded) {
    const problemBox = $('list-problem');
    const version = ++state.listVersion;
    const params = new URLSearchParams({ page: String(state.page) });
    if (state.q) params.set('q', state.q);
    try {
      const body = await (await api('/api/documents?' + params.toString())).json();
      if (version !== state.listVersion) return; // a newer search or page replaced this one
      clearProblem(problemBox);
      state.stopped = false;
      const documents = Array.isArray(body.documents) ? body.documents : [];
      const byId = new Map(documents.map((d) => [d.id, d]));
      for (const u of uploaded || []) {
        const id = u.duplicateOf || u.documentId;
        if (!id || byId.has(id)) continue;
        try {
          const doc = await (await api('/api/documents/' + encodeURIComponent(id))).json();
          if (!doc.instanceId && u.instanceId && !u.duplicateOf) doc.instanceId = u.instanceId;
          documents.unshift(doc);
          byId.set(id, doc);
        } catch (_) { /* the list will hold it on the next refresh */ }
      }
      for (const u of uploaded || []) {
        const doc = byId.get(u.documentId);
        if (doc && !doc.instanceId && u.instanceId) doc.instanceId = u.instanceId;
      }
      state.pageSize = Number(body.pageSize) || documents.length;
      state.total = Number(body.total) || 0;
      renderRows(documents);
      renderSummary();
      for (const entry of state.rows.values()) {
        if (needsDetail(entry.doc)) refreshDocument(entry).catch(() => { /* the row shows the status without its reason */ });
        if (Approvals.MAY_HAVE_APPROVALS.has(entry.doc.status)) entry.approvals.load().catch(() => { /* the panel says why */ });
      }
      schedulePoll();
    } catch (e) {
      if (version !== state.listVersion) return;
      showProblem(problemBox, e);
    }
  }

  function renderSummary() {
    const shown = state.rows.size;
    const filter = state.q ? ` khớp “${state.q}”` : '';
    $('list-summary').textContent = state.total === 0 && shown === 0
      ? (state.q ? `Không có văn bản nào khớp “${state.q}”. (No match.)` : 'Chưa có văn bản nào. (No documents yet.)')
      : `${state.total} văn bản${filter}. (${state.total} documents)`;
    const pages = state.pageSize > 0 ? Math.max(1, Math.ceil(state.total / state.pageSize)) : 1;
    $('page-info').textContent = `Trang ${state.page}/${pages}`;
    $('page-prev').disabled = state.page <= 1;
    $('page-next').disabled = state.page >= pages;
  }

  function renderRows(documents) {
    const rows = new Map();
    const body = $('document-rows');
    const trs = [];
    for (const doc of documents) {
      if (!doc || !doc.id || rows.has(doc.id)) continue;
      const entry = createRow(doc, state.rows.get(doc.id));
      rows.set(doc.id, entry);
      trs.push(entry.tr, entry.approvals.row);
    }
    state.rows = rows;
    body.replaceChildren(...trs);
  }

  /**
   * The row of <code>doc</code>, and under it the row of its approvals. The approvals row of <code>previous</code> (the
   * same document before the list was reloaded) is kept, so a reload does not throw away a half-filled approval form.
   */
  function createRow(doc, previous) {
    const tr = el('tr');
    const entry = {
      doc, tr, instanceId: doc.instanceId || null, instanceDone: false, settlePolls: 0, gaveUp: false, custom: null, runtimeStatus: null,
      cells: { file: el('td', 'file'), status: el('td'), pages: el('td'), secrecy: el('td'), created: el('td'), actions: el('td') },
      progress: el('progress'), stage: el('span', 'stage'),
      approvals: previous ? previous.approvals : Approvals.create(doc.id, {
        // Looked up when called: after a reload the approvals row belongs to the new entry of the same document.
        refreshDocument: () => { const current = state.rows.get(doc.id); return current ? refreshDocument(current) : Promise.resolve(); },
        watch: () => { state.stopped = false; schedulePoll(); },
      }),
    };
    entry.progress.max = 1;
    tr.dataset.documentId = doc.id;
    const c = entry.cells;
    tr.append(c.file, c.status, c.pages, c.secrecy, c.created, c.actions);
    fillRow(entry);
    return entry;
  }

  function isInProgress(entry) { return IN_PROGRESS.has(entry.doc.status) && !entry.gaveUp; }

  /** The list leaves out why a document was rejected or needs review; the full document says. */
  function needsDetail(doc) {
    return ((doc.status === 'Rejected' || doc.status === 'Failed') && !('error' in doc))
      || (doc.status === 'NeedsReview' && !('reviewReason' in doc));
  }

  /** Writes the document into its row. The progress bar element is kept across updates, so it does not flicker. */
  function fillRow(entry) {
    const doc = entry.doc;
    const c = entry.cells;
    entry.tr.dataset.status = doc.status || '';

    c.file.replaceChildren(el('span', null, doc.fileName || doc.id));
    if (doc.summary) c.file.append(el('span', 'small', doc.summary));
    if (doc.dossier) c.file.append(el('span', 'small', `Hồ sơ: ${doc.dossier}`));

    const status = el('span', `status status-${doc.status}`, STATUS_LABELS[doc.status] || doc.status || '?');
    status.append(english(` (${doc.status || '?'})`));
    c.status.replaceChildren(status);
    if (isInProgress(entry)) {
      entry.progress.setAttribute('aria-label', `Tiến độ số hóa ${doc.fileName || doc.id}`);
      c.status.append(entry.progress, entry.stage);
      showStage(entry);
    } else if (entry.gaveUp) {
      c.status.append(el('span', 'row-error', entry.gaveUpReason || 'Không theo dõi được tiến độ; bấm “Tải lại”.'));
    }
    if (doc.error && (doc.error.message || doc.error.code)) {
      const error = el('span', 'row-error', doc.error.message || doc.error.code);
      if (doc.error.code) error.title = doc.error.code;
      c.status.append(error);
    }

    if (doc.status === 'NeedsReview' && doc.reviewReason) c.status.append(el('span', 'stage', doc.reviewReason));

    c.pages.textContent = doc.pages === null || doc.pages === undefined ? '–' : String(doc.pages);
    c.secrecy.textContent = SECRECY_LABELS[doc.secrecy] || doc.secrecy || '–';
    c.created.textContent = formatTime(doc.createdTime);
    fillActions(entry);
    entry.approvals.update(doc);
  }

  function fillActions(entry) {
    const doc = entry.doc;
    const links = doc.links || {};
    const base = '/api/documents/' + encodeURIComponent(doc.id);
    const box = el('div', 'actions-cell');
    if (!NO_TEXT.has(doc.status)) {
      box.append(
        actionButton('Xem văn bản', 'text', () => showText(doc, links.text || base + '/text')),
        actionButton('PDF lưu trữ', 'archive', () => openBlob(links.archive || base + '/archive', 'archive.pdf')));
    }
    box.append(actionButton('Bản gốc', 'original', () => openBlob(links.original || base + '/original', doc.fileName || 'original')));
    if (!NO_TEXT.has(doc.status)) {
      // A plain link: the review page takes the key from this tab's sessionStorage (or asks for it).
      const review = el('a', 'review-link', 'Kiểm tra ');
      review.href = '/review/' + encodeURIComponent(doc.id);
      review.dataset.action = 'review';
      review.append(english('Review'));
      box.append(review);
    }
    if (Approvals.canSend(doc)) {
      const send = actionButton('Trình duyệt', 'send-approval', () => entry.approvals.toggleForm());
      send.append(' ', english('Send for approval'));
      box.append(send);
    }
    entry.cells.actions.replaceChildren(box);
  }

  function actionButton(label, action, onClick) {
    const button = el('button', 'link', label);
    button.type = 'button';
    button.dataset.action = action;
    button.addEventListener('click', onClick);
    return button;
  }

  function formatTime(value) {
    if (!value) return '–';
    const time = new Date(value);
    return isNaN(time.getTime()) ? String(value) : time.toLocaleString('vi-VN');
  }

  // ---- Progress -------------------------------------------------------------------------------------------

  function showStage(entry) {
    const custom = entry.custom;
    const progress = entry.progress;
    let label = entry.runtimeStatus === 'Pending' ? 'Đang chờ xử lý (queued)' : 'Đang chờ… (waiting)';
    if (custom && typeof custom === 'object') {
      const total = Number(custom.pagesTotal);
      const done = Number(custom.pagesDone);
      label = STAGE_LABELS[custom.stage] || String(custom.stage || label);
      if (total > 0 && Number.isFinite(done)) {
        progress.max = total;
        progress.value = Math.max(0, Math.min(done, total));
        label += `: ${Math.max(0, Math.min(done, total))}/${total} trang`;
      } else {
        progress.removeAttribute('value'); // indeterminate until the page count is known
      }
      if (custom.stage) progress.dataset.stage = String(custom.stage);
    } else {
      progress.removeAttribute('value');
    }
    entry.stage.textContent = label;
  }

  /** Polls again soon: each second while a document is digitised, every few seconds while one only waits for approval. */
  function schedulePoll() {
    if (state.timer !== null || state.stopped) return;
    const entries = Array.from(state.rows.values());
    if (entries.some(isInProgress)) state.timer = setTimeout(pollOnce, POLL_MS);
    else if (entries.some((e) => e.approvals.isPending())) state.timer = setTimeout(pollOnce, APPROVAL_POLL_MS);
  }

  function stopPolling() {
    if (state.timer !== null) clearTimeout(state.timer);
    state.timer = null;
    state.stopped = true;
  }

  async function pollOnce() {
    state.timer = null;
    const rows = state.rows;
    const active = Array.from(rows.values()).filter(isInProgress);
    const now = Date.now();
    // Approvals are read at their own, slower pace even when digitising documents make the timer tick every second.
    const approvalsDue = now - state.lastApprovalPoll >= APPROVAL_POLL_MS - 100;
    const waiting = approvalsDue ? Array.from(rows.values()).filter((e) => e.approvals.isPending()) : [];
    if (approvalsDue) state.lastApprovalPoll = now;
    const outcomes = await Promise.all([
      ...active.map((entry) => pollEntry(entry).then(() => null, (e) => asProblem(e))),
      ...waiting.map((entry) => entry.approvals.load().then(() => null, (e) => asProblem(e))),
    ]);
    if (rows !== state.rows) return; // the list was reloaded meanwhile; it polls for itself
    const failure = outcomes.find((p) => p);
    if (failure) {
      showProblem($('list-problem'), failure);
      if (failure.status === 401) { stopPolling(); return; } // the key changed or is wrong: polling again will not help
    } else if (active.length > 0 || waiting.length > 0) {
      clearProblem($('list-problem'));
    }
    schedulePoll();
  }

  async function pollEntry(entry) {
    if (entry.instanceId && !entry.instanceDone) {
      let status = null;
      try {
        status = await (await api('/runtime/webhooks/durabletask/instances/' + encodeURIComponent(entry.instanceId))).json();
      } catch (e) {
        if (!(e instanceof Problem) || e.status !== 404) throw e;
        entry.instanceDone = true; // purged or unknown: the document itself says how it ended
      }
      if (status) {
        entry.runtimeStatus = status.runtimeStatus || null;
        entry.custom = parseCustomStatus(status.customStatus);
        showStage(entry);
        const stage = entry.custom && entry.custom.stage;
        const finished = FINISHED_RUNTIME.has(status.runtimeStatus) || stage === 'done' || stage === 'rejected' || stage === 'failed';
        if (!finished && !IN_PROGRESS.has(entry.doc.status)) return;
        if (!finished) {
          // Still running: refresh the document only when its status may have moved (Received → Digitising).
          if (entry.doc.status === 'Received') await refreshDocument(entry);
          return;
        }
        if (FINISHED_RUNTIME.has(status.runtimeStatus)) entry.instanceDone = true;
      }
    }
    await refreshDocument(entry);
    if (IN_PROGRESS.has(entry.doc.status) && (entry.instanceDone || !entry.instanceId)) {
      entry.settlePolls += 1;
      if (entry.settlePolls >= SETTLE_POLLS && entry.instanceId) {
        entry.gaveUp = true;
        entry.gaveUpReason = entry.runtimeStatus && entry.runtimeStatus !== 'Completed'
          ? `Quy trình xử lý dừng ở trạng thái ${entry.runtimeStatus}.`
          : 'Văn bản chưa cập nhật trạng thái; bấm “Tải lại”.';
        fillRow(entry);
      }
    }
  }

  function parseCustomStatus(value) {
    if (typeof value === 'string') {
      try { return JSON.parse(value); } catch (_) { return null; }
    }
    return value && typeof value === 'object' ? value : null;
  }

  async function refreshDocument(entry) {
    const doc = await (await api('/api/documents/' + encodeURIComponent(entry.doc.id))).json();
    if (!doc.instanceId && entry.instanceId) doc.instanceId = entry.instanceId;
    const changed = JSON.stringify(doc) !== JSON.stringify(entry.doc);
    entry.doc = doc;
    if (!entry.instanceId && doc.instanceId) entry.instanceId = doc.instanceId;
    if (changed) fillRow(entry);
  }

  // ---- Text, archive, original ----------------------------------------------------------------------------

  async function showText(doc, url) {
    const viewer = $('viewer');
    const text = $('viewer-text');
    $('viewer-title').textContent = doc.fileName || doc.id;
    text.textContent = 'Đang tải… (loading)';
    viewer.hidden = false;
    try {
      const body = await (await api(url)).text();
      // Pages are separated by form feeds; show them as a visible break.
      text.textContent = body.split('\f').join('\n\n──────── trang sau (next page) ────────\n\n');
      text.dataset.documentId = doc.id;
    } catch (e) {
      const problem = asProblem(e);
      text.textContent = problem.title + (problem.detail ? '\n' + problem.detail : '');
    }
    viewer.scrollIntoView({ block: 'start' });
    text.focus({ preventScroll: true });
  }

  /** Fetches with the key and opens the bytes in a new tab (or downloads them when the browser blocks the tab). */
  const openBlob = (url, fileName) => window.Pipeline.openBlob(api, url, fileName, (e) => showProblem($('list-problem'), e));

  // ---- Wiring ---------------------------------------------------------------------------------------------

  function onSearch(event) {
    event.preventDefault();
    state.q = $('search').value.trim();
    state.page = 1;
    loadList();
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('key-form').addEventListener('submit', onSaveKey);
    $('key-forget').addEventListener('click', onForgetKey);
    $('upload-form').addEventListener('submit', onUpload);
    $('search-form').addEventListener('submit', onSearch);
    $('search-clear').addEventListener('click', () => { $('search').value = ''; state.q = ''; state.page = 1; loadList(); });
    $('refresh').addEventListener('click', () => { state.stopped = false; loadList(); });
    $('page-prev').addEventListener('click', () => { if (state.page > 1) { state.page -= 1; loadList(); } });
    $('page-next').addEventListener('click', () => { state.page += 1; loadList(); });
    $('viewer-close').addEventListener('click', () => { $('viewer').hidden = true; $('viewer-text').textContent = ''; });
    showKeyState();
    if (apiKey()) loadList();
  });
})();
