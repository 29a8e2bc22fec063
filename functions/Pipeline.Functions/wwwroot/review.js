// The review page (/review/{id}), loaded after common.js. The document id is read from the address. It uses the key the
// clerk saved on the main page (sessionStorage of this tab) or asks for it; every API call sends it in x-functions-key,
// page images included (fetched as blobs and shown from object URLs, since an img cannot send a header). Every value
// from the server reaches the page as text or as a form value, never as markup. Save sends only the fields the reviewer
// changed or marked checked.
'use strict';
(() => {
  // Below this a field is shown as doubtful (the server's default review threshold).
  const LOW_CONFIDENCE = 0.9;
  const POLL_MS = 2000;
  const KEY_FIELDS = new Set(['code', 'date', 'type', 'issuer']);
  const CORRECTABLE = new Set(['NeedsReview', 'Digitised']);
  /** The fields in API order: label in Vietnamese and English, a multi-line box where the value has lines. */
  const FIELDS = [
    { name: 'issuer', vi: 'Cơ quan ban hành', en: 'Issuing body', multiline: true, hint: 'Mỗi dòng như in trên văn bản. (One line per printed line.)' },
    { name: 'code', vi: 'Số, ký hiệu', en: 'Number and symbol', hint: 'Ví dụ 587-KH/TU' },
    { name: 'number', vi: 'Số', en: 'Number' },
    { name: 'symbol', vi: 'Ký hiệu', en: 'Symbol' },
    { name: 'type', vi: 'Loại văn bản', en: 'Document type', hint: 'Ví dụ Kế hoạch, Quyết định, Công văn' },
    { name: 'summary', vi: 'Trích yếu', en: 'Summary', multiline: true },
    { name: 'place', vi: 'Địa danh', en: 'Place' },
    { name: 'date', vi: 'Ngày ban hành', en: 'Date', hint: 'Dạng yyyy-MM-dd, ví dụ 2025-05-18' },
    { name: 'signerAuthority', vi: 'Thẩm quyền ký', en: 'Signing authority', hint: 'Ví dụ TM., KT., TL., TUQ.' },
    { name: 'signerTitle', vi: 'Chức vụ người ký', en: 'Signer’s title' },
    { name: 'signer', vi: 'Người ký', en: 'Signer' },
    { name: 'recipients', vi: 'Nơi nhận', en: 'Recipients', multiline: true, list: true, hint: 'Mỗi dòng một nơi nhận. (One per line.)' },
    { name: 'secrecy', vi: 'Dấu độ mật', en: 'Secrecy stamp', hint: 'MẬT, TỐI MẬT, TUYỆT MẬT hoặc để trống' },
    { name: 'urgency', vi: 'Độ khẩn', en: 'Urgency', hint: 'Ví dụ KHẨN, THƯỢNG KHẨN, HỎA TỐC hoặc để trống' },
  ];

  const { STATUS_LABELS, SECRECY_LABELS, IN_PROGRESS, $, apiKey, Problem, asProblem, el, english, clearProblem, storeKeyFrom } = window.Pipeline;
  const api = window.Pipeline.createApi('Dán khóa trong tệp <thư mục dữ liệu>/admin.key vào ô “Khóa API”.');
  const state = { id: '', doc: null, original: {}, page: 1, images: new Map(), imageVersion: 0, poll: null, saving: false };

  // ---- Helpers --------------------------------------------------------------------------------------------

  /** Shows the problem; a refused key (401) also opens the key card. */
  function showProblem(container, e) {
    if (window.Pipeline.showProblem(container, e).status === 401) showKeyCard(true);
  }

  function documentUrl() { return '/api/documents/' + encodeURIComponent(state.id); }

  function statusLabel(status) { return `${STATUS_LABELS[status] || status || '?'} (${status || '?'})`; }

  // ---- Key ------------------------------------------------------------------------------------------------

  function showKeyCard(show) {
    $('key-card').hidden = !show;
    if (show) $('key-input').focus();
  }

  function onSaveKey(event) {
    event.preventDefault();
    if (!storeKeyFrom($('key-input'))) return;
    showKeyCard(false);
    forgetImages();
    load();
  }

  // ---- Document -------------------------------------------------------------------------------------------

  async function load() {
    if (state.poll !== null) { clearTimeout(state.poll); state.poll = null; }
    if (!state.id) {
      showProblem($('load-problem'), new Problem('Địa chỉ không có mã văn bản (no document id in the address)', 'Mở trang từ danh sách văn bản: /review/<mã văn bản>.'));
      return;
    }
    if (!apiKey()) {
      $('load-state').textContent = 'Nhập khóa API để mở văn bản. (Enter the API key to open the document.)';
      showKeyCard(true);
      return;
    }
    $('load-state').textContent = state.doc ? '' : 'Đang tải văn bản… (loading)';
    try {
      const doc = await (await api(documentUrl())).json();
      clearProblem($('load-problem'));
      $('load-state').textContent = '';
      render(doc);
    } catch (e) {
      $('load-state').textContent = '';
      showProblem($('load-problem'), e);
    }
  }

  /** Shows <code>doc</code>: facts, duplicate warning, fields (as the server has them) and the page image. */
  function render(doc) {
    state.doc = doc;
    document.title = `Kiểm tra: ${doc.fileName || doc.id} – Pipeline`;
    $('doc-title').textContent = doc.fileName || doc.id;
    const status = $('doc-status');
    status.className = `status status-${doc.status}`;
    status.dataset.status = doc.status || '';
    status.textContent = statusLabel(doc.status);
    $('doc-secrecy').textContent = SECRECY_LABELS[doc.secrecy] || doc.secrecy || '–';
    $('doc-pages').textContent = doc.pages === null || doc.pages === undefined ? '–' : String(doc.pages);

    const reason = $('review-reason');
    const why = doc.status === 'NeedsReview' ? doc.reviewReason : (doc.error && (doc.error.message || doc.error.code));
    reason.textContent = why ? `${doc.status === 'NeedsReview' ? 'Lý do cần kiểm tra (why)' : 'Lỗi (error)'}: ${why}` : '';
    reason.hidden = !why;

    renderDuplicates(doc);
    $('document-card').hidden = false;
    $('review-layout').hidden = false;
    renderFields(doc);
    renderPages(doc);
    if (IN_PROGRESS.has(doc.status)) state.poll = setTimeout(load, POLL_MS);
  }

  function renderDuplicates(doc) {
    const box = $('duplicates');
    const ids = Array.isArray(doc.duplicates) ? doc.duplicates.filter((d) => typeof d === 'string' && d) : [];
    box.replaceChildren();
    box.hidden = ids.length === 0;
    if (ids.length === 0) return;
    box.append(el('strong', null, '⚠ Có thể trùng văn bản đã có '), english('(possible duplicate)'));
    box.append(el('p', null, 'Cùng số, ký hiệu và cơ quan ban hành với các văn bản sau. (Same number, symbol and issuer as:)'));
    const list = el('ul');
    for (const id of ids) {
      const a = el('a', null, id);
      a.href = '/review/' + encodeURIComponent(id);
      const item = el('li');
      item.append(a);
      list.append(item);
    }
    box.append(list);
  }

  /** Key fields the server names as doubtful in the review reason ("Check these fields against the scan: code, date."). */
  function doubtfulFromReason(doc) {
    const names = new Set();
    if (doc.status !== 'NeedsReview' || typeof doc.reviewReason !== 'string') return names;
    const match = /fields[^:]*:\s*([A-Za-z, ]+)\.?\s*$/.exec(doc.reviewReason);
    if (!match) return names;
    for (const name of match[1].split(',')) if (KEY_FIELDS.has(name.trim())) names.add(name.trim());
    return names;
  }

  function fieldText(def, field) {
    if (def.list) return Array.isArray(field.value) ? field.value.map((v) => String(v)).join('\n') : '';
    return field.value === null || field.value === undefined ? '' : String(field.value);
  }

  function renderFields(doc) {
    const fields = doc.fields && typeof doc.fields === 'object' ? doc.fields : {};
    const doubtful = doubtfulFromReason(doc);
    const editable = CORRECTABLE.has(doc.status);
    state.original = {};
    $('fields').replaceChildren(...FIELDS.map((def) => fieldRow(def, fields[def.name] || {}, doubtful, editable)));
    $('save-button').disabled = !editable;
    $('undo-button').disabled = !editable;
    clearProblem($('save-problem'));
    setSaveState(editable ? '' : IN_PROGRESS.has(doc.status)
      ? 'Văn bản đang được số hóa; các trường hiện ra khi xong. (Still being digitised.)'
      : `Không sửa được văn bản ở trạng thái ${statusLabel(doc.status)}. (Fields cannot be corrected in this status.)`);
  }

  function fieldRow(def, field, doubtful, editable) {
    const name = def.name;
    const value = fieldText(def, field);
    state.original[name] = value;
    const confidence = Math.max(0, Math.min(1, Number(field.confidence) || 0));
    const corrected = field.corrected === true;
    const hasValue = value.trim() !== '';
    // A field that was not found and is not needed (no urgency stamp, say) is not doubtful: most documents have none.
    const low = !corrected && (doubtful.has(name) || (confidence < LOW_CONFIDENCE && (hasValue || KEY_FIELDS.has(name))));

    const row = el('div', 'review-field');
    row.dataset.field = name;
    if (low) row.classList.add('low-confidence');
    if (corrected) row.classList.add('corrected');

    const head = el('div', 'field-head');
    const label = el('label', null, def.vi + ' ');
    label.htmlFor = 'f-' + name;
    label.append(english(def.en));
    const shown = el('span', 'confidence', `Độ tin cậy ${Math.round(confidence * 100)}% `);
    shown.dataset.confidence = String(confidence);
    shown.append(english('confidence'));
    head.append(label, shown);
    row.append(head);

    const input = def.multiline ? el('textarea') : el('input');
    if (def.multiline) input.rows = def.list ? 4 : Math.max(2, Math.min(6, value.split('\n').length + 1));
    else input.type = 'text';
    input.id = 'f-' + name;
    input.name = name;
    input.value = value;
    input.disabled = !editable;
    input.dataset.field = name;
    if (name === 'code' || name === 'date' || name === 'symbol' || name === 'number') input.spellcheck = false;
    if (name === 'date') input.inputMode = 'numeric';
    input.addEventListener('input', () => onEdit(row));
    row.append(input);

    const notes = [];
    if (def.hint) notes.push(el('span', 'hint field-hint', def.hint));
    if (low) {
      notes.push(el('span', 'marker marker-low', confidence < LOW_CONFIDENCE
        ? '⚠ Cần kiểm tra: độ tin cậy thấp, đối chiếu với bản quét (low confidence: check against the scan)'
        : '⚠ Cần kiểm tra: máy chủ yêu cầu đối chiếu trường này (flagged for review)'));
    } else if (corrected) {
      notes.push(el('span', 'marker marker-corrected', '✓ Đã sửa bởi người kiểm tra (corrected)'));
    } else if (!hasValue) {
      notes.push(el('span', 'marker marker-missing', 'Không thấy trên bản quét (not found)'));
    }
    notes.forEach((note, i) => { note.id = `f-${name}-note${i}`; row.append(note); });
    if (notes.length) input.setAttribute('aria-describedby', notes.map((n) => n.id).join(' '));
    if (low) input.setAttribute('aria-invalid', 'true');

    if (low && editable) {
      // Confirms a value that was read right: it is saved as corrected even though it did not change.
      const confirm = el('label', 'confirm');
      const box = el('input', 'confirm-box');
      box.type = 'checkbox';
      box.id = 'c-' + name;
      box.dataset.field = name;
      box.addEventListener('change', updatePending);
      confirm.append(box, document.createTextNode('Đã đối chiếu, giữ giá trị này '), english('(checked against the scan)'));
      row.append(confirm);
    }
    return row;
  }

  function onEdit(row) {
    // Typing into a doubtful field is the reviewer's answer to it, even when the value comes out the same.
    const box = row.querySelector('input.confirm-box');
    if (box) box.checked = true;
    updatePending();
  }

  function same(a, b) { return a.replace(/\r\n?/g, '\n').trim() === b.replace(/\r\n?/g, '\n').trim(); }

  /** What the API takes: recipients as a list, issuer as its lines; an emptied field is cleared (null). */
  function apiValue(def, text) {
    const lines = text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trim()).filter((l) => l !== '');
    if (def.list) return lines;
    if (def.multiline) return lines.length ? lines.join(def.name === 'issuer' ? '\n' : ' ') : null;
    const value = text.trim();
    return value === '' ? null : value;
  }

  /** The corrections to send: fields whose value changed, and doubtful fields the reviewer marked checked. */
  function pendingCorrections() {
    const corrections = {};
    for (const def of FIELDS) {
      const input = $('f-' + def.name);
      if (!input || input.disabled) continue;
      const box = $('c-' + def.name);
      const changed = !same(input.value, state.original[def.name] || '');
      if (changed || (box && box.checked)) corrections[def.name] = apiValue(def, input.value);
      input.closest('.review-field').classList.toggle('pending', changed || Boolean(box && box.checked));
    }
    return corrections;
  }

  function updatePending() {
    const count = Object.keys(pendingCorrections()).length;
    setSaveState(count ? `${count} trường sẽ được lưu khi bấm “Lưu sửa đổi”. (${count} to save.)` : '');
  }

  function setSaveState(text, className) {
    const node = $('save-state');
    node.textContent = text;
    node.className = className || '';
  }

  async function onSave(event) {
    event.preventDefault();
    if (state.saving || !state.doc) return;
    const problemBox = $('save-problem');
    clearProblem(problemBox);
    const corrections = pendingCorrections();
    const count = Object.keys(corrections).length;
    if (count === 0) {
      setSaveState('Không có gì thay đổi để lưu. (Nothing changed.)');
      return;
    }
    const before = state.doc.status;
    const button = $('save-button');
    state.saving = true;
    button.disabled = true;
    setSaveState('Đang lưu… (saving)');
    try {
      const response = await api(documentUrl() + '/fields', {
        method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(corrections),
      });
      const doc = await response.json();
      render(doc);
      let message = `Đã lưu ${count} trường. (Saved ${count}.)`;
      if (doc.status !== before) message += ` Trạng thái: ${statusLabel(before)} → ${statusLabel(doc.status)}.`;
      setSaveState(message, 'saved');
    } catch (e) {
      setSaveState('Chưa lưu: không có thay đổi nào được ghi. (Not saved.)');
      showProblem(problemBox, e);
    } finally {
      state.saving = false;
      button.disabled = !CORRECTABLE.has(state.doc.status);
    }
  }

  function onUndo() {
    if (!state.doc) return;
    renderFields(state.doc);
  }

  // ---- Page images ----------------------------------------------------------------------------------------

  function forgetImages() {
    for (const url of state.images.values()) URL.revokeObjectURL(url);
    state.images.clear();
  }

  function renderPages(doc) {
    const count = !IN_PROGRESS.has(doc.status) && Number(doc.pages) > 0 ? Number(doc.pages) : 0;
    const select = $('page-select');
    if (select.options.length !== count) {
      select.replaceChildren(...Array.from({ length: count }, (_, i) => {
        const option = el('option', null, String(i + 1));
        option.value = String(i + 1);
        return option;
      }));
    }
    $('page-count').textContent = count ? `/ ${count}` : '';
    select.disabled = count <= 1;
    if (count === 0) {
      $('page-image').hidden = true;
      $('page-prev').disabled = true;
      $('page-next').disabled = true;
      $('page-state').textContent = 'Trang chưa sẵn sàng: văn bản chưa được số hóa xong. (The pages are not ready yet.)';
      return;
    }
    if (state.page < 1 || state.page > count) state.page = 1;
    showPage(state.page);
  }

  async function showPage(n) {
    const doc = state.doc;
    const count = Number(doc.pages) || 0;
    state.page = n;
    $('page-select').value = String(n);
    $('page-prev').disabled = n <= 1;
    $('page-next').disabled = n >= count;
    const version = ++state.imageVersion;
    const image = $('page-image');
    let url = state.images.get(n);
    if (!url) {
      $('page-state').textContent = `Đang tải trang ${n}… (loading page ${n})`;
      try {
        const blob = await (await api(`${documentUrl()}/pages/${n}/image`)).blob();
        url = URL.createObjectURL(blob);
        if (state.images.has(n)) URL.revokeObjectURL(state.images.get(n));
        state.images.set(n, url);
      } catch (e) {
        if (version !== state.imageVersion) return;
        const problem = asProblem(e);
        image.hidden = true;
        $('page-state').textContent = `Không tải được trang ${n}: ${problem.title}${problem.detail ? ' – ' + problem.detail : ''}`;
        if (problem.status === 401) showKeyCard(true);
        return;
      }
    }
    if (version !== state.imageVersion) return; // another page was chosen meanwhile
    image.alt = `Trang ${n}/${count} của ${doc.fileName || doc.id} (page ${n} of ${count})`;
    image.dataset.page = String(n);
    image.src = url;
    image.hidden = false;
    $('page-state').textContent = '';
  }

  // ---- Wiring ---------------------------------------------------------------------------------------------

  document.addEventListener('DOMContentLoaded', () => {
    const match = /^\/review\/([^/]+)\/?$/.exec(location.pathname);
    try { state.id = match ? decodeURIComponent(match[1]) : ''; } catch (_) { state.id = ''; }
    $('key-form').addEventListener('submit', onSaveKey);
    $('change-key').addEventListener('click', () => showKeyCard(true));
    $('fields-form').addEventListener('submit', onSave);
    $('undo-button').addEventListener('click', onUndo);
    $('page-select').addEventListener('change', () => showPage(Number($('page-select').value) || 1));
    $('page-prev').addEventListener('click', () => { if (state.page > 1) showPage(state.page - 1); });
    $('page-next').addEventListener('click', () => { if (state.doc && state.page < Number(state.doc.pages)) showPage(state.page + 1); });
    load();
  });
})();
