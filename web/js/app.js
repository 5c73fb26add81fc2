// Boot, layout, routing (#/r/ID, #/dir, #/me), live events, notifications and the title badge.
import { h, $, clear, confirmBox } from './dom.js';
import { get, post, setUnauthorizedHandler } from './api.js';
import { t, lang, setLang } from './i18n.js';
import { connect } from './ws.js';
import { S, wsSend, on, emit, loadRooms, loadHeld, refreshRoom, received, typed, putUser, flush, catchUp, loadMembers, totalUnread, roomName, muted } from './store.js';
import { loginView } from './views/login.js';
import { roomList } from './views/rooms.js';
import { timeline } from './views/timeline.js';
import { details } from './views/details.js';
import { directory } from './views/directory.js';
import { calendarView } from './views/calendar.js';
import { disclosureView } from './views/disclosure.js';
import { notesView, noteView, noteEditor, meetingView } from './views/notes.js';
import { memoView } from './views/memo.js';
import { paperView } from './views/paper.js';
import { profile, totpCard } from './views/profile.js';
import { dot } from './views/people.js';
import { isPhone, registerWorker, signedOut, offlineView, hasPin, pinSetup, appLock, wipe, subscribePush } from './phone.js';
import { searchView, searchBox, parseSearchHash } from './views/search.js';
import { configure as configureCopy, pinEntered, dropCopy, copyOwner } from './offcache.js';
import { offlineReader } from './views/offline.js';

const app = $('#app');
let shell = null;
document.documentElement.lang = lang;

let lock = null, gone = false;
// R21: a session that ends under the app (account lock, sign-out elsewhere, a timed-out phone
// session) wipes what the device kept and says so; the next login starts clean.
function deviceSignedOut(reason) {
  if (gone) return;
  gone = true;
  S.ws?.close();
  signedOut(app, reason, () => { location.hash = ''; location.reload(); });
}

// No network at start: Kairan's own offline screen; on a phone that keeps an offline copy of
// messages (R17), the way to read it behind the PIN.
function offline() {
  const owner = isPhone ? copyOwner() : null;
  offlineView(app, () => { clear(app, h('p.boot', null, t('loading'))); boot(); },
    owner ? () => offlineReader(app, owner, offline) : null);
}

async function boot() {
  registerWorker();
  setUnauthorizedHandler((code) => { if (S.me) deviceSignedOut(code === 'session_expired' ? 'expired' : 'revoked'); });
  // Only ask for /me when this browser logged in before: the cookie itself is HttpOnly.
  if (!localStorage.getItem('kairan.in')) return loginView(app, boot);
  // Everything the first screen needs is asked at once: on a slow line each round trip costs
  // seconds (R22), and a refused session only wastes these small requests.
  const early = [loadRooms().catch(() => {}), loadHeld(), get('/settings').catch(() => ({}))];
  for (const x of early) x.catch(() => {});
  try { S.me = await get('/me'); } catch (e) {
    if (e.status === 0) return offline();
    // This device was signed in, and the server no longer knows the session.
    if (e.status === 401) return deviceSignedOut(e.code === 'session_expired' ? 'expired' : 'revoked');
    localStorage.removeItem('kairan.in'); return loginView(app, boot);
  }
  if (S.me.must_change_password) return loginView(app, boot, true);
  // An administrator who must use two-step verification enrols before anything else.
  if (S.me.totp_setup_required) {
    return clear(app, h('main.login-wrap', null, h('div.card.login', null, h('h1', null, t('totpRequired'))),
      totpCard(() => location.reload())));
  }
  putUser(S.me);
  const settingsP = early[2];
  // R19: a phone has an app lock with a PIN; the first start chooses it.
  if (isPhone) {
    const fresh = !hasPin(S.me.id);
    // The PIN of this start (setup or unlock), if it asked for one: the offline copy's key is
    // made with it (R17). Later unlocks hand it over directly.
    let pin = null, booting = true;
    if (fresh) { pin = await pinSetup(app, S.me); await dropCopy(); } // a new PIN: no older copy stays
    const settings = await settingsP;
    lock = appLock(app, S.me.id, settings.phone_lock_minutes ?? 5, { onFail: pinFailed, isOpen: () => !!S.me && !gone,
      onPin: (p) => { if (booting) pin = p; else pinEntered(p).catch(() => {}); } });
    // A start long after the app was last used asks for the PIN before anything is shown.
    if (!fresh && lock.due()) { lock.lock(); await new Promise((r) => document.addEventListener('kairan-unlocked', r, { once: true })); }
    booting = false;
    // The city's setting as seen at this start: off deletes any copy.
    configureCopy(S.me.id, settings, pin).catch(() => {});
    pin = null;
  }
  get('/stamps').then((d) => { S.stamps = d.stamps; }).catch(() => {});
  const [, , settings] = await Promise.all(early);
  build();
  if (settings.watermark || (isPhone && settings.phone_watermark !== false)) watermark();
  subscribePush(settings); // R22: only when the city turned Web Push on and notifications are allowed
  screenshotGuard();
  refreshOfficeHours();
  setInterval(refreshOfficeHours, 5 * 60 * 1000);
  // R19: say so when the password expires soon (the server forces the change once it has).
  if (S.me.password_expiry_warning && S.me.password_expires_at) {
    shell.conn.textContent = t('pwExpiry') + S.me.password_expires_at.slice(0, 10);
    shell.conn.classList.add('show');
    setTimeout(() => { if (S.conn !== 'reconnecting') shell.conn.classList.remove('show'); }, 8000);
  }
  S.ws = connect({ onEvent, onState });
  addEventListener('hashchange', route);
  document.addEventListener('kairan-logout', logout);
  document.addEventListener('kairan-unlocked', () => emit('visible'));
  document.addEventListener('visibilitychange', () => {
    wsSend({ type: 'presence', status: document.hidden ? 'away' : 'online' });
    if (!document.hidden) emit('visible');
  });
  route();
}

