// Provisions a Kairan server for the benchmark scenarios through the admin API (keep-alive
// HTTP/1.1, 64 requests in flight), and writes what the load generator reads:
//   tokens.txt        line i: "<user_id> <token>" for login b<i>   (users b00000 …)
//   admin.txt         the administrator's token
//   s2-rooms.txt      S2: 400 rooms of 2–50 members among users 0..1999 (100 of them direct)
//   s3-1000.txt / s3-5000.txt   S3: announcement rooms (admin sends) of 1,000 and 5,000 members
//   s4-rooms.txt      S4: one room per sender (users 10000…), no WebSocket members
//   s5-rooms.txt      S5: 100 rooms of 100 members (users 0..9999)
//   s6.json           S6: a room with 1,000 messages and a member's token, for wrk
// Room lines: "<room_id> <sender> <member indexes…>"; sender -1 = admin, -2 = a random member.
// Usage: node bench/provision.mjs --url http://127.0.0.1:PORT --admin-password PW --out DIR [--users N]
import http from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) => (i % 2 ? a : [...a, [v.replace(/^--/, ''), all[i + 1]]]), []));
const url = new URL(args.url || 'http://127.0.0.1:8080');
const out = args.out || '.';
const NUSERS = Number(args.users || 19000);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const pw = (i) => `Bench-${i}-pw-9137!`;
const login = (i) => 'b' + String(i).padStart(5, '0');

function req(method, path, body, token) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const r = http.request({ host: url.hostname, port: url.port, method, path, agent,
      headers: { ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}),
        ...(token ? { authorization: 'Bearer ' + token } : {}) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json = null;
        try { json = JSON.parse(text); } catch {}
        if (res.statusCode >= 300) reject(new Error(`${method} ${path} → ${res.statusCode} ${text.slice(0, 200)}`));
        else resolve(json);
      });
    });
    r.setTimeout(60000, () => r.destroy(new Error(`${method} ${path} timed out`)));
    r.on('error', reject);
    if (data) r.write(data);
    r.end();
  });
}

async function pool(n, conc, fn) {
  const res = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      for (let attempt = 0; ; attempt++) {
        try { res[i] = await fn(i); break; } catch (e) { if (attempt >= 3) throw e; await new Promise((r) => setTimeout(r, 200)); }
      }
    }
  };
  await Promise.all(Array.from({ length: conc }, worker));
  return res;
}

let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);

const stage = args.stage || 'all';
const t0 = Date.now();
let A, users, tokens, tCreate = t0, tLogin = t0;
if (stage !== 'rooms') {
  const admin = await req('POST', '/api/v1/auth/login', { login: 'admin', password: args['admin-password'] });
  A = admin.token;
  writeFileSync(join(out, 'admin.txt'), A + '\n');
  users = await pool(NUSERS, 64, (i) => req('POST', '/api/v1/admin/users', {
    login: login(i), name: `ベンチ ${i}`, kana: `べんち ${i}`, password: pw(i), must_change_password: false,
  }, A));
  tCreate = Date.now();
  tokens = await pool(NUSERS, 64, (i) => req('POST', '/api/v1/auth/login', { login: login(i), password: pw(i) }).then((r) => r.token));
  tLogin = Date.now();
  writeFileSync(join(out, 'tokens.txt'), users.map((u, i) => `${u.id} ${tokens[i]}`).join('\n') + '\n');
  if (stage === 'users') {
    const summary = { stage, users: users.length, create_users_s: (tCreate - t0) / 1e3, login_s: (tLogin - tCreate) / 1e3,
      users_per_s: Math.round(NUSERS / ((tCreate - t0) / 1e3)), logins_per_s: Math.round(NUSERS / ((tLogin - tCreate) / 1e3)) };
    writeFileSync(join(out, 'provision-users.json'), JSON.stringify(summary) + '\n');
    console.log(JSON.stringify(summary));
    agent.destroy();
    process.exit(0);
  }
} else {
  A = readFileSync(join(out, 'admin.txt'), 'utf8').trim();
  const lines = readFileSync(join(out, 'tokens.txt'), 'utf8').trim().split('\n').map((l) => l.split(' '));
  users = lines.map(([id]) => ({ id: Number(id) }));
  tokens = lines.map(([, t]) => t);
}
const uid = (i) => users[i].id;
const createRoom = (name, members, kind = 'group') => req('POST', '/api/v1/rooms', { name, kind, member_ids: members.map(uid) }, A);

