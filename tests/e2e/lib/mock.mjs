// A small in-memory stand-in for `kairan serve`, used only to develop the web client while
// the real server is being written (node tests/e2e/lib/mock.mjs PORT). It follows
// docs/api.md closely enough for the UI; the e2e tests run against the real binary.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { WebSocketServer } from 'ws';

const WEB = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../web');
const now = () => new Date(Date.now() + 9 * 3600e3).toISOString().replace(/\.\d+Z$/, '+09:00');
const depts = [{ id: 1, code: '01', name: '総務部', parent_id: null, path: '総務部' }, { id: 2, code: '0101', name: '総務課', parent_id: 1, path: '総務部 総務課' },
  { id: 3, code: '02', name: '財政部', parent_id: null, path: '財政部' }, { id: 4, code: '0201', name: '財政課', parent_id: 3, path: '財政部 財政課' }];
const users = new Map(), pw = new Map(), sessions = new Map(), rooms = new Map(), files = new Map();
let nextId = 1;
function addUser(login, password, name, kana, dep, title, ext, admin = false) {
  const u = { id: nextId++, login, name, kana, kind: 'staff', employment: '正規', department_id: dep, department: depts.find((d) => d.id === dep).path,
    title, extension: ext, work_phone: '077-561-' + ext, status_text: '', absent: null, presence: 'offline', is_admin: admin, locked: false, disabled: false };
  users.set(u.id, u); pw.set(login, [password, u.id]); return u;
}
addUser('admin', process.env.KAIRAN_ADMIN_PASSWORD || 'admin-password-1', '管理者', 'かんりしゃ', 1, '', '1000', true);
const STAMPS = [['ryokai', '了解しました'], ['arigato', 'ありがとうございます'], ['otsukare', 'お疲れさまです'], ['kakunin', '確認します'], ['shochi', '承知しました'],
  ['yoroshiku', 'よろしくお願いします'], ['ok', 'OK'], ['iine', 'いいね'], ['taiouchu', '対応中'], ['kanryo', '完了しました'], ['onegai', 'お願いします'], ['sumimasen', 'すみません']].map(([id, label]) => ({ id, label }));
const sockets = new Set();
const pres = (id) => { const u = users.get(id); if (u.absent) return 'absent'; const ss = [...sockets].filter((s) => s.uid === id); return !ss.length ? 'offline' : ss.some((s) => s.st !== 'away') ? 'online' : 'away'; };
const pub = (u) => ({ ...u, presence: pres(u.id) });
const sendTo = (uids, ev) => { const d = JSON.stringify(ev); for (const s of sockets) if (uids.includes(s.uid)) s.send(d); };
const mem = (r) => [...r.members.keys()];
function roomFor(r, uid) {
  const m = r.members.get(uid), last = r.msgs[r.msgs.length - 1];
  const unreadMsgs = r.msgs.filter((x) => x.seq > m.read && x.sender.id !== uid && !x.deleted);
  const partner = r.kind === 'direct' ? pub(users.get(mem(r).find((x) => x !== uid))) : null;
  return { id: r.id, kind: r.kind, name: r.name, topic: r.topic, department_id: null, archived: r.archived, created_at: r.created_at, last_seq: r.seq,
    last_read_seq: m.read, unread: unreadMsgs.length, mention: unreadMsgs.some((x) => x.mention_all || x.mentions.includes(uid)), role: m.role,
    member_count: r.members.size, last_activity_at: last ? last.created_at : r.created_at, last_message: last ? msgOut(r, last) : null, partner };
}
function msgOut(r, m) {
  const rc = [...r.members].filter(([id, x]) => id !== m.sender.id && x.read >= m.seq).length;
  return { ...m, read_count: rc };
}
function newRoom(kind, name, topic, creator, ids) {
  const r = { id: nextId++, kind, name, topic: topic || '', archived: false, created_at: now(), seq: 0, msgs: [], members: new Map() };
  r.members.set(creator, { role: 'owner', read: 0 });
  for (const i of ids) if (i !== creator) r.members.set(i, { role: kind === 'direct' ? 'owner' : 'member', read: 0 });
  rooms.set(r.id, r);
  for (const u of mem(r)) sendTo([u], { type: 'room.created', room_id: r.id, room: roomFor(r, u) });
  return r;
}
const err = (res, st, code, msg) => { res.writeHead(st, { 'Content-Type': 'application/json' }); res.end(JSON.stringify({ error: { code, message: msg || code } })); };
const ok = (res, st, o) => { res.writeHead(st, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(o)); };
const cookieUid = (req) => { const m = /kairan_session=([^;]+)/.exec(req.headers.cookie || ''); return m && sessions.get(m[1]); };
const body = (req) => new Promise((r) => { const c = []; req.on('data', (d) => c.push(d)); req.on('end', () => r(Buffer.concat(c))); });
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

