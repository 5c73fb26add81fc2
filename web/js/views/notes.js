// ノートと会議 (R11, R12, R23, R25): a room's notes and meetings, a note with who has read it,
// its versions and its PDF / Word copies; the note editor with a preview; a meeting with its
// agenda, materials and tagged messages; and 「議事録を作成」, which drafts the minutes from the
// room for the organiser to edit and post back as a note.
import { h, clear, modal, toast } from '../dom.js';
import { get, post, put, del, upload } from '../api.js';
import { t, fmtDateTime, fmtDate, fmtTime } from '../i18n.js';
import { S, loadMembers, tlOf } from '../store.js';
import { render } from '../markdown.js';
import { fileView } from './message.js';

const KIND = { note: 'kindNote', material: 'kindMaterial', minutes: 'kindMinutes' };
const back = (href) => h('a.btn.ghost.back', { href, 'aria-label': t('back') }, '‹');
const pagesText = (p) => (p == null ? t('pagesUnknown') : t('pagesN', p));
const isOwner = (roomId) => S.rooms.get(roomId)?.role === 'owner' || S.me.is_admin;
const errText = (e) => e.message || t('error');

export async function notesView(root, roomId) {
  clear(root, h('div.page', null, h('p', null, t('loading'))));
  const room = S.rooms.get(roomId);
  const [{ notes }, { meetings }] = await Promise.all([get(`/rooms/${roomId}/notes`), get(`/rooms/${roomId}/meetings`)]);
  const canWrite = room?.kind !== 'announcement' || isOwner(roomId);
  clear(root, h('div.page.notes', null,
    h('header.page-head', null, back(`#/r/${roomId}`), h('h1', null, t('notesOf', room?.name || ''))),
    h('div.bar', null,
      canWrite ? h('a.btn.primary', { href: `#/r/${roomId}/notes/new` }, t('newNote')) : null,
      canWrite ? h('a.btn', { href: `#/r/${roomId}/notes/new?template=material` }, t('newMaterial')) : null,
      h('button.btn', { type: 'button', onclick: () => meetingForm(roomId, notes) }, t('newMeeting'))),
    h('section.card', null, h('h2', null, t('meetings')),
      meetings.length ? h('ul.items', null, meetings.map((m) => h('li', null,
        h('a', { href: `#/r/${roomId}/meetings/${m.id}` }, m.title),
        h('span.sub', null, ` ${fmtDateTime(m.starts_at)}〜${fmtTime(m.ends_at)} ${m.chat_only ? t('chatOnly') : m.place}`),
        m.minutes_note_id ? h('a.tag', { href: `#/r/${roomId}/notes/${m.minutes_note_id}` }, t('kindMinutes')) : null)))
        : h('p.sub', null, t('noMeetings'))),
    h('section.card', null, h('h2', null, t('notes')),
      notes.length ? h('ul.items', null, notes.map((n) => h('li', null,
        h('span.tag', null, t(KIND[n.kind] || 'kindNote')),
        h('a', { href: `#/r/${roomId}/notes/${n.id}` }, n.title),
        n.opened || n.author.id === S.me.id ? null : h('span.unopened', null, t('unopened')),
        h('span.sub', null, ` ${t('lastUpdated')} ${fmtDateTime(n.updated_at)} ${n.updated_by?.name || ''}`),
        n.files.length ? h('span.sub', null, ` · ${pagesText(n.pages)}`) : null,
        h('span.sub', null, ` · ${t('readStatus', n.read_count, n.reader_total)}`))))
        : h('p.sub', null, t('noNotes')))));
}

