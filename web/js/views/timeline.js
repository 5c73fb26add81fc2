// The timeline. Only a window of at most MAX rows is in the DOM; scrolling up pages older
// history in (from memory, then from the server) and drops rows at the other end, so a
// room with 10,000 messages stays smooth.
import { h, clear, modal, confirmBox, toast } from '../dom.js';
import { get, patch, del } from '../api.js';
import { t, dayKey, fmtDate, fmtDateTime } from '../i18n.js';
import { S, on, tlOf, openTimeline, loadOlder, markRead, retry, discard, cancelHeld, roomName, typers, readCount, received } from '../store.js';
import { messageEl, pendingEl } from './message.js';
import { composer } from './composer.js';
import { dot, who } from './people.js';

const MAX = 300, STEP = 100;
let cleanup = [];
export function timeline(root, id, atSeq = null) {
  for (const f of cleanup) f();
  cleanup = [];
  const room = S.rooms.get(id);
  const tl = tlOf(id);
  let win = null; // {from, to}: seqs of the first and last rendered message; to = null follows the latest
  let divider = null, loading = false, alive = true, stick = true, seenDiv = false; // stick: the reader follows the latest
  const list = h('div.tl-list');
  const status = h('div.tl-status');
  const outbox = h('div.tl-outbox');
  const scroller = h('div.tl', { tabindex: '0', role: 'region', 'aria-label': t('messages') }, status, list, outbox);
  const jumpBtn = h('button.btn.float.jump', { type: 'button', hidden: true, onclick: jumpUnread }, t('jumpUnread'));
  const latestBtn = h('button.btn.float.latest', { type: 'button', hidden: true, onclick: toLatest }, t('latest') + ' ↓');
  const typing = h('div.typing', { 'aria-hidden': 'true' });
  const comp = composer(id, room);
  const title = h('h1.rtitle', null, room ? roomName(room) : '');
  const sub = h('div.rsub');
  const head = h('header.tl-head', null,
    h('a.btn.ghost.back', { href: '#/', 'aria-label': t('back') }, '‹'),
    room?.kind === 'direct' && room.partner ? dot(room.partner.id) : null,
    h('div.rhead', null, title, sub), h('span.grow'),
    room?.kind === 'direct' ? null : h('a.btn.ghost.sm.notes-link', { href: `#/r/${id}/notes` }, t('notesMeetings')),
    h('button.btn.ghost.sm.info', { type: 'button', 'aria-controls': 'details', onclick: () => document.body.classList.toggle('show-details') }, t('details')));
  // R15: chat is not approval; a room may remind its members that decisions need 決裁.
  const approval = room?.records?.approval_reminder ? h('div.approval', { role: 'note' }, t('approvalReminder')) : null;
  const pane = h('div.tl-pane', null, head, approval, h('div.tl-wrap', null, scroller, jumpBtn, latestBtn), typing, comp.el);
  clear(root, pane);
  function paintHead() {
    const r = S.rooms.get(id);
    if (!r) return;
    title.textContent = roomName(r);
    const u = r.partner && (S.users.get(r.partner.id) || r.partner);
    sub.textContent = u ? [who(u), u.absent ? t('absent') + (u.absent.note ? ': ' + u.absent.note : '') : '', u.status_text].filter(Boolean).join(' · ')
      : [t('memberN', r.member_count || '?'), r.topic].filter(Boolean).join(' · ');
  }
  paintHead();

  const names = () => [...(tl.members?.values() || [])].map((u) => u.name);
  const acts = {
    reply: (m) => comp.reply(m),
    jump: (seq) => revealSeq(seq),
    readers: (m) => readersDialog(id, m),
    recall: async (m) => {
      if (!await confirmBox(t('recall'), t('recallQ'), t('recall'), t('cancel'))) return;
      try { received(id, await del(`/rooms/${id}/messages/${m.id}`)); } catch (e) { toast(e.message); }
    },
    edit: (m, el) => editInPlace(m, el),
  };

  // ---- rendering
  const idx = (seq) => { const a = tl.msgs; let lo = 0, hi = a.length; while (lo < hi) { const k = (lo + hi) >> 1; if (a[k].seq < seq) lo = k + 1; else hi = k; } return lo; };
  function range() {
    const n = tl.msgs.length;
    const to = win.to == null ? n : Math.min(n, idx(win.to) + 1);
    const from = Math.min(idx(win.from ?? 0), to);
    return [from, to];
  }
  function rows(from, to) {
    const out = [];
    let prev = from > 0 ? tl.msgs[from - 1] : null;
    for (let i = from; i < to; i++) {
      const m = tl.msgs[i];
      const newDay = !prev || dayKey(prev.created_at) !== dayKey(m.created_at) || i === from;
      if (newDay) out.push(h('div.datesep', { role: 'separator' }, h('span', null, fmtDate(m.created_at))));
      const isDiv = divider != null && m.seq === divider;
      if (isDiv) out.push(h('div.unread-div', { role: 'separator', id: 'unread-div' }, h('span', null, t('unreadHere'))));
      const cont = !newDay && !isDiv && prev && prev.sender.id === m.sender.id && !prev.deleted && !m.deleted &&
        new Date(m.created_at) - new Date(prev.created_at) < 5 * 60000;
      out.push(messageEl(id, m, cont, names(), acts));
      prev = m;
    }
    return out;
  }
  function atBottom() { return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40; }
  function render(anchor = true) {
    const [from, to] = range();
    let keep = null, off = 0;
    const bottom = atBottom() || (stick && win.to == null);
    if (anchor && !bottom) {
      for (const el of list.children) if (el.dataset.seq && el.offsetTop + el.offsetHeight > scroller.scrollTop) { keep = el.dataset.seq; off = el.offsetTop - scroller.scrollTop; break; }
    }
    clear(list, rows(from, to));
    status.textContent = from === 0 && !tl.hasOlder ? t('noMore') : '';
    latestBtn.hidden = win.to == null;
    if (keep) { const el = list.querySelector(`[data-seq="${keep}"]`); if (el) scroller.scrollTop = el.offsetTop - off; } else if (bottom && win.to == null) scroller.scrollTop = scroller.scrollHeight;
    paintJump();
  }
  function renderOutbox() {
    const bottom = atBottom() || stick, mine = S.outbox.filter((o) => o.roomId === id);
    clear(outbox, mine.map(pendingEl));
    if (bottom || mine.length) scroller.scrollTop = scroller.scrollHeight;
  }
  outbox.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-act]'), cid = e.target.closest('[data-cid]')?.dataset.cid;
    if (b && cid) ({ retry, discard, 'cancel-held': cancelHeld })[b.dataset.act]?.(cid);
  });
  function paintJump() {
    const d = list.querySelector('#unread-div');
    if (d && d.offsetTop >= scroller.scrollTop - 10 && d.offsetTop <= scroller.scrollTop + scroller.clientHeight) seenDiv = true;
    jumpBtn.hidden = !farUnread && (seenDiv || divider == null || (d && d.offsetTop >= scroller.scrollTop - 10) || false);
    if (divider != null && !d && win.from != null && divider >= win.from) jumpBtn.hidden = true;
  }
  function onNew(m) {
    const n = tl.msgs.length;
    if (win.to != null || tl.msgs[n - 1] !== m) return render();
    const bottom = stick || m.sender.id === S.me.id;
    const prev = tl.msgs[n - 2];
    const els = rows(n - 1, n);
    if (prev && dayKey(prev.created_at) === dayKey(m.created_at)) {
      els.shift(); // the window already shows this day
      const cont = prev.sender.id === m.sender.id && !prev.deleted && new Date(m.created_at) - new Date(prev.created_at) < 5 * 60000;
      els[els.length - 1] = messageEl(id, m, cont, names(), acts);
    }
    list.append(...els);
    // keep the DOM window bounded while following the conversation
    const [from, to] = range();
    if (to - from > MAX) { win.from = tl.msgs[to - MAX].seq; render(); }
    if (bottom) { scroller.scrollTop = scroller.scrollHeight; stick = true; seen(); } else latestBtn.hidden = false;
  }
  function updateOne(m) {
    const el = list.querySelector(`[data-seq="${m.seq}"]`);
    if (el) el.replaceWith(messageEl(id, m, el.classList.contains('cont'), names(), acts));
  }
  function updateReads() {
    for (const el of list.querySelectorAll('.msg.mine .readn')) {
      const m = tl.msgs[idx(Number(el.closest('.msg').dataset.seq))];
      if (m) el.textContent = t('readN', readCount(id, m));
    }
  }
  function seen() {
    // A locked phone (phone.js) shows nothing, so nothing arriving then is read.
    if (!document.hidden && !document.documentElement.dataset.locked && S.active === id && (stick || atBottom()) && win.to == null) markRead(id);
  }

  // ---- scrolling and paging
  async function older() {
    if (loading) return;
    const [from] = range();
    if (from > 0) {
      win.from = tl.msgs[Math.max(0, from - STEP)].seq;
    } else if (tl.hasOlder) {
      loading = true; status.textContent = t('older');
      try { await loadOlder(id); } finally { loading = false; }
      if (!alive) return;
      win.from = tl.msgs[Math.max(0, idx(win.from ?? 0) - STEP)]?.seq ?? 0;
    } else return;
    const [f, to] = range();
    if (to - f > MAX) win.to = tl.msgs[f + MAX - 1].seq;
    render();
  }
  function newer() {
    if (win.to == null) return;
    const i = idx(win.to) + STEP;
    win.to = i >= tl.msgs.length - 1 ? null : tl.msgs[i].seq;
    const [from, to] = range();
    if (to - from > MAX) win.from = tl.msgs[to - MAX].seq;
    render();
  }
  // Images arriving after their row was laid out must not unpin a reader who follows the latest.
  list.addEventListener('load', () => { if (stick && win.to == null) scroller.scrollTop = scroller.scrollHeight; }, true);
  let lastTop = 0;
  scroller.addEventListener('scroll', () => {
    if (scroller.scrollTop < lastTop - 2 || atBottom()) stick = atBottom(); // only the reader's own upward scroll unpins
    lastTop = scroller.scrollTop;
    if (scroller.scrollTop < 300) older();
    else if (scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 300) newer();
    paintJump(); seen();
  }, { passive: true });
  function toLatest() {
    win = { from: tl.msgs[Math.max(0, tl.msgs.length - STEP)]?.seq ?? 0, to: null };
    render(false);
    scroller.scrollTop = scroller.scrollHeight; seen();
  }
  async function revealSeq(seq, block = 'center') {
    for (let i = 0; i < 100 && tl.msgs.length && tl.msgs[0].seq > seq && tl.hasOlder; i++) await loadOlder(id);
    const k = idx(seq);
    win = { from: tl.msgs[Math.max(0, k - 20)]?.seq ?? 0, to: k + STEP >= tl.msgs.length ? null : tl.msgs[k + STEP].seq };
    render(false);
    const el = seq === divider ? list.querySelector('#unread-div') : list.querySelector(`[data-seq="${seq}"]`);
    if (el) { el.scrollIntoView({ block }); if (el.classList.contains('msg')) { el.focus({ preventScroll: true }); el.classList.add('flash'); } }
    paintJump();
  }
  async function jumpUnread() {
    if (divider == null) {
      while (tl.hasOlder && tl.msgs.length && tl.msgs[0].seq > tl.openRead + 1) await loadOlder(id);
      computeDivider();
      seenDiv = false;
    }
    if (divider != null) revealSeq(divider, 'start');
  }
  // The divider goes before the first unread message from others — known only once every
  // message after the read position is loaded; until then the jump button pages back to it.
  let farUnread = false;
  function computeDivider() {
    const all = !tl.hasOlder || !tl.msgs.length || tl.msgs[0].seq <= tl.openRead + 1;
    const first = tl.msgs.find((m) => m.seq > tl.openRead && m.sender.id !== S.me.id);
    divider = all && first ? first.seq : null;
    farUnread = !all && (S.rooms.get(id)?.unread || 0) > 0;
  }

  // keyboard: arrows move between messages inside the timeline
  scroller.addEventListener('keydown', (e) => {
    if (e.target.closest('textarea, input')) return;
    const msgs = [...list.querySelectorAll('.msg')];
    let i = msgs.indexOf(e.target.closest('.msg'));
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      i = i < 0 ? msgs.length - 1 : Math.max(0, Math.min(msgs.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)));
      msgs[i]?.focus();
      if (i === 0) older();
    } else if (e.key === 'End') { e.preventDefault(); toLatest(); } else if (e.key === 'r' && i >= 0) { e.preventDefault(); acts.reply(tl.msgs[idx(Number(msgs[i].dataset.seq))]); }
  });

  // ---- touch: pulling down at the top loads earlier messages (also when the room is too short to scroll)
  let pullY = null;
  scroller.addEventListener('touchstart', (e) => { pullY = scroller.scrollTop <= 0 ? e.touches[0].clientY : null; }, { passive: true });
  scroller.addEventListener('touchmove', (e) => { if (pullY != null && e.touches[0].clientY - pullY > 60) { pullY = null; older(); } }, { passive: true });

  // ---- touch: a long press on a message opens 返信 / 送信取消 / コピー
  let press = 0, pressAt = null;
  const endPress = () => { clearTimeout(press); press = 0; };
  list.addEventListener('pointerdown', (e) => {
    if (e.pointerType !== 'touch') return;
    const el = e.target.closest('.msg[data-seq]');
    if (!el || el.classList.contains('deleted') || e.target.closest('a, button')) return;
    pressAt = [e.clientX, e.clientY];
    endPress();
    press = setTimeout(() => { press = 0; messageMenu(el); }, 500);
  });
  list.addEventListener('pointermove', (e) => { if (press && Math.hypot(e.clientX - pressAt[0], e.clientY - pressAt[1]) > 10) endPress(); });
  list.addEventListener('pointerup', endPress);
  list.addEventListener('pointercancel', endPress);
  // The browser's own long-press menu (text selection, "copy") would cover ours.
  list.addEventListener('contextmenu', (e) => { if (matchMedia('(pointer: coarse)').matches && e.target.closest('.msg') && !e.target.closest('a')) e.preventDefault(); });
  function messageMenu(el) {
    const m = tl.msgs[idx(Number(el.dataset.seq))];
    if (!m || m.deleted) return;
    if (navigator.userActivation?.hasBeenActive) navigator.vibrate?.(10);
    const mine = m.sender.id === S.me.id;
    const item = (label, fn, cls = '') => h('button.btn.sheet-item' + cls, { type: 'button', onclick: () => { d.close(); fn(); } }, label);
    const d = modal(t('msgMenu'), h('div.sheet-list', null,
      item(t('reply'), () => acts.reply(m)),
      m.text ? item(t('copy'), () => navigator.clipboard?.writeText(m.text).then(() => toast(t('copied')), () => {})) : null,
      mine ? item(t('recall'), () => acts.recall(m), '.danger') : null), [
      h('button.btn', { type: 'button', onclick: () => d.close() }, t('cancel'))], 'sheet');
  }

  // ---- drag and drop onto the pane
  pane.addEventListener('dragover', (e) => { if ([...e.dataTransfer.types].includes('Files')) { e.preventDefault(); pane.classList.add('drop'); } });
  pane.addEventListener('dragleave', (e) => { if (!pane.contains(e.relatedTarget)) pane.classList.remove('drop'); });
  pane.addEventListener('drop', (e) => { e.preventDefault(); pane.classList.remove('drop'); comp.addFiles([...e.dataTransfer.files]); });

  // ---- editing in place
  function editInPlace(m, el) {
    const box = h('textarea.input', { value: m.text, 'aria-label': t('edit'), rows: Math.min(8, m.text.split('\n').length + 1) });
    const save = async () => {
      if (box.value === m.text || !box.value.trim()) return updateOne(m);
      try { received(id, await patch(`/rooms/${id}/messages/${m.id}`, { text: box.value })); } catch (e) { toast(e.message); }
    };
    const f = h('div.editbox', null, box, h('div.actions', null,
      h('button.btn.sm', { type: 'button', onclick: () => updateOne(m) }, t('cancel')),
      h('button.btn.sm.primary', { type: 'button', onclick: save }, t('save'))));
    box.addEventListener('keydown', (e) => {
      if (e.isComposing || e.keyCode === 229) return;
      if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); save(); }
      if (e.key === 'Escape') updateOne(m);
    });
    el.querySelector('.mbody').replaceWith(f);
    box.focus();
  }

  function paintTyping() {
    const us = typers(id).map((u) => S.users.get(u)?.name || tl.members?.get(u)?.name).filter(Boolean);
    typing.textContent = us.length ? t('typing', us.join('、')) : '';
  }

  cleanup.push(
    comp.destroy,
    on('tl', (rid, kind, m) => {
      if (rid !== id || !win) return;
      if (kind === 'new') onNew(m); else if (kind === 'update') updateOne(m); else if (kind === 'reads') updateReads(); else if (kind === 'outbox') renderOutbox(); else render();
    }),
    on('typing', (rid) => rid === id && paintTyping()),
    on('rooms', paintHead),
    on('visible', seen),
    () => { alive = false; },
  );

  // ---- open
  status.textContent = t('older');
  openTimeline(id).then(() => {
    if (!alive) return;
    computeDivider();
    const n = tl.msgs.length;
    let from = Math.max(0, n - STEP);
    if (divider != null) from = Math.min(from, Math.max(0, idx(divider) - 10));
    win = { from: tl.msgs[from]?.seq ?? 0, to: null };
    render(false);
    renderOutbox();
    const d = list.querySelector('#unread-div'), max = scroller.scrollHeight - scroller.clientHeight;
    scroller.scrollTop = d ? Math.min(d.offsetTop - 40, max) : max;
    stick = atBottom(); lastTop = scroller.scrollTop;
    seen(); paintJump();
    if (atSeq != null) return revealSeq(atSeq);
    if (matchMedia('(min-width: 641px)').matches) comp.focus();
  }, (e) => { status.textContent = e.status === 404 ? t('selectRoom') : t('error'); });
}