const server = http.createServer(async (req, res) => {
  const u = new URL(req.url, 'http://x');
  const p = u.pathname;
  if (p === '/healthz') return ok(res, 200, { status: 'ok' });
  if (!p.startsWith('/api/')) {
    const f = path.join(WEB, p === '/' ? 'index.html' : path.normalize(p));
    if (!f.startsWith(WEB) || !fs.existsSync(f) || fs.statSync(f).isDirectory()) return err(res, 404, 'not_found');
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(f)] || 'application/octet-stream', 'Content-Security-Policy': CSP });
    return fs.createReadStream(f).pipe(res);
  }
  const raw = await body(req);
  let b = {};
  if (raw.length && (req.headers['content-type'] || '').includes('json')) { try { b = JSON.parse(raw); } catch { return err(res, 400, 'invalid_json'); } }
  const M = req.method, R = p.replace('/api/v1', '');
  if (R === '/auth/login' && M === 'POST') {
    const e = pw.get(b.login);
    if (!e || e[0] !== b.password) return err(res, 401, 'unauthorized', '職員番号またはパスワードが違います');
    const tok = crypto.randomBytes(16).toString('hex'); sessions.set(tok, e[1]);
    res.setHeader('Set-Cookie', `kairan_session=${tok}; HttpOnly; SameSite=Strict; Path=/`);
    return ok(res, 200, { token: tok, user: pub(users.get(e[1])), must_change_password: false });
  }
  let uid = cookieUid(req);
  const bearer = /^Bearer (.+)/.exec(req.headers.authorization || '');
  if (bearer) uid = sessions.get(bearer[1]);
  if (!uid) return err(res, 401, 'unauthorized');
  if (M !== 'GET' && !bearer && req.headers['x-kairan-request'] !== '1') return err(res, 403, 'forbidden', 'csrf');
  let m;
  const me = users.get(uid);
  if (R === '/auth/logout') { return res.writeHead(204).end(); }
  if (R === '/me' && M === 'GET') return ok(res, 200, { ...pub(me), must_change_password: false, delegate_for: [] });
  if (R === '/me' && M === 'PATCH') {
    for (const k of ['title', 'extension', 'work_phone', 'status_text', 'absent']) if (k in b) me[k] = b[k];
    if ('absent' in b) sendTo([...users.keys()], { type: 'presence.updated', user_id: uid, status: pres(uid) });
    return ok(res, 200, pub(me));
  }
  if (R === '/admin/users' && M === 'POST') {
    const nu = addUser(b.login, b.password, b.name, b.kana || '', b.department_id || 2, b.title || '', b.extension || String(2000 + nextId));
    return ok(res, 201, pub(nu));
  }
  if (R === '/users' && M === 'GET') {
    const q = (u.searchParams.get('q') || '').toLowerCase().split(/\s+/).filter(Boolean), dep = u.searchParams.get('department_id');
    const list = [...users.values()].filter((x) => (!dep || x.department_id == dep) && q.every((w) => [x.name, x.kana, x.login, x.department, x.title, x.extension].some((f) => (f || '').toLowerCase().replace(/\s/g, '').includes(w))));
    return ok(res, 200, { users: list.map(pub), has_more: false });
  }
  if ((m = R.match(/^\/users\/(\d+)$/))) return users.has(+m[1]) ? ok(res, 200, pub(users.get(+m[1]))) : err(res, 404, 'not_found');
  if (R === '/departments') return ok(res, 200, { departments: depts });
  if (R === '/stamps') return ok(res, 200, { stamps: STAMPS });
  if (R === '/rooms' && M === 'GET') {
    const a = u.searchParams.get('archived') || '0';
    const list = [...rooms.values()].filter((r) => r.members.has(uid) && (a === 'all' || r.archived === (a === '1'))).map((r) => roomFor(r, uid));
    list.sort((x, y) => y.last_activity_at.localeCompare(x.last_activity_at));
    return ok(res, 200, { rooms: list });
  }
  if (R === '/rooms' && M === 'POST') {
    if (!b.name) return err(res, 400, 'invalid_parameter', 'name');
    return ok(res, 201, roomFor(newRoom(b.kind || 'group', b.name, b.topic, uid, b.member_ids || []), uid));
  }
  if (R === '/rooms/direct' && M === 'POST') {
    const ex = [...rooms.values()].find((r) => r.kind === 'direct' && r.members.has(uid) && r.members.has(b.user_id));
    if (ex) return ok(res, 200, roomFor(ex, uid));
    return ok(res, 201, roomFor(newRoom('direct', '', '', uid, [b.user_id]), uid));
  }
  if (R.startsWith('/files')) {
    if (R === '/files' && M === 'POST') {
      const id = nextId++, name = u.searchParams.get('name');
      const type = raw[0] === 0x89 && raw[1] === 0x50 ? 'image/png' : raw.slice(0, 4).toString() === '%PDF' ? 'application/pdf' : 'text/plain';
      files.set(id, { id, name, size: raw.length, type, data: raw, owner: uid });
      return ok(res, 201, { id, name, size: raw.length, type });
    }
    if ((m = R.match(/^\/files\/(\d+)$/)) && files.has(+m[1])) {
      const f = files.get(+m[1]);
      res.writeHead(200, { 'Content-Type': f.type, 'Content-Disposition': (f.type.startsWith('image/') ? 'inline' : 'attachment') + `; filename*=UTF-8''${encodeURIComponent(f.name)}`, 'X-Content-Type-Options': 'nosniff' });
      return res.end(f.data);
    }
    return err(res, 404, 'not_found');
  }
  if ((m = R.match(/^\/rooms\/(\d+)(\/.*)?$/))) {
    const r = rooms.get(+m[1]), sub = m[2] || '';
    if (!r || !r.members.has(uid)) return err(res, 404, 'not_found');
    const all = mem(r);
    if (!sub && M === 'GET') return ok(res, 200, roomFor(r, uid));
    if (!sub && M === 'PATCH') { Object.assign(r, b); sendTo(all, { type: 'room.updated', room_id: r.id, room: roomFor(r, uid) }); return ok(res, 200, roomFor(r, uid)); }
    if (sub === '/members' && M === 'GET') return ok(res, 200, { members: [...r.members].map(([id, x]) => ({ ...pub(users.get(id)), role: x.role, last_read_seq: x.read })) });
    if (sub === '/members' && M === 'POST') {
      for (const i of b.user_ids) if (!r.members.has(i)) { r.members.set(i, { role: 'member', read: 0 }); sendTo(mem(r), { type: 'room.member_added', room_id: r.id, user_id: i }); sendTo([i], { type: 'room.created', room_id: r.id, room: roomFor(r, i) }); }
      return ok(res, 200, { members: [] });
    }
    if ((m = sub.match(/^\/members\/(\d+)$/)) && M === 'DELETE') { r.members.delete(+m[1]); sendTo([...all], { type: 'room.member_removed', room_id: r.id, user_id: +m[1] }); return res.writeHead(204).end(); }
    if (sub === '/read' && M === 'POST') {
      const x = r.members.get(uid); x.read = Math.max(x.read, Math.min(b.seq, r.seq));
      sendTo(all, { type: 'read.updated', room_id: r.id, user_id: uid, seq: x.read });
      return ok(res, 200, { room_id: r.id, seq: x.read });
    }
    if (sub === '/messages' && M === 'GET') {
      const lim = +(u.searchParams.get('limit') || 50), after = u.searchParams.get('after'), before = u.searchParams.get('before');
      let list;
      if (after != null) list = r.msgs.filter((x) => x.seq > +after).slice(0, lim + 1);
      else if (before != null) list = r.msgs.filter((x) => x.seq < +before).reverse().slice(0, lim + 1);
      else list = r.msgs.slice(-lim - 1);
      const has_more = list.length > lim;
      if (has_more) list = after != null || before != null ? list.slice(0, lim) : list.slice(1);
      return ok(res, 200, { messages: list.map((x) => msgOut(r, x)), has_more });
    }
    if (sub === '/messages' && M === 'POST') {
      if (r.archived) return err(res, 409, 'conflict');
      const dup = r.msgs.find((x) => x.client_msg_id === b.client_msg_id);
      if (dup) return ok(res, 201, msgOut(r, dup));
      if (!b.text && !b.stamp && !(b.file_ids || []).length) return err(res, 400, 'invalid_parameter', 'text');
      const par = b.reply_to ? r.msgs.find((x) => x.id === b.reply_to) : null;
      const msg = { id: nextId++, room_id: r.id, seq: ++r.seq, client_msg_id: b.client_msg_id, sender: { id: uid, name: me.name, title: me.title, department: me.department },
        posted_by: null, text: b.text || '', stamp: b.stamp || null, reply_to: par ? { id: par.id, seq: par.seq, sender_id: par.sender.id, text: par.text } : null,
        mentions: b.mentions || [], mention_all: !!b.mention_all, files: (b.file_ids || []).map((i) => { const f = files.get(i); return { id: f.id, name: f.name, size: f.size, type: f.type }; }),
        created_at: now(), edited_at: null, deleted: false, deleted_at: null };
      r.msgs.push(msg); r.members.get(uid).read = r.seq;
      sendTo(all, { type: 'message.created', room_id: r.id, message: msgOut(r, msg) });
      return ok(res, 201, msgOut(r, msg));
    }
    if ((m = sub.match(/^\/messages\/(\d+)(\/readers)?$/))) {
      const msg = r.msgs.find((x) => x.id === +m[1]);
      if (!msg) return err(res, 404, 'not_found');
      if (m[2]) {
        const others = [...r.members].filter(([id]) => id !== msg.sender.id).map(([id, x]) => [users.get(id), x]);
        const f = (u) => ({ id: u.id, name: u.name, title: u.title, department: u.department });
        return ok(res, 200, { read: others.filter(([, x]) => x.read >= msg.seq).map(([u]) => ({ ...f(u), read_at: now() })), unread: others.filter(([, x]) => x.read < msg.seq).map(([u]) => f(u)) });
      }
      if (msg.sender.id !== uid && M !== 'GET') return err(res, 403, 'forbidden');
      if (M === 'PATCH') { msg.text = b.text; msg.edited_at = now(); sendTo(all, { type: 'message.updated', room_id: r.id, message: msgOut(r, msg) }); }
      if (M === 'DELETE') { Object.assign(msg, { deleted: true, deleted_at: now(), text: null, stamp: null, files: [], reply_to: null }); sendTo(all, { type: 'message.deleted', room_id: r.id, message: msgOut(r, msg) }); }
      return ok(res, 200, msgOut(r, msg));
    }
  }
  return err(res, 404, 'not_found');
});
const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, sock, head) => {
  const uid = cookieUid(req);
  if (!uid) return sock.destroy();
  wss.handleUpgrade(req, sock, head, (ws) => {
    ws.uid = uid; ws.st = 'online'; sockets.add(ws);
    ws.send(JSON.stringify({ type: 'hello', user_id: uid }));
    const tell = () => sendTo([...users.keys()], { type: 'presence.updated', user_id: uid, status: pres(uid) });
    tell();
    ws.on('message', (d) => {
      const ev = JSON.parse(d);
      if (ev.type === 'ping') ws.send('{"type":"pong"}');
      if (ev.type === 'presence') { ws.st = ev.status; tell(); }
      if (ev.type === 'typing') { const r = rooms.get(ev.room_id); if (r && r.members.has(uid)) sendTo(mem(r).filter((x) => x !== uid), { type: 'typing', room_id: r.id, user_id: uid }); }
    });
    ws.on('close', () => { sockets.delete(ws); tell(); });
  });
});
const port = +(process.argv[2] || (process.env.KAIRAN_LISTEN || '').split(':')[1] || 8099);
server.listen(port, '127.0.0.1', () => console.log('mock on', port));
export { users, rooms, newRoom, addUser };
