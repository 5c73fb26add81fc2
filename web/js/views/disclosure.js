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

export async function disclosureView(root) {
  const masks = [];
  const rooms = (await get('/admin/rooms')).rooms;
  const pick = h('select.room-pick', { 'aria-label': t('dxRoom') }, h('option', { value: '' }, t('dxChoose')),
    rooms.map((r) => h('option', { value: r.id }, r.name)));
  const ground = h('select.ground', { 'aria-label': t('dxGround') }, GROUNDS.map((g) => h('option', { value: g }, g)));
  const list = h('div.dx-list');
  const status = h('p.dx-status', { role: 'status' });
  const markBtn = h('button.btn', { type: 'button', onclick: markSelection }, t('dxMark'));
  const exportBtn = h('button.btn.primary', { type: 'button', onclick: doExport }, t('dxExport'));
  let msgs = [], roomId = null, loadSeq = 0;
  pick.addEventListener('change', () => load(Number(pick.value)));
  clear(root, h('div.page.dx', null,
    h('header.page-head', null, h('a.btn.ghost.back', { href: '#/', 'aria-label': t('back') }, '‹'), h('h1', null, t('disclosure'))),
    h('p.sub', null, t('dxHelp')),
    h('div.dx-bar', null, pick, ground, markBtn, exportBtn), status, list));

  async function load(id) {
    const mine = ++loadSeq; // a later choice of room wins over a slower earlier answer
    roomId = id || null;
    masks.length = 0;
    msgs = [];
    if (!roomId) return clear(list);
    const got = [];
    let more = false;
    for (let after = 0, pages = 0; pages < MAX_PAGES; pages++) {
      const page = await get(`/admin/rooms/${id}/messages?after=${after}&limit=200`);
      if (mine !== loadSeq) return;
      got.push(...page.messages.filter((m) => !m.deleted && m.text));
      more = page.has_more && page.messages.length > 0;
      if (!more) break;
      after = page.messages[page.messages.length - 1].seq;
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
    status.textContent = more ? t('dxTruncated') : '';
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
    clear(list, msgs.map((m) => h('article.dx-msg', null,
      h('div.dx-meta', null, `#${m.seq} ${fmtDateTime(m.created_at)} ${m.sender?.name || ''}`),
      h('div.dx-text', { 'data-id': m.id }, masks.some((k) => k.message_id === m.id) ? masked(m) : m.text),
      m.suggest.length ? h('div.dx-sug', null, m.suggest.map((s) => h('button.btn.sm.chip', {
        type: 'button', title: t('dxMark'), onclick: () => add(m, s.start, s.length),
      }, `${s.why}: ${m.text.slice(s.start, s.start + s.length)}`))) : null)));
    status.textContent = t('dxCount', masks.length);
  }

  async function doExport() {
    if (!roomId) return;
    exportBtn.disabled = true;
    try {
      const r = await post('/admin/exports', { room_ids: [roomId], masks, masked: true });
      status.replaceChildren(t('dxDone', r.masked_spans), ' ', h('a.dx-download', { href: '/api/v1' + r.download.replace('/api/v1', ''), download: '' }, t('dxDownload')));
    } catch (x) { status.textContent = x.message; }
    exportBtn.disabled = false;
  }
}