function build() {
  const conn = h('div.conn', { role: 'status', 'aria-live': 'polite' });
  const meBtn = h('a.me', { href: '#/me', title: t('profile') }, dot(S.me.id), h('span.me-name', null, S.me.name));
  shell = {
    conn, meBtn, search: searchBox(),
    rooms: h('aside.pane-rooms', { 'aria-label': t('talk') }),
    main: h('section.pane-main'),
    side: h('aside.pane-details', { 'aria-label': t('details') }),
    live: h('div.sr-only', { 'aria-live': 'polite', 'aria-atomic': 'false' }),
  };
  const top = h('header.topbar', null,
    h('a.brand', { href: '#/' }, h('img', { src: '/favicon.svg', alt: '', width: 24, height: 24 }), t('app')),
    h('nav.nav', { 'aria-label': t('menu') },
      h('a', { href: '#/' }, t('talk')), h('a', { href: '#/dir' }, t('directory')), h('a.nav-memo', { href: '#/memo' }, t('memo'), h('span.badge.memo-n', { hidden: true, 'aria-label': t('unconfirmed') })),
      h('a', { href: '#/cal' }, t('calendar')),
      S.me.is_admin || S.me.dept_admin ? h('a', { href: '#/paper' }, t('paper')) : null,
      S.me.is_admin || S.me.disclosure_officer ? h('a', { href: '#/disclosure' }, t('disclosure')) : null),
    h('span.grow'), shell.search, meBtn,
    h('button.btn.ghost.wide-only', { type: 'button', onclick: () => { setLang(lang === 'ja' ? 'en' : 'ja'); location.reload(); } }, t('lang')),
    h('button.btn.ghost.wide-only', { type: 'button', onclick: logout }, t('logout')));
  shell.grid = h('main.shell', null, shell.rooms, shell.main, shell.side);
  clear(app, top, conn, shell.grid, shell.live);
  roomList(shell.rooms);
  on('rooms', badge);
  badge();
  memoCount();
}

// R10: the memos waiting for my 確認, counted beside 伝言メモ.
async function memoCount() {
  const el = document.querySelector('.memo-n');
  if (!el) return;
  const { memos } = await get('/memos?box=inbox&unconfirmed=1').catch(() => ({ memos: [] }));
  el.textContent = memos.length;
  el.hidden = memos.length === 0;
}

// R18: the administrator may put the viewer's name and staff id over the screen, so a
// photographed or captured screen shows whose it was. Text only, no pointer events.
function watermark() {
  const label = `${S.me.name} ${S.me.login}`;
  const layer = h('div.watermark', { 'aria-hidden': 'true' });
  for (let i = 0; i < 60; i++) layer.append(h('span', null, label));
  document.body.append(layer);
}

// R18: the PrintScreen key is reported to the administrators (the guide forbids screenshots).
function screenshotGuard() {
  addEventListener('keyup', (e) => {
    if (e.key !== 'PrintScreen') return;
    post('/reports/screenshot', { room_id: S.active || null, source: 'printscreen' }).catch(() => {});
    shell.conn.textContent = t('screenshotWarn');
    shell.conn.classList.add('show');
    setTimeout(() => { if (S.conn !== 'reconnecting') shell.conn.classList.remove('show'); }, 4000);
  });
}

