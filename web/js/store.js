// Client state: rooms, loaded timelines, people, presence, typing and the send queue.
// Nothing here is persisted except drafts (per user and room) and a few preferences.
import { get, post, del } from './api.js';

export const S = {
  me: null, rooms: new Map(), users: new Map(), presence: new Map(), stamps: [],
  tl: new Map(), typing: new Map(), outbox: [], conn: 'connecting', active: null,
};
export const wsSend = (o) => S.ws && S.ws.send(o);
const subs = new Map();
export function on(topic, fn) { (subs.get(topic) || subs.set(topic, new Set()).get(topic)).add(fn); return () => subs.get(topic).delete(fn); }
export function emit(topic, ...a) { for (const fn of subs.get(topic) || []) fn(...a); }

export function newCid() {
  const b = crypto.getRandomValues(new Uint8Array(12));
  return 'c-' + [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}
export function putUser(u) {
  if (!u || u.id == null) return u;
  const old = S.users.get(u.id);
  const merged = old ? Object.assign(old, u) : u;
  S.users.set(u.id, merged);
  if (u.presence) S.presence.set(u.id, u.presence);
  return merged;
}
export const presenceOf = (id) => S.presence.get(id) || S.users.get(id)?.presence || 'offline';
export const roomName = (r) => (r.kind === 'direct' && r.partner ? r.partner.name : r.name) || '—';

// ---- rooms
export function putRoom(r) {
  const old = S.rooms.get(r.id);
  const room = old ? Object.assign(old, r) : r;
  if (room.partner) putUser(room.partner);
  S.rooms.set(r.id, room);
  return room;
}
export async function loadRooms() {
  const { rooms } = await get('/rooms');
  const seen = new Set();
  for (const r of rooms) { putRoom(r); seen.add(r.id); }
  for (const id of [...S.rooms.keys()]) if (!seen.has(id)) S.rooms.delete(id);
  emit('rooms');
}
export async function refreshRoom(id) {
  try { putRoom(await get('/rooms/' + id)); } catch (e) { if (e.status === 404) S.rooms.delete(id); }
  emit('rooms');
}
export const totalUnread = () => { let n = 0; for (const r of S.rooms.values()) if (!r.archived) n += r.unread || 0; return n; };

// ---- timelines: msgs is a contiguous, seq-ordered run ending at the latest loaded message.
export function tlOf(id) {
  let t = S.tl.get(id);
  if (!t) S.tl.set(id, t = { msgs: [], hasOlder: true, loaded: false, members: null, openRead: 0 });
  return t;
}
function idxOf(msgs, seq) {
  let lo = 0, hi = msgs.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (msgs[m].seq < seq) lo = m + 1; else hi = m; }
  return lo;
}
export function upsert(roomId, m) {
  const t = tlOf(roomId), i = idxOf(t.msgs, m.seq);
  const k = m.client_msg_id ? S.outbox.findIndex((o) => o.cid === m.client_msg_id) : -1;
  if (k >= 0) { S.outbox.splice(k, 1); queueMicrotask(() => emit('tl', roomId, 'outbox')); }
  if (t.msgs[i] && t.msgs[i].seq === m.seq) { t.msgs[i] = m; return false; }
  // Keep the loaded run contiguous: a message older than it is not inserted.
  if (t.loaded && (i > 0 || !t.hasOlder || !t.msgs.length)) t.msgs.splice(i, 0, m);
  return true;
}
export async function openTimeline(id) {
  const t = tlOf(id), r = S.rooms.get(id);
  t.openRead = r ? r.last_read_seq || 0 : 0;
  if (!t.loaded) {
    const limit = Math.min(200, Math.max(50, (r?.unread || 0) + 10));
    const { messages, has_more } = await get(`/rooms/${id}/messages?limit=${limit}`);
    t.msgs = messages; t.hasOlder = has_more; t.loaded = true;
  } else await catchUp(id);
  loadMembers(id);
}
export async function loadOlder(id) {
  const t = tlOf(id);
  if (!t.hasOlder || t.busy) return 0;
  t.busy = true;
  try {
    const first = t.msgs[0];
    const { messages, has_more } = await get(`/rooms/${id}/messages?limit=100` + (first ? '&before=' + first.seq : ''));
    messages.reverse();
    t.msgs = messages.concat(t.msgs); t.hasOlder = has_more;
    return messages.length;
  } finally { t.busy = false; }
}
export async function catchUp(id) {
  const t = tlOf(id);
  if (!t.loaded) return;
  for (let i = 0; i < 50; i++) {
    const last = t.msgs[t.msgs.length - 1];
    const { messages, has_more } = await get(`/rooms/${id}/messages?limit=200&after=${last ? last.seq : 0}`);
    for (const m of messages) upsert(id, m);
    if (messages.length) emit('tl', id, 'reload');
    if (!has_more) break;
  }
}
export async function loadMembers(id) {
  const { members } = await get(`/rooms/${id}/members`);
  const t = tlOf(id);
  t.members = new Map(members.map((u) => [u.id, putUser({ ...u })]));
  t.reads = new Map(members.map((u) => [u.id, u.last_read_seq || 0]));
  emit('members', id);
  emit('tl', id, 'reads');
}
// 既読 N: members other than the sender who have read up to seq (the server's number until
// the member list, which carries everyone's read position, has arrived).
export function readCount(roomId, m) {
  const t = S.tl.get(roomId);
  if (!t || !t.reads) return m.read_count || 0;
  let n = 0;
  for (const [uid, s] of t.reads) if (uid !== m.sender.id && s >= m.seq) n++;
  return Math.max(n, m.read_count || 0);
}
let readTimer = 0;
export function markRead(id) {
  const r = S.rooms.get(id), t = S.tl.get(id);
  if (!r || !t || !t.msgs.length) return;
  const seq = t.msgs[t.msgs.length - 1].seq;
  if (seq <= (r.last_read_seq || 0) && !r.unread) return;
  r.last_read_seq = Math.max(seq, r.last_read_seq || 0); r.unread = 0; r.mention = false;
  emit('rooms');
  clearTimeout(readTimer);
  readTimer = setTimeout(() => post(`/rooms/${id}/read`, { seq }).catch(() => {}), 150);
}