export async function readersDialog(roomId, m) {
  let data;
  try { data = await get(`/rooms/${roomId}/messages/${m.id}/readers`); } catch (e) { toast(e.message); return; }
  const tabs = [['read', t('readTab', data.read.length)], ['unread', t('unreadTab', data.unread.length)]];
  const panel = h('div.rpanel', { role: 'tabpanel' });
  const bar = h('div.tabs', { role: 'tablist' });
  const show = (k) => {
    for (const b of bar.children) { const on = b.dataset.k === k; b.setAttribute('aria-selected', String(on)); b.tabIndex = on ? 0 : -1; }
    const list = data[k];
    clear(panel, list.length ? h('ul.plist', null, list.map((u) => h('li', null, dot(u.id),
      h('div.pinfo', null, h('div.pname', null, u.name), h('div.sub', null, who(u)),
        u.read_at ? h('div.sub', null, fmtDateTime(u.read_at)) : null)))) : h('p.empty', null, '—'));
    panel.setAttribute('aria-labelledby', 'tab-' + k);
  };
  for (const [k, label] of tabs) bar.append(h('button.tab', { type: 'button', role: 'tab', id: 'tab-' + k, 'data-k': k, onclick: () => show(k) }, label));
  bar.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const k = bar.querySelector('[aria-selected=true]').dataset.k === 'read' ? 'unread' : 'read';
    show(k); bar.querySelector(`[data-k=${k}]`).focus();
  });
  const d = modal(t('readers'), h('div', null, bar, panel), [h('button.btn', { type: 'button', onclick: () => d.close() }, t('close'))], 'readers');
  show('read');
  bar.firstChild.focus();
}