export async function noteView(root, roomId, noteId) {
  clear(root, h('div.page', null, h('p', null, t('loading'))));
  const n = await get(`/rooms/${roomId}/notes/${noteId}`);
  const room = S.rooms.get(roomId);
  const owner = isOwner(roomId);
  const canEdit = room?.kind !== 'announcement' || owner;
  const reads = await get(`/rooms/${roomId}/notes/${noteId}/reads`);
  const readers = h('section.card.reads', null, h('h2', null, t('readStatus', reads.read.length, reads.read.length + reads.unread.length)),
    h('div.cols', null,
      h('div', null, h('h3', null, t('opened')), h('ul.plist', null, reads.read.map((r) => h('li', null, r.user.name, h('span.sub', null, ' ' + fmtDateTime(r.first_at)))))),
      h('div', null, h('h3', null, t('notOpened')), h('ul.plist', null, reads.unread.map((u) => h('li', null, u.name))))),
    (n.author.id === S.me.id || owner) && reads.unread.length
      ? h('button.btn', { type: 'button', onclick: remind }, t('remindUnread')) : null);
  const suggestions = h('div');
  clear(root, h('div.page.note', null,
    h('header.page-head', null, back(`#/r/${roomId}/notes`), h('h1', null, h('span.tag', null, t(KIND[n.kind] || 'kindNote')), n.title)),
    h('p.sub.note-meta', null, t('versionN', n.version), ' · ', t('lastUpdated'), ' ', fmtDateTime(n.updated_at), ' ', n.updated_by?.name || '',
      ' · ', t('author'), ' ', n.author.name),
    h('div.bar', null,
      canEdit ? h('a.btn', { href: `#/r/${roomId}/notes/${noteId}/edit` }, t('edit'))
        : h('a.btn', { href: `#/r/${roomId}/notes/${noteId}/edit?suggest=1` }, t('suggestEdit')),
      h('a.btn', { href: `/api/v1/rooms/${roomId}/notes/${noteId}/pdf`, download: n.title + '.pdf' }, 'PDF'),
      h('a.btn', { href: `/api/v1/rooms/${roomId}/notes/${noteId}/docx`, download: n.title + '.docx' }, 'Word'),
      h('button.btn', { type: 'button', onclick: versions }, t('versions'))),
    n.files.length ? h('section.files', null, n.files.map((f) => h('div.notefile', null, fileView(f), h('span.sub', null, pagesText(f.pages))))) : null,
    h('article.card.note-body', null, render(n.body)),
    readers, suggestions));
  if (owner) {
    const { suggestions: list } = await get(`/rooms/${roomId}/notes/${noteId}/suggestions`);
    const open = list.filter((s) => s.status === 'open');
    if (open.length) {
      clear(suggestions, h('section.card', null, h('h2', null, t('suggestions')), open.map((s) => h('div.suggestion', null,
        h('p.sub', null, s.user.name, ' ', fmtDateTime(s.created_at)), render(s.body),
        h('div.bar', null,
          h('button.btn.primary', { type: 'button', onclick: () => resolve(s, 'accept') }, t('accept')),
          h('button.btn', { type: 'button', onclick: () => resolve(s, 'reject') }, t('reject')))))));
    }
  }
  async function resolve(s, how) {
    try { await post(`/rooms/${roomId}/notes/${noteId}/suggestions/${s.id}/${how}`); noteView(root, roomId, noteId); } catch (e) { toast(errText(e)); }
  }
  async function remind() {
    try { const r = await post(`/rooms/${roomId}/notes/${noteId}/remind`); toast(t('reminded', r.reminded)); } catch (e) { toast(errText(e)); }
  }
  async function versions() {
    const { versions: vs } = await get(`/rooms/${roomId}/notes/${noteId}/versions`);
    const view = h('div.version-view');
    const d = modal(t('versions'), h('div', null, h('ul.items', null, vs.map((v) => h('li', null,
      h('button.btn.link', { type: 'button', onclick: async () => { const full = await get(`/rooms/${roomId}/notes/${noteId}/versions/${v.version}`); clear(view, h('h3', null, full.title), render(full.body)); } },
        t('versionN', v.version)),
      h('span.sub', null, ` ${fmtDateTime(v.created_at)} ${v.editor?.name || ''}`)))), view),
    [h('button.btn', { type: 'button', onclick: () => d.close() }, t('close'))], 'wide');
  }
}

