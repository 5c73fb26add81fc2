// 検索: messages, files and notes by words, from the header's search box (#/search?q=…&room=ID&file=1).
// Snippets are plain text; the server's highlights are UTF-16 offsets, which are exactly
// JavaScript string indexes, so each match becomes a <mark> text node — never HTML.
import { h, clear } from '../dom.js';
import { get } from '../api.js';
import { t, fmtDateTime } from '../i18n.js';
import { S, roomName } from '../store.js';

// The snippet with its highlighted ranges as <mark> elements (ranges sorted, not overlapping).
export function marked(snippet, highlights) {
  const out = [];
  let at = 0;
  for (const [s, e] of highlights || []) {
    if (s < at || e <= s || e > snippet.length) continue;
    if (s > at) out.push(snippet.slice(at, s));
    out.push(h('mark', null, snippet.slice(s, e)));
    at = e;
  }
  if (at < snippet.length) out.push(snippet.slice(at));
  return out;
}

export function parseSearchHash(hash) {
  const p = new URLSearchParams(hash.replace(/^#\/search\??/, ''));
  return { q: p.get('q') || '', room: Number(p.get('room')) || 0, file: p.get('file') === '1' };
}

export function searchHash({ q, room, file }) {
  const p = new URLSearchParams({ q });
  if (room) p.set('room', String(room));
  if (file) p.set('file', '1');
  return '#/search?' + p;
}

let seq = 0;
export async function searchView(root, state) {
  const res = h('div.search-res', { 'aria-live': 'polite' });
  const chips = h('div.chips', { role: 'group', 'aria-label': t('searchFilter') });
  clear(root, h('div.page.search-page', null,
    h('header.page-head', null, h('a.btn.ghost.back', { href: '#/', 'aria-label': t('back') }, '‹'), h('h1', null, t('search'))),
    h('p.sub.search-help', null, t('searchHelp')), chips, res));
  if (!state.q.trim()) return clear(res, h('p.empty', null, t('searchEmpty')));
  const mine = ++seq; // a later search wins over an earlier, slower one
  clear(res, h('p.empty', null, t('loading')));
  const p = new URLSearchParams({ q: state.q, limit: '50' });
  if (state.room) p.set('room_id', String(state.room));
  if (state.file) p.set('has', 'file');
  let data;
  try { data = await get('/search?' + p); } catch (e) {
    if (mine !== seq) return;
    clear(res, h('p.empty', null, e.message));
    return;
  }
  if (mine !== seq) return;
  // Chips: every room of the results (and the chosen one), plus "with files".
  const rooms = new Map();
  if (state.room) rooms.set(state.room, true);
  for (const r of data.results) rooms.set(r.room_id, true);
  const chip = (label, on, next) => h('a.chip', { href: searchHash(next), 'aria-pressed': String(on), role: 'button' }, label);
  clear(chips, chip(t('searchAll'), !state.room, { ...state, room: 0 }),
    [...rooms.keys()].map((id) => { const r = S.rooms.get(id); return chip(r ? roomName(r) : '#' + id, state.room === id, { ...state, room: id }); }),
    chip(t('searchFiles'), state.file, { ...state, file: !state.file }));
  if (!data.results.length) return clear(res, h('p.empty', null, t('searchNone')));
  clear(res, h('p.sub', null, t('searchN', data.results.length) + (data.partial ? ' ' + t('searchPartial') : '')),
    h('ul.search-list', null, data.results.map((r) => {
      const room = S.rooms.get(r.room_id), m = r.message;
      if (r.type === 'note') {
        // A note opens as a note; its card shows its kind, title and last update.
        const n = r.note;
        return h('li', null, h('a.search-hit.note-hit', { href: `#/r/${r.room_id}/notes/${n.id}` },
          h('div.hit-head', null, h('span.hit-room', null, room ? roomName(room) : '#' + r.room_id),
            h('span.hit-who', null, n.updated_by?.name || ''), h('time.hit-time', { dateTime: n.updated_at }, fmtDateTime(n.updated_at))),
          h('div.hit-file', null, `${t('kindNote')}: ${n.title}`),
          h('div.hit-snippet', null, marked(r.snippet, r.highlights))));
      }
      const href = `#/r/${r.room_id}/m/${m.seq}`;
      return h('li', null, h('a.search-hit', { href, 'data-room': r.room_id, 'data-seq': m.seq },
        h('div.hit-head', null, h('span.hit-room', null, room ? roomName(room) : '#' + r.room_id),
          h('span.hit-who', null, m.sender?.name || ''), h('time.hit-time', { dateTime: m.created_at }, fmtDateTime(m.created_at))),
        r.type === 'file' ? h('div.hit-file', null, t('fileHit') + ': ' + (r.file?.name || '')) : null,
        h('div.hit-snippet', null, marked(r.snippet, r.highlights))));
    })));
}

// The header's search box: Enter opens the results page.
export function searchBox() {
  // A phone's header has room for a word, not a sentence.
  const ph = matchMedia('(max-width: 640px)').matches ? t('search') : t('searchPh');
  const input = h('input.hq', { type: 'search', name: 'q', placeholder: ph, 'aria-label': t('searchPh'), maxLength: 256, autocomplete: 'off' });
  const form = h('form.hsearch', { role: 'search', onsubmit: (e) => {
    e.preventDefault();
    const q = input.value.trim();
    if (!q) return;
    const cur = location.hash.startsWith('#/search') ? parseSearchHash(location.hash) : { room: 0, file: false };
    location.hash = searchHash({ q, room: cur.room, file: cur.file });
  } }, input);
  form.sync = () => { if (location.hash.startsWith('#/search')) input.value = parseSearchHash(location.hash).q; };
  return form;
}
