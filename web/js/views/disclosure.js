// 情報公開（黒塗り）: the disclosure officer picks a room, reads it, marks the parts to withhold —
// names, phone numbers and the guard's hits are suggested — gives each its legal ground, and
// downloads the masked edition (the server removes the masked text from every file).
import { h, clear } from '../dom.js';
import { get, post } from '../api.js';
import { t, fmtDateTime } from '../i18n.js';

const GROUNDS = ['条例第7条第1号（個人情報）', '条例第7条第2号（法人等情報）', '条例第7条第3号（公共安全情報）',
  '条例第7条第4号（審議検討情報）', '条例第7条第5号（事務事業情報）'];
const MAX_PAGES = 20; // 4,000 messages: a longer room is exported whole, without review
const SCAN_BATCH = 1000;
const PHONE = /0\d{1,4}-\d{1,4}-\d{3,4}/g;

// As the server compares keywords: full/half width and case folded, katakana as hiragana.
const fold = (x) => x.normalize('NFKC').toLowerCase().replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));

export async function disclosureView(root) {
  const masks = [];
  const rooms = (await get('/admin/rooms')).rooms;
  // A request may cover several rooms and a period: rooms are ticked, the period is optional.
  const filter = h('input.dx-filter', { type: 'search', placeholder: t('dxFilter'), 'aria-label': t('dxFilter') });
  const boxes = rooms.map((r) => ({ r, box: h('input', { type: 'checkbox', value: r.id }) }));
  const roomList = h('div.dx-rooms', { role: 'group', 'aria-label': t('dxRoom') },
    boxes.map(({ r, box }) => h('label.check.dx-room', { 'data-name': r.name }, box, r.name)));
  filter.addEventListener('input', () => {
    const q = filter.value.trim();
    for (const l of roomList.children) l.hidden = q !== '' && !l.dataset.name.includes(q);
  });
  const from = h('input.dx-from', { type: 'date', 'aria-label': t('dxFrom') });
  const to = h('input.dx-to', { type: 'date', 'aria-label': t('dxTo') });
  const kw = h('input.dx-kw', { type: 'search', placeholder: t('dxKeywordsHelp'), 'aria-label': t('dxKeywords') });
  const ground = h('select.ground', { 'aria-label': t('dxGround') }, GROUNDS.map((g) => h('option', { value: g }, g)));
  const list = h('div.dx-list');
  const status = h('p.dx-status', { role: 'status' });
  const markBtn = h('button.btn', { type: 'button', onclick: markSelection }, t('dxMark'));
  const exportBtn = h('button.btn.primary', { type: 'button', onclick: doExport }, t('dxExport'));
  const loadBtn = h('button.btn.dx-load', { type: 'button', onclick: () => load() }, t('dxLoad'));
  let msgs = [], chosen = [], period = {}, loadSeq = 0;
  clear(root, h('div.page.dx', null,
    h('header.page-head', null, h('a.btn.ghost.back', { href: '#/', 'aria-label': t('back') }, '‹'), h('h1', null, t('disclosure'))),
    h('p.sub', null, t('dxHelp')),
    h('details.dx-pick', { open: true }, h('summary', null, t('dxRooms')), filter, roomList),
    h('div.dx-bar', null, h('label', null, t('dxFrom'), ' ', from), h('label', null, t('dxTo'), ' ', to),
      h('label', null, t('dxKeywords'), ' ', kw), loadBtn),
    h('div.dx-bar', null, ground, markBtn, exportBtn), status, list));

  // The day's bounds in Japan: from the start of `from` to the end of `to`.
  const bounds = () => ({
    from: from.value ? `${from.value}T00:00:00+09:00` : undefined,
    to: to.value ? new Date(Date.parse(`${to.value}T00:00:00+09:00`) + 86400e3).toISOString() : undefined,
  });

  async function load() {
    const mine = ++loadSeq; // a later choice wins over a slower earlier answer
    chosen = boxes.filter((b) => b.box.checked).map((b) => b.r);
    period = bounds();
    const words = kw.value.split(/[\s　]+/).filter(Boolean);
    if (words.length) period.keywords = words;
    const folded = words.map(fold);
    masks.length = 0;
    msgs = [];
    if (!chosen.length) { clear(list); status.textContent = t('dxChoose'); return; }
    if (period.from && period.to && Date.parse(period.to) <= Date.parse(period.from)) { status.textContent = t('dxBadPeriod'); return; }
    const lo = period.from ? Date.parse(period.from) : -Infinity, hi = period.to ? Date.parse(period.to) : Infinity;
    const got = [];
    let more = false, pages = 0;
    for (const room of chosen) {
      for (let after = 0; pages < MAX_PAGES; pages++) {
        const page = await get(`/admin/rooms/${room.id}/messages?after=${after}&limit=200`);
        if (mine !== loadSeq) return;
        got.push(...page.messages.filter((m) => !m.deleted && m.text && Date.parse(m.created_at) >= lo && Date.parse(m.created_at) < hi
          && (!folded.length || folded.some((w) => fold(m.text).includes(w))))
          .map((m) => ({ ...m, roomName: room.name })));
        more = page.has_more && page.messages.length > 0;
        if (!more) break;
        after = page.messages[page.messages.length - 1].seq;
      }
      if (pages >= MAX_PAGES) { more = true; break; }
    }
    // The guard's hits, in batches of the scan endpoint's limit.
    for (let i = 0; i < got.length; i += SCAN_BATCH) {
      const part = got.slice(i, i + SCAN_BATCH);
      const scan = await post('/admin/pii/scan', { texts: part.map((m) => m.text) });
      if (mine !== loadSeq) return;
      part.forEach((m, k) => { m.suggest = suggestions(m, scan.results[k] || []); });
    }
    if (mine !== loadSeq) return;
    msgs = got;
    render();
    status.textContent = more ? t('dxTruncated') : t('dxLoaded', chosen.length, msgs.length);
  }

  function suggestions(m, hits) {
    const out = hits.map((x) => ({ start: x.start, length: x.length, why: x.name }));
    for (const p of m.text.matchAll(PHONE)) out.push({ start: p.index, length: p[0].length, why: t('dxPhone') });
    // Names of people as the room shows them (the sender and anyone named in the text).
    const name = m.sender?.name;
    for (const part of (name || '').split(/\s+/).filter((x) => x.length >= 2)) {
      for (let k = m.text.indexOf(part); k >= 0; k = m.text.indexOf(part, k + 1)) out.push({ start: k, length: part.length, why: t('dxName') });
    }
    return out;
  }

  function masked(m) {
    let s = m.text;
    for (const k of masks.filter((x) => x.message_id === m.id)) s = s.slice(0, k.start) + '■'.repeat(k.length) + s.slice(k.start + k.length);
    return s;
  }

  function add(m, start, length) {
    if (length <= 0 || masks.some((k) => k.message_id === m.id && k.start === start && k.length === length)) return;
    masks.push({ message_id: m.id, start, length, ground: ground.value });
    render();
  }

  function markSelection() {
    const sel = getSelection();
    if (!sel.rangeCount) return;
    const r = sel.getRangeAt(0), el = r.startContainer.parentElement?.closest('.dx-text');
    if (!el || el !== r.endContainer.parentElement?.closest('.dx-text')) return;
    const m = msgs.find((x) => String(x.id) === el.dataset.id);
    // The text node holds the message text itself: offsets are JavaScript (UTF-16) indices.
    if (m) add(m, Math.min(r.startOffset, r.endOffset), Math.abs(r.endOffset - r.startOffset));
  }

  function render() {
    let last = null;
    clear(list, msgs.map((m) => [m.roomName !== last ? h('h2.dx-room-head', null, (last = m.roomName)) : null, h('article.dx-msg', null,
      h('div.dx-meta', null, `#${m.seq} ${fmtDateTime(m.created_at)} ${m.sender?.name || ''}`),
      h('div.dx-text', { 'data-id': m.id }, masks.some((k) => k.message_id === m.id) ? masked(m) : m.text),
      m.suggest.length ? h('div.dx-sug', null, m.suggest.map((s) => h('button.btn.sm.chip', {
        type: 'button', title: t('dxMark'), onclick: () => add(m, s.start, s.length),
      }, `${s.why}: ${m.text.slice(s.start, s.start + s.length)}`))) : null)]));
    status.textContent = t('dxCount', masks.length);
  }

  async function doExport() {
    if (!chosen.length) return;
    exportBtn.disabled = true;
    try {
      const r = await post('/admin/exports', { room_ids: chosen.map((x) => x.id), ...period, masks, masked: true });
      status.replaceChildren(t('dxDone', r.masked_spans), ' ', h('a.dx-download', { href: '/api/v1' + r.download.replace('/api/v1', ''), download: '' }, t('dxDownload')));
    } catch (x) { status.textContent = x.message; }
    exportBtn.disabled = false;
  }
}