// The editor: title, Markdown body with a live preview, attachments. mode: new | edit | suggest | minutes.
export async function noteEditor(root, roomId, noteId, opts = {}) {
  const room = S.rooms.get(roomId);
  let note = null, files = [];
  if (noteId) { note = await get(`/rooms/${roomId}/notes/${noteId}`); files = note.files; }
  const material = opts.template === 'material';
  const title = h('input.title-in', { value: opts.title ?? note?.title ?? '', placeholder: material ? t('materialTitleAuto') : t('noteTitle'), 'aria-label': t('noteTitle'), maxLength: 200, disabled: material });
  const series = material ? h('input', { value: room?.name || '', 'aria-label': t('series'), placeholder: t('series') }) : null;
  const body = h('textarea.md-in', { 'aria-label': t('body'), rows: 18 }, opts.body ?? note?.body ?? '');
  const preview = h('div.card.md-preview', { 'aria-label': t('preview') });
  const fileList = h('div.files');
  const paint = () => clear(preview, render(body.value));
  const paintFiles = () => clear(fileList, files.map((f) => h('div.notefile', null, fileView(f), h('span.sub', null, pagesText(f.pages)),
    h('button.btn.sm', { type: 'button', onclick: () => { files = files.filter((x) => x.id !== f.id); paintFiles(); } }, t('remove')))));
  body.addEventListener('input', paint);
  const picker = h('input', { type: 'file', multiple: true, hidden: true, onchange: async () => {
    for (const f of picker.files) {
      try { files.push(await upload(f, () => {})); } catch (e) { toast(errText(e)); }
    }
    picker.value = '';
    paintFiles();
  } });
  const err = h('p.error', { role: 'alert' });
  const suggest = opts.suggest;
  const heading = suggest ? t('suggestEdit') : opts.minutes ? t('minutesDraft') : noteId ? t('editNote') : material ? t('newMaterial') : t('newNote');
  clear(root, h('div.page.editor', null,
    h('header.page-head', null, back(noteId ? `#/r/${roomId}/notes/${noteId}` : `#/r/${roomId}/notes`), h('h1', null, heading)),
    opts.minutes ? h('p.sub', null, t('minutesHelp')) : h('p.sub', null, t('mdHelp')),
    h('div.form', null, series ? h('label', null, t('series'), series) : null, title,
      h('div.md-split', null, body, preview),
      suggest || opts.minutes ? null : h('div.bar', null, h('button.btn', { type: 'button', onclick: () => picker.click() }, t('attach')), picker), fileList,
      err, h('div.bar', null, h('button.btn.primary.save', { type: 'button', onclick: save }, opts.minutes ? t('postMinutes') : suggest ? t('sendSuggestion') : t('save'))))));
  paint();
  paintFiles();
  body.focus();
  async function save() {
    err.textContent = '';
    const b = { title: title.value, body: body.value };
    try {
      let saved;
      if (suggest) {
        await post(`/rooms/${roomId}/notes/${noteId}/suggestions`, b);
        toast(t('suggestionSent'));
        location.hash = `#/r/${roomId}/notes/${noteId}`;
        return;
      }
      if (noteId) saved = await put(`/rooms/${roomId}/notes/${noteId}`, { ...b, file_ids: files.map((f) => f.id), base_version: note.version });
      else if (material) saved = await post(`/rooms/${roomId}/notes`, { template: 'material', series: series.value, body: body.value, file_ids: files.map((f) => f.id) });
      else saved = await post(`/rooms/${roomId}/notes`, { ...b, file_ids: files.map((f) => f.id), ...(opts.minutes ? { kind: 'minutes', meeting_id: opts.meetingId } : {}) });
      location.hash = `#/r/${roomId}/notes/${saved.id}`;
    } catch (e) {
      err.textContent = e.code === 'version_conflict' ? t('versionConflict') : errText(e);
    }
  }
}

