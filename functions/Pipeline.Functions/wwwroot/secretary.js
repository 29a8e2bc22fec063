// The secretary's page (/secretary), loaded after common.js. Every API call sends the key of this tab; every value from
// the server reaches the page as text (textContent) or as a form value, never as markup. The chosen meeting is re-read
// every few seconds until it is archived with its minutes, keeping what the secretary is typing.
'use strict';
(() => {
  const POLL_MS = 3000;
  const VN_OFFSET_MS = 7 * 3600 * 1000;
  const MEETING_STATUS = Object.freeze({
    Draft: 'Dự thảo', Published: 'Đã phát hành', InSession: 'Đang họp', Concluded: 'Đã kết thúc', Archived: 'Đã lưu trữ',
  });
  /** The next step of a meeting's life: the button's label and the route. */
  const NEXT = Object.freeze({
    Draft: { label: 'Phát hành', en: 'Publish', action: 'publish' },
    Published: { label: 'Bắt đầu họp', en: 'Start', action: 'start' },
    InSession: { label: 'Kết thúc họp', en: 'Conclude', action: 'conclude' },
    Concluded: { label: 'Lưu trữ', en: 'Archive', action: 'archive' },
  });
  const ANSWERS = Object.freeze({ agree: 'Đồng ý', disagree: 'Không đồng ý', other: 'Ý kiến khác' });
  const CHOICES = Object.freeze({ yes: 'Tán thành', no: 'Không tán thành', abstain: 'Không biểu quyết' });
  const NO_KEY_DETAIL = 'Dán khóa trong tệp <thư mục dữ liệu>/admin.key vào ô “Khóa API” ở đầu trang.';

  const { $, apiKey, storeKeyFrom, forgetKey, el, english, clearProblem } = window.Pipeline;
  const api = window.Pipeline.createApi(NO_KEY_DETAIL);
  const state = { approved: [], meetingId: '', meeting: null, shown: '', poll: null, generation: 0, busy: false, rows: 0, archiving: '' };

  // ---- Helpers --------------------------------------------------------------------------------------------

  // Every mistake of a refused meeting is listed, not only the title.
  const showProblem = window.Pipeline.showProblemWithErrors;

  /** Sends JSON with the key; resolves to the answer's body (or {}); a problem keeps its <code>errors</code>. */
  const send = (method, url, body) => window.Pipeline.sendJson(api, method, url, body);

  const pad = (n) => String(n).padStart(2, '0');

  /** A server time as an office in Vietnam reads it: dd/MM/yyyy HH:mm (UTC+7, no daylight saving). */
  function vietnamTime(value) {
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) return value ? String(value) : '–';
    const d = new Date(ms + VN_OFFSET_MS);
    return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  }

  /** A datetime-local value ("2026-12-15T08:00") as a time in Vietnam ("2026-12-15T08:00:00+07:00"); '' when empty. */
  function fromLocalInput(value) {
    if (!value) return '';
    return (value.length === 16 ? value + ':00' : value) + '+07:00';
  }

  function statusLabel(status) { return `${MEETING_STATUS[status] || status || '?'} (${status || '?'})`; }

  function meetingUrl(id) { return '/api/meetings/' + encodeURIComponent(id || state.meetingId); }

  function button(label, en, className) {
    const b = el('button', className || null, label + ' ');
    b.type = 'button';
    if (en) b.append(english(en));
    return b;
  }

  function labelled(labelText, input, en) {
    const field = el('div', 'field');
    const label = el('label', null, labelText + ' ');
    if (en) label.append(english(en));
    label.htmlFor = input.id;
    field.append(label, input);
    return field;
  }

  /** "Tên <email>" or "email" per line → participants as the API takes them. */
  function parseParticipants(text) {
    const people = [];
    for (const raw of String(text || '').split('\n')) {
      const line = raw.trim();
      if (!line) continue;
      const match = /^(.*?)\s*<([^<>]*)>\s*$/.exec(line);
      if (match) {
        const name = match[1].trim();
        people.push(name ? { email: match[2].trim(), name } : match[2].trim());
      } else {
        people.push(line);
      }
    }
    return people;
  }

  function emailsOf(text) {
    return String(text || '').split(/[\n,;]/).map((s) => s.trim()).filter((s) => s)
      .map((s) => { const m = /<([^<>]*)>/.exec(s); return m ? m[1].trim() : s; });
  }

  /** Fetches with the key and opens the bytes in a new tab (or downloads them when the browser blocks the tab). */
  const openBlob = (url, fileName, problemBox) => window.Pipeline.openBlob(api, url, fileName, (e) => showProblem(problemBox, e));

  // ---- Key ------------------------------------------------------------------------------------------------

  function onSaveKey(event) {
    event.preventDefault();
    if (!storeKeyFrom($('key-input'))) return;
    $('key-state').textContent = 'Đã lưu khóa cho thẻ này. (Key saved for this tab.)';
    loadAll();
  }

  function onForgetKey() {
    forgetKey();
    stopPolling();
    $('key-state').textContent = 'Đã xóa khóa. (Key forgotten.)';
  }

  // ---- List -----------------------------------------------------------------------------------------------

  async function loadAll() {
    await Promise.all([loadMeetings(), loadApproved()]);
    if (state.meetingId) loadMeeting();
  }

  async function loadMeetings() {
    const problemBox = $('list-problem');
    if (!apiKey()) { $('list-summary').textContent = 'Nhập khóa API để xem các cuộc họp. (Enter the API key.)'; return; }
    try {
      const body = await (await api('/api/meetings')).json();
      clearProblem(problemBox);
      const meetings = Array.isArray(body.meetings) ? body.meetings : [];
      renderMeetings(meetings);
      $('list-summary').textContent = meetings.length === 0 ? 'Chưa có cuộc họp nào. (No meetings yet.)' : `${meetings.length} cuộc họp (meetings)`;
    } catch (e) {
      showProblem(problemBox, e);
    }
  }

  function renderMeetings(meetings) {
    const rows = [];
    for (const m of meetings) {
      const tr = el('tr');
      tr.dataset.meetingId = m.meetingId || '';
      tr.dataset.status = m.status || '';
      if (m.meetingId === state.meetingId) tr.className = 'selected';
      const title = el('td', 'title', m.title || m.meetingId);
      const when = el('td', 'time', vietnamTime(m.startsAt));
      const place = el('td', 'place', m.place || '–');
      const status = el('td');
      status.append(el('span', `status status-${m.status}`, statusLabel(m.status)));
      const pack = el('td', 'pack', m.packVersion ? `Bản ${m.packVersion}` : '–');
      const open = el('td');
      const b = button('Mở', 'Open', 'link');
      b.dataset.action = 'open-meeting';
      b.addEventListener('click', () => select(m.meetingId));
      open.append(b);
      tr.append(title, when, place, status, pack, open);
      rows.push(tr);
    }
    $('meeting-rows').replaceChildren(...rows);
  }

  // ---- Approved documents and the create form ---------------------------------------------------------------

  async function loadApproved() {
    if (!apiKey()) return;
    try {
      const body = await (await api('/api/documents?status=Approved&pageSize=100')).json();
      state.approved = Array.isArray(body.documents) ? body.documents : [];
      $('approved-state').textContent = state.approved.length === 0
        ? 'Chưa có văn bản đã duyệt. (No approved documents.)' : `${state.approved.length} văn bản đã duyệt để chọn. (approved documents)`;
      for (const row of $('agenda-rows').children) fillChoices(row);
    } catch (e) {
      $('approved-state').textContent = 'Không tải được văn bản đã duyệt: ' + window.Pipeline.asProblem(e).title;
    }
  }

  function documentLabel(d) {
    const parts = [d.code, d.summary || d.fileName].filter((p) => p);
    return parts.length ? parts.join(' – ') : d.id;
  }

  /** Puts the approved documents as checkboxes in an agenda row, keeping what was ticked. */
  function fillChoices(row) {
    const box = row.querySelector('.doc-choices');
    const ticked = new Set([...box.querySelectorAll('input:checked')].map((i) => i.value));
    const n = row.dataset.row;
    const choices = [];
    for (const d of state.approved) {
      const label = el('label');
      const input = el('input');
      input.type = 'checkbox';
      input.value = d.id;
      input.id = `a${n}-doc-${d.id}`;
      input.checked = ticked.has(d.id);
      label.append(input, document.createTextNode(' ' + documentLabel(d)));
      choices.push(label);
    }
    if (choices.length === 0) choices.push(el('span', 'hint', 'Không có văn bản đã duyệt. (none)'));
    box.replaceChildren(...choices);
  }

  function addAgendaRow() {
    const n = ++state.rows;
    const row = el('div', 'agenda-row');
    row.dataset.row = String(n);
    const number = el('span', 'number');
    const title = el('input'); title.type = 'text'; title.id = `a${n}-title`; title.className = 'agenda-title';
    const presenter = el('input'); presenter.type = 'text'; presenter.id = `a${n}-presenter`; presenter.className = 'agenda-presenter';
    const docs = el('div', 'field');
    const docsLabel = el('span', 'label', 'Văn bản đã duyệt ');
    docsLabel.append(english('Approved documents'));
    const choices = el('div', 'doc-choices');
    choices.setAttribute('role', 'group');
    choices.setAttribute('aria-label', 'Văn bản đã duyệt');
    docs.append(docsLabel, choices);
    const remove = button('Xóa', 'Remove', 'secondary');
    remove.addEventListener('click', () => { row.remove(); renumber(); });
    const info = el('input'); info.type = 'text'; info.id = `a${n}-info`; info.className = 'agenda-info';
    const restricted = el('input'); restricted.type = 'text'; restricted.id = `a${n}-participants`; restricted.className = 'agenda-participants';
    restricted.spellcheck = false;
    const more = el('div', 'more');
    more.append(labelled('Để biết – lý do (không bắt buộc)', info, 'For information: reason'),
      labelled('Chỉ những người này được xem (email, cách nhau dấu phẩy)', restricted, 'Restricted to'));
    row.append(number, labelled('Nội dung', title, 'Item title'), labelled('Người trình bày', presenter, 'Presenter'), docs, remove, more);
    $('agenda-rows').append(row);
    fillChoices(row);
    renumber();
    return row;
  }

  function renumber() {
    [...$('agenda-rows').children].forEach((row, i) => { row.querySelector('.number').textContent = `${i + 1}.`; });
  }

  async function onCreate(event) {
    event.preventDefault();
    const problemBox = $('create-problem');
    clearProblem(problemBox);
    const body = {
      title: $('m-title').value.trim(),
      startsAt: fromLocalInput($('m-starts').value),
      place: $('m-place').value.trim(),
      chair: $('m-chair').value.trim(),
      secretary: $('m-secretary').value.trim(),
      dossier: $('m-dossier').value.trim(),
      participants: parseParticipants($('m-participants').value),
      agenda: [...$('agenda-rows').children].map((row) => {
        const item = {
          title: row.querySelector('.agenda-title').value.trim(),
          presenter: row.querySelector('.agenda-presenter').value.trim(),
          documentIds: [...row.querySelectorAll('.doc-choices input:checked')].map((i) => i.value),
        };
        const info = row.querySelector('.agenda-info').value.trim();
        if (info) item.forInformation = info;
        const restricted = emailsOf(row.querySelector('.agenda-participants').value);
        if (restricted.length) item.participants = restricted;
        return item;
      }),
    };
    for (const k of ['place', 'chair', 'secretary', 'dossier']) if (!body[k]) delete body[k];
    const createButton = $('create-button');
    createButton.disabled = true;
    $('create-state').textContent = 'Đang tạo… (creating)';
    try {
      const created = await send('POST', '/api/meetings', body);
      $('create-state').textContent = `Đã tạo cuộc họp “${created.title || body.title}”. (Created.)`;
      $('create-form').reset();
      $('agenda-rows').replaceChildren();
      addAgendaRow();
      await loadMeetings();
      if (created.meetingId) select(created.meetingId);
    } catch (e) {
      $('create-state').textContent = '';
      showProblem(problemBox, e);
    } finally {
      createButton.disabled = false;
    }
  }

  // ---- The chosen meeting -----------------------------------------------------------------------------------

  function stopPolling() {
    if (state.poll !== null) { clearTimeout(state.poll); state.poll = null; }
  }

  function select(id) {
    stopPolling();
    state.meetingId = id;
    state.meeting = null;
    state.shown = '';
    for (const tr of $('meeting-rows').children) tr.classList.toggle('selected', tr.dataset.meetingId === id);
    clearProblem($('detail-problem'));
    $('detail').hidden = false;
    loadMeeting().then(() => $('detail').scrollIntoView({ block: 'start' }));
  }

  function closeDetail() {
    stopPolling();
    state.meetingId = '';
    state.meeting = null;
    $('detail').hidden = true;
    for (const tr of $('meeting-rows').children) tr.classList.remove('selected');
  }

  function finished(m) { return m && m.status === 'Archived' && m.minutesDocumentId; }

  async function loadMeeting() {
    stopPolling();
    const id = state.meetingId;
    if (!id) return;
    const generation = ++state.generation;
    try {
      const meeting = await (await api(meetingUrl(id))).json();
      if (id !== state.meetingId) return;
      const before = state.meeting;
      render(meeting);
      if (before && (before.status !== meeting.status || before.packVersion !== meeting.packVersion)) loadMeetings();
    } catch (e) {
      if (id === state.meetingId) showProblem($('detail-problem'), e);
    }
    // Only the latest read schedules the next one, so overlapping reads never start a second poll.
    if (generation === state.generation && id === state.meetingId && !finished(state.meeting)) state.poll = setTimeout(loadMeeting, POLL_MS);
  }

  /** Runs a change on the meeting, shows its problem if any, then re-reads the meeting. */
  async function act(work, stateBox, doneText) {
    if (state.busy) return;
    state.busy = true;
    const problemBox = $('detail-problem');
    clearProblem(problemBox);
    try {
      await work();
      if (stateBox && doneText) stateBox.textContent = doneText;
      return true;
    } catch (e) {
      showProblem(problemBox, e);
      return false;
    } finally {
      state.busy = false;
      await loadMeeting();
    }
  }

  /** The values the secretary is typing (marked dirty), kept across a re-render. */
  function keepTyping() {
    const kept = new Map();
    for (const input of $('detail').querySelectorAll('[data-dirty]')) kept.set(input.id, input.type === 'checkbox' ? input.checked : input.value);
    const focused = document.activeElement && $('detail').contains(document.activeElement) ? document.activeElement.id : '';
    return { kept, focused };
  }

  function restoreTyping({ kept, focused }) {
    for (const [id, value] of kept) {
      const input = $(id);
      if (!input) continue;
      if (input.type === 'checkbox') input.checked = value; else input.value = value;
      input.dataset.dirty = '1';
    }
    if (focused && $(focused)) $(focused).focus({ preventScroll: true });
  }

  function markDirty(event) { if (event.target && event.target.id) event.target.dataset.dirty = '1'; }

  function render(m) {
    state.meeting = m;
    const text = JSON.stringify(m);
    if (text === state.shown) return;
    state.shown = text;
    const typing = keepTyping();

    $('detail').dataset.meetingId = m.meetingId || '';
    $('detail-title').textContent = m.title || m.meetingId;
    const status = $('detail-status');
    status.className = `status status-${m.status}`;
    status.dataset.status = m.status || '';
    status.textContent = statusLabel(m.status);
    $('detail-time').textContent = vietnamTime(m.startsAt);
    $('detail-place').textContent = m.place || '–';
    $('detail-chair').textContent = m.chair || '–';
    renderNext(m);
    renderMinutes(m);
    renderPacks(m);
    renderAttendance(m);
    renderItems(m);
    restoreTyping(typing);
  }

  function renderNext(m) {
    const next = NEXT[m.status];
    const b = $('detail-next');
    const info = $('detail-state');
    info.textContent = '';
    if (!next) { b.hidden = true; b.dataset.action = ''; return; }
    b.hidden = false;
    b.dataset.action = next.action;
    b.replaceChildren(document.createTextNode(next.label + ' '), english(next.en));
    b.disabled = false;
    if (m.status === 'Published' && !(m.packVersion > 0)) {
      b.disabled = true;
      info.textContent = 'Đang dựng tài liệu họp… (building the pack)';
    }
    if (m.status === 'Concluded' && state.archiving === m.meetingId) {
      b.disabled = true;
      info.textContent = 'Đang lập biên bản và lưu trữ… (writing the minutes)';
    }
  }

  async function onNext() {
    const m = state.meeting;
    const next = m && NEXT[m.status];
    if (!next) return;
    const ok = await act(() => send('POST', meetingUrl(m.meetingId) + '/' + next.action));
    if (ok && next.action === 'archive') { state.archiving = m.meetingId; state.shown = ''; render(state.meeting); }
  }

  function renderMinutes(m) {
    const box = $('minutes');
    box.replaceChildren();
    box.hidden = !m.minutesDocumentId;
    if (!m.minutesDocumentId) return;
    const id = m.minutesDocumentId;
    const a = el('a', 'minutes-link', 'Biên bản cuộc họp (PDF lưu trữ)');
    a.href = '/api/documents/' + encodeURIComponent(id) + '/archive';
    a.id = 'minutes-link';
    a.dataset.documentId = id;
    a.addEventListener('click', (event) => { event.preventDefault(); openBlob(a.href, 'bien-ban.pdf', $('detail-problem')); });
    box.append(el('span', null, 'Đã lưu trữ. '), a, document.createTextNode(' '), english(`Minutes, document ${id}`));
  }

  function renderPacks(m) {
    const packs = Array.isArray(m.packs) ? m.packs : [];
    const items = packs.map((p) => {
      const li = el('li', p.superseded ? 'pack superseded-pack' : 'pack');
      li.dataset.packVersion = String(p.version);
      li.dataset.superseded = p.superseded ? 'true' : 'false';
      const a = el('a', p.superseded ? 'superseded' : null, `Bản ${p.version}`);
      a.href = p.url || `${meetingUrl(m.meetingId)}/pack?version=${p.version}`;
      a.addEventListener('click', (event) => { event.preventDefault(); openBlob(a.href, `tai-lieu-hop-ban-${p.version}.pdf`, $('detail-problem')); });
      li.append(a, document.createTextNode(` – ${p.pages} trang, dựng lúc ${vietnamTime(p.builtAt)}`));
      if (p.superseded) li.append(el('span', 'hint', ' (đã thay thế – superseded)'));
      return li;
    });
    if (items.length === 0) items.push(el('li', 'hint', m.status === 'Draft' ? 'Chưa phát hành. (Not published yet.)' : 'Chưa có. (None yet.)'));
    $('packs').replaceChildren(...items);
  }

  function participantName(m, email) {
    const p = (m.participants || []).find((x) => x && x.email === email);
    return p && p.name ? `${p.name} <${email}>` : email;
  }

  function renderAttendance(m) {
    const present = new Set(m.attendance || []);
    const editable = m.status === 'InSession' || m.status === 'Concluded';
    const boxes = (m.participants || []).map((p, i) => {
      const label = el('label');
      const input = el('input');
      input.type = 'checkbox';
      input.id = `present-${i}`;
      input.value = p.email;
      input.checked = present.has(p.email);
      input.disabled = !editable;
      label.append(input, document.createTextNode(' ' + participantName(m, p.email)));
      return label;
    });
    $('attendance').replaceChildren(...boxes);
    $('attendance-save').disabled = !editable;
    $('attendance-save').hidden = !editable;
  }

  async function onSaveAttendance(event) {
    event.preventDefault();
    const present = [...$('attendance').querySelectorAll('input:checked')].map((i) => i.value);
    for (const input of $('attendance').querySelectorAll('input')) delete input.dataset.dirty;
    await act(() => send('PUT', meetingUrl() + '/attendance', { present }), $('attendance-state'), 'Đã lưu điểm danh. (Saved.)');
  }

  function renderItems(m) {
    const items = (m.agenda || []).map((item) => renderItem(m, item));
    $('items').replaceChildren(...items);
  }

  function renderItem(m, item) {
    const n = item.number;
    const li = el('li', 'item');
    li.dataset.item = String(n);
    li.append(el('div', 'item-head', item.title));
    const facts = [];
    if (item.presenter) facts.push('Trình bày: ' + item.presenter);
    facts.push(`${(item.documentIds || []).length} văn bản`);
    if (item.forInformation) facts.push('Để biết: ' + item.forInformation);
    if (Array.isArray(item.participants) && item.participants.length) facts.push('Chỉ: ' + item.participants.join(', '));
    li.append(el('div', 'small', facts.join(' · ')));
    li.append(renderOpinions(m, item), renderVote(m, item), renderConclusion(m, item));
    return li;
  }

  function renderOpinions(m, item) {
    const n = item.number;
    const box = el('div', 'sub opinions');
    box.append(el('h4', null, 'Xin ý kiến bằng văn bản'));
    const o = item.opinions;
    if (o) {
      box.dataset.closed = o.closed ? 'true' : 'false';
      box.append(el('p', null, `Câu hỏi: ${o.question}`));
      box.append(el('p', 'small', `Hạn trả lời: ${vietnamTime(o.deadline)}${o.closed ? ' – đã đóng (closed)' : ''}`));
      const t = o.tally || {};
      box.append(el('p', 'tally opinion-tally', `${ANSWERS.agree}: ${t.agree || 0} · ${ANSWERS.disagree}: ${t.disagree || 0} · ${ANSWERS.other}: ${t.other || 0}`));
      if (Array.isArray(o.answers) && o.answers.length) {
        const list = el('ul', 'answers');
        for (const a of o.answers) {
          list.append(el('li', null, `${participantName(m, a.participant)}: ${ANSWERS[a.answer] || a.answer}${a.comment ? ' – ' + a.comment : ''}`));
        }
        box.append(list);
      }
      const missing = Array.isArray(o.notAnswered) ? o.notAnswered : [];
      box.append(el('p', 'small not-answered', missing.length
        ? 'Chưa trả lời: ' + missing.map((e) => participantName(m, e)).join(', ')
        : 'Mọi người đã trả lời. (Everyone answered.)'));
      return box;
    }
    if (m.status !== 'Published' && m.status !== 'InSession') {
      box.append(el('p', 'hint', 'Chưa xin ý kiến. (Asked once the meeting is published.)'));
      return box;
    }
    const form = el('form', 'row');
    form.noValidate = true;
    const question = el('input'); question.type = 'text'; question.id = `q-${n}`; question.className = 'opinion-question';
    const deadline = el('input'); deadline.type = 'datetime-local'; deadline.id = `deadline-${n}`; deadline.className = 'opinion-deadline';
    const ask = el('button', null, 'Xin ý kiến ');
    ask.type = 'submit';
    ask.append(english('Ask'));
    form.append(labelled('Câu hỏi', question, 'Question'), labelled('Hạn (giờ Việt Nam)', deadline, 'Deadline'), ask);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const body = { question: question.value.trim(), deadline: fromLocalInput(deadline.value) };
      delete question.dataset.dirty; delete deadline.dataset.dirty;
      await act(() => send('POST', `${meetingUrl()}/items/${n}/opinions`, body));
    });
    box.append(form);
    return box;
  }

  function renderVote(m, item) {
    const n = item.number;
    const box = el('div', 'sub vote');
    box.append(el('h4', null, 'Biểu quyết'));
    const v = item.vote;
    if (v) {
      box.dataset.open = v.open ? 'true' : 'false';
      box.append(el('p', 'small', `${v.secret ? 'Bỏ phiếu kín' : 'Biểu quyết công khai'} – ${v.open ? 'đang mở (open)' : 'đã đóng (closed)'}`));
      box.append(el('p', 'tally vote-tally',
        `${CHOICES.yes}: ${v.yes} · ${CHOICES.no}: ${v.no} · ${CHOICES.abstain}: ${v.abstain} · Chưa biểu quyết: ${v.notVoted}`));
      if (!v.secret && Array.isArray(v.votes) && v.votes.length) {
        const list = el('ul', 'votes');
        for (const c of v.votes) list.append(el('li', null, `${participantName(m, c.participant)}: ${CHOICES[c.choice] || c.choice}`));
        box.append(list);
      }
      if (v.open && m.status === 'InSession') {
        const close = button('Đóng biểu quyết', 'Close vote', 'secondary');
        close.dataset.action = 'close-vote';
        close.addEventListener('click', () => act(() => send('POST', `${meetingUrl()}/items/${n}/vote/close`)));
        box.append(close);
      }
      return box;
    }
    if (m.status !== 'InSession') {
      box.append(el('p', 'hint', 'Biểu quyết mở khi đang họp. (Votes open in session.)'));
      return box;
    }
    const row = el('div', 'row');
    const named = button('Mở biểu quyết công khai', 'Open named vote', 'secondary');
    named.dataset.action = 'open-vote';
    named.addEventListener('click', () => act(() => send('POST', `${meetingUrl()}/items/${n}/vote`, { secret: false })));
    const secret = button('Mở bỏ phiếu kín', 'Open secret vote', 'secondary');
    secret.dataset.action = 'open-secret-vote';
    secret.addEventListener('click', () => act(() => send('POST', `${meetingUrl()}/items/${n}/vote`, { secret: true })));
    row.append(named, secret);
    box.append(row);
    return box;
  }

  function renderConclusion(m, item) {
    const n = item.number;
    const box = el('div', 'sub conclusion');
    box.append(el('h4', null, 'Kết luận'));
    const editable = m.status === 'InSession' || m.status === 'Concluded';
    if (!editable) {
      box.append(el('p', item.conclusion ? 'conclusion-text' : 'hint', item.conclusion || 'Ghi khi đang họp. (Recorded in session.)'));
      return box;
    }
    const form = el('form');
    form.noValidate = true;
    const text = el('textarea');
    text.id = `conclusion-${n}`;
    text.value = item.conclusion || '';
    const label = el('label', 'visually-hidden', `Kết luận nội dung ${n}`);
    label.htmlFor = text.id;
    const save = el('button', 'secondary', 'Lưu kết luận ');
    save.type = 'submit';
    save.append(english('Save conclusion'));
    const saved = el('span', 'hint', item.conclusion ? ' Đã lưu.' : '');
    saved.setAttribute('role', 'status');
    form.append(label, text, save, saved);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const value = text.value.trim();
      delete text.dataset.dirty;
      await act(() => send('PUT', `${meetingUrl()}/items/${n}/conclusion`, { text: value }));
    });
    box.append(form);
    return box;
  }

  // ---- Wiring ---------------------------------------------------------------------------------------------

  $('key-form').addEventListener('submit', onSaveKey);
  $('key-forget').addEventListener('click', onForgetKey);
  $('meetings-refresh').addEventListener('click', () => loadAll());
  $('agenda-add').addEventListener('click', () => { const row = addAgendaRow(); row.querySelector('.agenda-title').focus(); });
  $('create-form').addEventListener('submit', onCreate);
  $('detail-next').addEventListener('click', onNext);
  $('detail-close').addEventListener('click', closeDetail);
  $('attendance-form').addEventListener('submit', onSaveAttendance);
  $('detail').addEventListener('input', markDirty);
  $('detail').addEventListener('change', markDirty);
  addAgendaRow();
  if (apiKey()) { $('key-state').textContent = 'Đã có khóa cho thẻ này. (Key saved for this tab.)'; loadAll(); }
})();