// Forgotten PIN (a plain logout), or too many wrong ones (the device is signed out and wiped).
async function pinFailed(why) {
  await post('/auth/logout').catch(() => {});
  if (why === 'pin') return deviceSignedOut('pin');
  await dropCopy(); // a forgotten PIN: the copy it opened goes with it
  localStorage.removeItem('kairan.in');
  location.hash = ''; location.reload();
}

async function logout() {
  if (!await confirmBox(t('logout'), t('logoutQ'), t('logout'), t('cancel'))) return;
  await post('/auth/logout').catch(() => {});
  if (isPhone) await wipe(true); // R17: a phone keeps nothing of the session
  localStorage.removeItem('kairan.in');
  location.hash = ''; location.reload();
}

function route() {
  const hsh = location.hash;
  document.body.classList.remove('show-details');
  let m;
  const section = ['#/dir', '#/cal', '#/disclosure', '#/memo', '#/paper'].find((p) => hsh.startsWith(p)) || '#/';
  shell.search.sync();
  for (const a of document.querySelectorAll('.nav a')) a.toggleAttribute('aria-current', a.getAttribute('href') === section);
  const page = (fn) => { shell.grid.className = 'shell view-page'; fn().catch((e) => clear(shell.main, h('p.error', { role: 'alert' }, e.message || t('error')))); };
  if ((m = hsh.match(/^#\/r\/(\d+)\/(notes|meetings)(?:\/(\d+|new))?(?:\/(edit))?(?:\?(.*))?$/))) {
    // A room's notes and meetings take the main pane; the room's details stay beside them.
    S.active = null;
    const roomId = Number(m[1]), id = m[3], q = new URLSearchParams(m[5] || '');
    details(shell.side, roomId);
    if (m[2] === 'meetings' && id) page(() => meetingView(shell.main, roomId, Number(id)));
    else if (id === 'new') page(() => noteEditor(shell.main, roomId, null, { template: q.get('template') }));
    else if (id && m[4]) page(() => noteEditor(shell.main, roomId, Number(id), { suggest: q.get('suggest') === '1' }));
    else if (id) page(() => noteView(shell.main, roomId, Number(id)));
    else page(() => notesView(shell.main, roomId));
  } else if ((m = hsh.match(/^#\/r\/(\d+)(?:\/m\/(\d+))?/))) {
    S.active = Number(m[1]);
    shell.grid.className = 'shell view-room';
    // #/r/ROOM/m/SEQ (from a search result) opens the room at that message.
    timeline(shell.main, S.active, m[2] ? Number(m[2]) : null);
    details(shell.side, S.active);
  } else {
    S.active = null;
    shell.side.replaceChildren();
    if (hsh.startsWith('#/search')) { shell.grid.className = 'shell view-page'; searchView(shell.main, parseSearchHash(hsh)).catch(() => {}); }
    else if (hsh.startsWith('#/dir')) { shell.grid.className = 'shell view-page'; directory(shell.main); }
    else if (hsh.startsWith('#/cal')) { shell.grid.className = 'shell view-page'; calendarView(shell.main).catch(() => {}); }
    else if (hsh.startsWith('#/disclosure') && (S.me.is_admin || S.me.disclosure_officer)) { shell.grid.className = 'shell view-page'; disclosureView(shell.main).catch(() => {}); }
    else if (hsh.startsWith('#/memo')) page(() => memoView(shell.main));
    else if (hsh.startsWith('#/me')) { shell.grid.className = 'shell view-page'; profile(shell.main); }
    else if (hsh.startsWith('#/paper') && (S.me.is_admin || S.me.dept_admin)) page(() => paperView(shell.main));
    else {
      shell.grid.className = 'shell view-list';
      clear(shell.main, h('div.empty', null, t('selectRoom')));
    }
  }
  emit('route');
}

function onState(st) {
  S.conn = st;
  shell.conn.textContent = st === 'reconnecting' ? (navigator.onLine ? t('reconnecting') : t('offline')) : '';
  shell.conn.classList.toggle('show', st === 'reconnecting');
}
let hadHello = false;
async function onEvent(ev) {
  switch (ev.type) {
    case 'hello':
      wsSend({ type: 'presence', status: document.hidden ? 'away' : 'online' });
      if (hadHello) {
        await loadRooms().catch(() => {});
        for (const id of S.tl.keys()) {
          if (!S.rooms.has(id)) continue;
          await catchUp(id).catch(() => {});
          if (id === S.active) loadMembers(id).catch(() => {});
        }
      }
      hadHello = true;
      flush();
      break;
    case 'message.created': {
      // A room first seen through its message is fetched whole; its counts already include it.
      const fresh = !S.rooms.has(ev.room_id);
      if (fresh) await refreshRoom(ev.room_id);
      const r = S.rooms.get(ev.room_id), counts = r && { unread: r.unread, mention: r.mention };
      const isNew = received(ev.room_id, ev.message, ev.message.sender.id === S.me.id);
      if (fresh && r) { Object.assign(r, counts); emit('rooms'); }
      if (isNew && ev.message.sender.id !== S.me.id) announce(ev.room_id, ev.message);
      if (ev.message.card?.type === 'memo') memoCount();
      break;
    }
    case 'message.updated': case 'message.deleted':
      received(ev.room_id, ev.message);
      if (ev.message?.card?.type === 'memo') memoCount();
      break;
    case 'read.updated': {
      const tl = S.tl.get(ev.room_id);
      if (tl && tl.reads) { tl.reads.set(ev.user_id, Math.max(ev.seq, tl.reads.get(ev.user_id) || 0)); emit('tl', ev.room_id, 'reads'); }
      if (ev.user_id === S.me.id) {
        const r = S.rooms.get(ev.room_id);
        if (r && ev.seq > (r.last_read_seq || 0)) { if (ev.seq >= r.last_seq) { r.unread = 0; r.mention = false; r.last_read_seq = ev.seq; emit('rooms'); } else refreshRoom(ev.room_id); }
      }
      break;
    }
    case 'room.created': case 'room.updated': await refreshRoom(ev.room_id); emit('room', ev.room_id); break;
    case 'room.member_added': case 'room.member_removed':
      if (ev.user_id === S.me.id) await refreshRoom(ev.room_id);
      else if (S.tl.get(ev.room_id)?.members) loadMembers(ev.room_id).catch(() => {});
      break;
    case 'presence.updated':
      S.presence.set(ev.user_id, ev.status);
      emit('presence', ev.user_id);
      break;
    case 'typing': typed(ev.room_id, ev.user_id); break;
    case 'session.revoked': deviceSignedOut(ev.reason === 'expired' ? 'expired' : 'revoked'); break;
  }
}

// New messages from others: aria-live text, and a desktop notification unless the room is
// on screen or muted.
function announce(roomId, m) {
  const r = S.rooms.get(roomId);
  const body = m.stamp ? t('stampMsg') : (m.text || (m.files?.length ? t('fileMsg') : ''));
  const name = r ? roomName(r) : '';
  shell.live.textContent = t('newMsg', name, m.sender.name + ': ' + body);
  const onScreen = roomId === S.active && !document.hidden;
  if (lock?.locked()) return; // a locked phone shows nothing of its messages, not even a notification
  // On a phone the app in use says so with a short vibration (unless the room is muted).
  if (isPhone && navigator.userActivation?.hasBeenActive && !onScreen && !muted().has(roomId) && !(officeHours.closed && !m.urgent)) navigator.vibrate?.(80);
  if (onScreen || muted().has(roomId) || !('Notification' in window) || Notification.permission !== 'granted') return;
  // R14: outside office hours the desktop stays silent, except for urgent messages.
  if (officeHours.closed && !m.urgent) return;
  const n = new Notification(m.sender.name + (r && r.kind !== 'direct' ? ' — ' + name : ''), { body: body.slice(0, 140), tag: 'room-' + roomId, icon: '/favicon.svg' });
  n.onclick = () => { focus(); location.hash = '#/r/' + roomId; n.close(); };
}

// Whether it is outside office hours now, refreshed every few minutes from /calendar.
const officeHours = { closed: false };
async function refreshOfficeHours() {
  try {
    const c = await get('/calendar');
    officeHours.closed = c.office_hours.mode !== 'off' && !c.in_office_hours && !c.disaster?.on;
  } catch { /* keep the last answer */ }
}

function badge() {
  const n = totalUnread();
  document.title = (n ? `(${n > 99 ? '99+' : n}) ` : '') + t('app');
  const link = $('link[rel=icon]');
  const want = n ? '/favicon-unread.svg' : '/favicon.svg';
  if (link && link.getAttribute('href') !== want) link.setAttribute('href', want);
}
boot();