// S2: 400 rooms among 2,000 people: 100 direct chats, 300 groups of 3–50 (most small).
const s2 = [];
const perm = Array.from({ length: 2000 }, (_, i) => i).sort(() => rand() - 0.5);
let pi = 0;
const pick = () => perm[pi++ % perm.length];
const directs = await pool(100, 32, async (k) => {
  const a = pick(), b = pick();
  const r = await req('POST', '/api/v1/rooms/direct', { user_id: uid(b) }, tokens[a]);
  return `${r.id} -2 ${a} ${b}`;
});
s2.push(...directs);
const groups = Array.from({ length: 300 }, () => {
  const size = 3 + Math.floor(47 * rand() * rand());
  const m = new Set();
  while (m.size < size) m.add(m.size === 0 ? pick() : (rand() < 0.5 ? pick() : Math.floor(rand() * 2000)));
  return [...m];
});
s2.push(...await pool(groups.length, 32, async (k) => `${(await createRoom(`S2 group ${k}`, groups[k])).id} -2 ${groups[k].join(' ')}`));
writeFileSync(join(out, 's2-rooms.txt'), s2.join('\n') + '\n');

// S3: announcement rooms (only owners post: the administrator sends).
// Members are users 10000… so that S5's clients (0..9999) are not in these rooms.
const s3base = Math.max(0, Math.min(10000, users.length - 5000));
for (const n of [1000, 5000]) {
  const m = Array.from({ length: Math.min(n, users.length) }, (_, i) => s3base + i);
  const r = await createRoom(`S3 announcement ${n}`, m, 'announcement');
  writeFileSync(join(out, `s3-${n}.txt`), `${r.id} -1 ${m.join(' ')}\n`);
}

// S4: one room per sender; the senders are not connected by WebSocket.
const s4base = Math.max(0, Math.min(15000, users.length - 256));
const s4 = await pool(256, 32, async (k) => `${(await createRoom(`S4 ${k}`, [s4base + k])).id} ${s4base + k}`);
writeFileSync(join(out, 's4-rooms.txt'), s4.join('\n') + '\n');

// S5: 100 rooms of 100 members.
const s5n = Math.min(10000, users.length);
const s5 = await pool(s5n / 100, 16, async (k) => {
  const m = Array.from({ length: 100 }, (_, i) => k * 100 + i);
  return `${(await createRoom(`S5 ${k}`, m)).id} -2 ${m.join(' ')}`;
});
writeFileSync(join(out, 's5-rooms.txt'), s5.join('\n') + '\n');

// S6: a room with 1,000 messages of ordinary length.
const hist = await createRoom('S6 history', [0, 1]);
await pool(1000, 16, (k) => req('POST', `/api/v1/rooms/${hist.id}/messages`, {
  text: `履歴 ${k}: 来週の会議資料を共有します。ご確認をお願いします。`, client_msg_id: `s6-${k}`,
}, tokens[0]));
writeFileSync(join(out, 's6.json'), JSON.stringify({ room: hist.id, token: tokens[0] }) + '\n');

const tEnd = Date.now();
const summary = { stage, users: users.length, create_users_s: (tCreate - t0) / 1e3, login_s: (tLogin - tCreate) / 1e3,
  rooms_s: (tEnd - tLogin) / 1e3, total_s: (tEnd - t0) / 1e3,
  };
writeFileSync(join(out, 'provision.json'), JSON.stringify(summary) + '\n');
console.log(JSON.stringify(summary));
agent.destroy();