function meetingForm(roomId, notes) {
  const today = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10);
  const f = {
    title: h('input', { 'aria-label': t('noteTitle'), maxLength: 200 }),
    date: h('input', { type: 'date', value: today, 'aria-label': t('date') }),
    start: h('input', { type: 'time', value: '14:00', 'aria-label': t('start') }),
    end: h('input', { type: 'time', value: '15:00', 'aria-label': t('end') }),
    place: h('input', { 'aria-label': t('place'), maxLength: 100 }),
    chat: h('input', { type: 'checkbox' }),
    agenda: h('textarea', { rows: 4, 'aria-label': t('agenda'), placeholder: t('agendaHelp') }),
  };
  const mats = notes.filter((n) => n.kind !== 'minutes').map((n) => ({ n, box: h('input', { type: 'checkbox', value: n.id }) }));
  const err = h('p.error', { role: 'alert' });
  const d = modal(t('newMeeting'), h('div.form', null,
    h('label', null, t('noteTitle'), f.title), h('div.row', null, h('label', null, t('date'), f.date), h('label', null, t('start'), f.start), h('label', null, t('end'), f.end)),
    h('label', null, t('place'), f.place), h('label.check', null, f.chat, t('chatOnly')),
    h('label', null, t('agenda'), f.agenda),
    mats.length ? h('fieldset', null, h('legend', null, t('materials')), mats.map(({ n, box }) => h('label.check', null, box, n.title))) : null, err),
  [h('button.btn', { type: 'button', onclick: () => d.close() }, t('cancel')),
    h('button.btn.primary', { type: 'button', onclick: async () => {
      try {
        const m = await post(`/rooms/${roomId}/meetings`, {
          title: f.title.value, starts_at: `${f.date.value}T${f.start.value}:00+09:00`, ends_at: `${f.date.value}T${f.end.value}:00+09:00`,
          place: f.place.value, chat_only: f.chat.checked, agenda: f.agenda.value.split('\n').map((s) => s.trim()).filter(Boolean),
          note_ids: mats.filter((x) => x.box.checked).map((x) => x.n.id),
        });
        d.close();
        location.hash = `#/r/${roomId}/meetings/${m.id}`;
      } catch (e) { err.textContent = errText(e); }
    } }, t('create'))], 'wide');
  f.title.focus();
}

const TAGS = ['question', 'opinion', 'answer', 'decision', 'action'];
export const tagLabel = (code) => t('tag_' + code);

export async function meetingView(root, roomId, meetingId) {
  clear(root, h('div.page', null, h('p', null, t('loading'))));
  const m = await get(`/rooms/${roomId}/meetings/${meetingId}`);
  const by = (tag) => m.tagged.filter((x) => x.tag === tag);
  const item = (x) => h('li', null, h('span.sub', null, x.sender.name + ': '), x.text);
  const organiser = m.organiser?.id === S.me.id || isOwner(roomId);
  clear(root, h('div.page.meeting', null,
    h('header.page-head', null, back(`#/r/${roomId}/notes`), h('h1', null, m.title)),
    h('p.sub', null, `${fmtDate(m.starts_at)} ${fmtTime(m.starts_at)}〜${fmtTime(m.ends_at)} · ${m.chat_only || !m.place ? t('chatOnly') : m.place} · ${t('organiser')} ${m.organiser?.name || ''}`),
    h('div.bar', null,
      h('a.btn', { href: `#/r/${roomId}` }, t('openRoom')),
      m.minutes_note_id ? h('a.btn', { href: `#/r/${roomId}/notes/${m.minutes_note_id}` }, t('kindMinutes')) : null,
      organiser ? h('button.btn.primary.draft', { type: 'button', onclick: draft }, t('makeMinutes')) : null),
    h('div.cards', null,
      h('section.card', null, h('h2', null, t('agenda')), m.agenda.length ? h('ol', null, m.agenda.map((a) => h('li', null, a))) : h('p.sub', null, '—')),
      h('section.card', null, h('h2', null, t('materials')), m.materials.length ? h('ul.items', null, m.materials.map((n) => h('li', null,
        h('a', { href: `#/r/${roomId}/notes/${n.id}` }, n.title), h('span.sub', null, ` ${t('readStatus', n.read_count, n.reader_total)}`)))) : h('p.sub', null, '—')),
      askCard(),
      h('section.card.wide', null, h('h2', null, t('tag_question')), by('question').length ? h('ul.items', null, by('question').map((q) => h('li', null,
        h('span.sub', null, q.sender.name + ': '), q.text,
        h('ul', null, m.tagged.filter((a) => a.tag === 'answer' && a.answer_to === q.message_id).map((a) => h('li', null, h('span.tag', null, tagLabel('answer')), ' ', a.sender.name + ': ', a.text)))))) : h('p.sub', null, '—')),
      h('section.card', null, h('h2', null, tagLabel('decision')), h('ul.items', null, by('decision').map(item))),
      h('section.card', null, h('h2', null, tagLabel('action')), h('ul.items', null, by('action').map((x) => h('li', null, x.text,
        h('span.sub', null, ` ${t('assignee')} ${x.assignee?.name || ''} ${t('due')} ${x.due_date || ''}`))))),
      h('section.card', null, h('h2', null, tagLabel('opinion')), h('ul.items', null, by('opinion').map(item))))));
  // Before the meeting: a question or an opinion, posted to the room and tagged for this meeting.
  function askCard() {
    const text = h('textarea.ask-text', { rows: 3, 'aria-label': t('askText'), placeholder: t('askText'), maxLength: 10000 });
    const err = h('p.error', { role: 'alert' });
    const send = async (tag) => {
      const body = text.value.trim();
      if (!body) return;
      try {
        const m = await post(`/rooms/${roomId}/messages`, { text: body, client_msg_id: 'ask-' + Date.now().toString(36) + Math.random().toString(36).slice(2, 8) });
        await put(`/rooms/${roomId}/messages/${m.id}/tag`, { tag, meeting_id: meetingId });
        meetingView(root, roomId, meetingId);
      } catch (e) { err.textContent = errText(e); }
    };
    return h('section.card.wide.ask', null, h('h2', null, t('askTitle')), text, err,
      h('div.bar', null, h('button.btn.primary.ask-q', { type: 'button', onclick: () => send('question') }, t('askQuestion')),
        h('button.btn.ask-o', { type: 'button', onclick: () => send('opinion') }, t('askOpinion'))));
  }
  async function draft() {
    try {
      const d = await post(`/rooms/${roomId}/meetings/${meetingId}/minutes-draft`);
      noteEditor(root, roomId, null, { minutes: true, title: d.title, body: d.body, meetingId });
    } catch (e) { toast(errText(e)); }
  }
}