// ---- the send queue: a message keeps its client_msg_id across retries, so the server
// answers a retry with the original message instead of a duplicate.
let flushTimer = 0, flushing = false, backoff = 1000;
export function send(roomId, body) {
  const o = { cid: newCid(), roomId, body, state: 'pending', at: new Date().toISOString() };
  S.outbox.push(o);
  emit('tl', roomId, 'outbox');
  flush();
}
// Held messages (送信予約) of this user, after a reload.
export async function loadHeld() {
  const r = await get('/me/held').catch(() => ({ held: [] }));
  for (const x of r.held) {
    if (S.outbox.some((o) => o.cid === x.client_msg_id)) continue;
    S.outbox.push({ cid: x.client_msg_id, roomId: x.room_id, body: { text: x.text }, state: 'held', heldId: x.id, heldUntil: x.held_until });
  }
}
export async function cancelHeld(cid) {
  const o = S.outbox.find((x) => x.cid === cid);
  if (!o?.heldId) return;
  await del('/me/held/' + String(o.heldId).replace('held-', ''));
  discard(cid);
}
export function retry(cid) { const o = S.outbox.find((x) => x.cid === cid); if (o) { o.state = 'pending'; emit('tl', o.roomId, 'outbox'); flush(); } }
export function discard(cid) { const k = S.outbox.findIndex((x) => x.cid === cid); if (k >= 0) { const [o] = S.outbox.splice(k, 1); emit('tl', o.roomId, 'outbox'); } }
export async function flush() {
  if (flushing) return;
  flushing = true; clearTimeout(flushTimer);
  try {
    for (const o of [...S.outbox]) {
      if (o.state !== 'pending' || !S.outbox.includes(o)) continue;
      try {
        const m = await post(`/rooms/${o.roomId}/messages`, { ...o.body, client_msg_id: o.cid });
        if (m.status === 'held') { // R14: 送信予約 — it goes out at the next business morning
          o.state = 'held'; o.heldId = m.id; o.heldUntil = m.held_until;
          emit('tl', o.roomId, 'outbox');
          continue;
        }
        discard(o.cid);
        received(o.roomId, m, true);
        backoff = 1000;
      } catch (e) {
        if (e.status === 422 && /^personal_information/.test(e.code)) {
          // R16: nothing was stored; the composer gets the text back with the span marked.
          discard(o.cid);
          emit('pii', o.roomId, o.body, e);
          continue;
        }
        if (e.status === 0 || e.status >= 500 || e.status === 429) {
          flushTimer = setTimeout(flush, backoff); backoff = Math.min(backoff * 2, 30000);
          break;
        }
        o.state = 'failed'; o.error = e.message;
        emit('tl', o.roomId, 'outbox');
      }
    }
  } finally { flushing = false; }
}
export function received(roomId, m, mine) {
  const isNew = upsert(roomId, m);
  const r = S.rooms.get(roomId);
  if (r && (isNew || mine) && m.seq >= (r.last_seq || 0)) {
    r.last_seq = m.seq; r.last_message = m; r.last_activity_at = m.created_at;
    if (m.sender.id === S.me.id) { r.last_read_seq = m.seq; }
    else if (isNew) {
      r.unread = (r.unread || 0) + 1;
      if (m.mention_all || (m.mentions || []).includes(S.me.id)) r.mention = true;
    }
    emit('rooms');
  }
  if (isNew && S.typing.get(roomId)?.delete(m.sender.id)) emit('typing', roomId);
  emit('tl', roomId, isNew ? 'new' : 'update', m);
  return isNew;
}

// ---- typing: who typed in which room, forgotten after 6 s.
export function typed(roomId, userId) {
  if (userId === S.me.id) return;
  const m = S.typing.get(roomId) || S.typing.set(roomId, new Map()).get(roomId);
  m.set(userId, Date.now() + 6000);
  emit('typing', roomId);
  setTimeout(() => emit('typing', roomId), 6100);
}
export function typers(roomId) {
  const m = S.typing.get(roomId), now = Date.now(), out = [];
  if (m) for (const [u, exp] of m) if (exp > now) out.push(u); else m.delete(u);
  return out;
}

// ---- drafts and preferences, keyed by user.
const k = (s) => `kairan.${s}.${S.me.id}`;
export const draft = {
  get: (room) => localStorage.getItem(k('draft') + '.' + room) || '',
  set: (room, v) => v ? localStorage.setItem(k('draft') + '.' + room, v) : localStorage.removeItem(k('draft') + '.' + room),
};
export function muted() { try { return new Set(JSON.parse(localStorage.getItem(k('mute')) || '[]')); } catch { return new Set(); } }
export function toggleMute(id) { const s = muted(); s.has(id) ? s.delete(id) : s.add(id); localStorage.setItem(k('mute'), JSON.stringify([...s])); }