// 「タグ」 on a message: 質問 / 意見 / 回答 (to which question) / 決定 / 宿題 (who, by when).
export async function tagDialog(roomId, msg) {
  const { meetings } = await get(`/rooms/${roomId}/meetings`);
  const meeting = meetings[0] ? await get(`/rooms/${roomId}/meetings/${meetings[0].id}`) : null;
  const questions = (meeting?.tagged || []).filter((x) => x.tag === 'question' && x.message_id !== msg.id);
  const members = [...((await loadMembers(roomId).then(() => tlOf(roomId).members).catch(() => null))?.values() || [])];
  const current = msg.tag?.code || '';
  const radios = TAGS.map((c) => h('label.check', null, h('input', { type: 'radio', name: 'tag', value: c, checked: c === current }), tagLabel(c)));
  const q = h('select', { 'aria-label': t('answerTo') }, questions.map((x) => h('option', { value: x.message_id }, `${x.sender.name}: ${x.text.slice(0, 40)}`)));
  const who = h('select', { 'aria-label': t('assignee') }, members.map((u) => h('option', { value: u.id, selected: u.id === msg.tag?.assignee?.id }, u.name)));
  const due = h('input', { type: 'date', 'aria-label': t('due'), value: msg.tag?.due_date || '' });
  const extra = h('div.form');
  const err = h('p.error', { role: 'alert' });
  const paint = () => {
    const v = radios.map((r) => r.firstChild).find((r) => r.checked)?.value;
    clear(extra, v === 'answer' ? h('label', null, t('answerTo'), questions.length ? q : h('span.sub', null, t('noQuestions'))) : null,
      v === 'action' ? [h('label', null, t('assignee'), who), h('label', null, t('due'), due)] : null);
  };
  for (const r of radios) r.firstChild.addEventListener('change', paint);
  paint();
  const d = modal(t('setTag'), h('div.form', null, h('div.tag-choices', { role: 'radiogroup' }, radios), extra, err), [
    current ? h('button.btn', { type: 'button', onclick: async () => { try { await del(`/rooms/${roomId}/messages/${msg.id}/tag`); d.close(); } catch (e) { err.textContent = errText(e); } } }, t('removeTag')) : null,
    h('button.btn', { type: 'button', onclick: () => d.close() }, t('cancel')),
    h('button.btn.primary', { type: 'button', onclick: async () => {
      const tag = radios.map((r) => r.firstChild).find((r) => r.checked)?.value;
      if (!tag) return;
      const body = { tag };
      if (meeting) body.meeting_id = meeting.id;
      if (tag === 'answer') body.answer_to = Number(q.value);
      if (tag === 'action') { body.assignee_id = Number(who.value); body.due_date = due.value; }
      try { await put(`/rooms/${roomId}/messages/${msg.id}/tag`, body); d.close(); } catch (e) { err.textContent = errText(e); }
    } }, t('save'))]);
}

