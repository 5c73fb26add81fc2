// "A day away" (issue #12, R22): a member of 50 rooms opens the app after 300 new messages and
// 20 images arrived, on a phone-sized Chromium (390×844, touch, a phone's User-Agent) with the
// slow-3G profile (CDP Network.emulateNetworkConditions: 2,000 ms latency, 50,000 B/s each
// way — DevTools' "Slow 3G") and the app shell already cached by the service worker. Measured:
// bytes over the network until the room list is usable, the time to the list and to the first
// room; the same for the desktop client (1280×800, a PC's User-Agent) on the same line.
//
// Usage: node bench/day-away.mjs [--out bench/results/raw/day-away.json]
// (KAIRAN_BIN, default build/kairan; CHROMIUM, default /usr/bin/chromium). Takes about 2 minutes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const BIN = resolve(ROOT, process.env.KAIRAN_BIN || 'build/kairan');
const outArg = process.argv.indexOf('--out');
const OUT = resolve(ROOT, outArg > 0 ? process.argv[outArg + 1] : 'bench/results/raw/day-away.json');
const SLOW3G = { offline: false, latency: 2000, downloadThroughput: 50000, uploadThroughput: 50000 };
const ANDROID = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36';
const PC = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
const PIN = '482916';
const ROOMS = 50, NEW_MSGS = 300, IMAGES = 20;
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.error('[day-away]', ...a);

async function until(fn, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await pause(25);
  }
}
const freePort = () => new Promise((ok) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); }); });

// A photo-like PNG (noise over a gradient, so it does not compress away): about 1.5 MB.
function png(w, h, seed) {
  const crcT = new Int32Array(256).map((_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c; });
  const crc = (b) => { let c = -1; for (const x of b) c = crcT[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ -1) >>> 0; };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  let r = seed * 2654435761 >>> 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      r = (r * 1103515245 + 12345) >>> 0;
      const o = y * (w * 3 + 1) + 1 + x * 3, n = (r >>> 24) & 31;
      raw[o] = (x * 255 / w + n) & 255; raw[o + 1] = (y * 255 / h + n) & 255; raw[o + 2] = (128 + n) & 255;
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 6 })), chunk('IEND', Buffer.alloc(0))]);
}

const W = mkdtempSync(join(tmpdir(), 'kairan-dayaway-'));
let proc = null, br = null, proxyServer = null;
async function main() {
  const port = await freePort(), url = `http://127.0.0.1:${port}`, adminPw = 'DayAway-admin-pw-7731!';
  let proxyPort = await freePort();
  while (proxyPort === port) proxyPort = await freePort();
  const purl = `http://127.0.0.1:${proxyPort}`;
  proc = spawn(BIN, ['serve'], { env: { ...process.env, KAIRAN_LISTEN: `127.0.0.1:${port}`, KAIRAN_DATA: W, KAIRAN_ADMIN_LOGIN: 'admin',
    KAIRAN_ADMIN_PASSWORD: adminPw, KAIRAN_ARGON2_OPS: '1', KAIRAN_ARGON2_MEM_KIB: '8', KAIRAN_RATE_SENDS_PER_MINUTE: '0',
    KAIRAN_RATE_UPLOADS_PER_MINUTE: '0', KAIRAN_LOG_LEVEL: 'warn', KAIRAN_WEB_ROOT: join(ROOT, 'web'), KAIRAN_PUBLIC_URL: purl }, stdio: ['ignore', 'ignore', 'inherit'] });
  await until(async () => (await fetch(url + '/healthz')).ok, 15000, 'the server');
  // The browser goes through a counting TCP proxy, so every byte on the wire is seen —
  // the page's requests, the service worker's and the WebSocket's alike.
  const wire = { down: 0, up: 0 };
  const proxy = net.createServer((c) => {
    const u = net.connect(port, '127.0.0.1');
    c.on('data', (d) => { wire.up += d.length; u.write(d); });
    u.on('data', (d) => { wire.down += d.length; c.write(d); });
    const end = () => { c.destroy(); u.destroy(); };
    c.on('error', end); u.on('error', end); c.on('close', end); u.on('close', end);
  });
  await new Promise((r) => proxy.listen(proxyPort, '127.0.0.1', r));
  proxyServer = proxy;
  const api = async (method, path, body, token, raw, type) => {
    const r = await fetch(url + path, { method, headers: { ...(token ? { Authorization: 'Bearer ' + token } : {}), 'Content-Type': type || 'application/json' },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
    const j = await r.json().catch(() => null);
    if (!r.ok) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(j)}`);
    return j;
  };
  const admin = (await api('POST', '/api/v1/auth/login', { login: 'admin', password: adminPw })).token;
  const mk = async (login, name) => {
    const password = `Pw-${login}-5521x!`;
    const u = await api('POST', '/api/v1/admin/users', { login, name, password }, admin);
    return { ...u, login, password, token: (await api('POST', '/api/v1/auth/login', { login, password })).token };
  };
  log('provisioning: 2 readers, 20 colleagues, 50 rooms');
  const phoneUser = await mk('dayaway-phone', '山田 太郎'), pcUser = await mk('dayaway-pc', '佐藤 花子');
  const mates = [];
  for (let i = 0; i < 20; i++) mates.push(await mk('dayaway-m' + i, `職員 ${i + 1}`));
  const rooms = [];
  for (let i = 0; i < ROOMS; i++) {
    const members = [phoneUser.id, pcUser.id, ...[0, 1, 2, 3].map((k) => mates[(i + k * 5) % 20].id)];
    const r = await api('POST', '/api/v1/rooms', { name: `業務連絡 ${String(i + 1).padStart(2, '0')}（${['総務課', '財政課', '市民課', '福祉課', '建設課'][i % 5]}）`, member_ids: members.slice(1) }, phoneUser.token);
    rooms.push({ ...r, mates: [0, 1, 2, 3].map((k) => mates[(i + k * 5) % 20]) });
    // yesterday's history, already read by both readers
    for (let k = 0; k < 10; k++) await api('POST', `/api/v1/rooms/${r.id}/messages`, { text: `昨日の連絡 ${k + 1}：資料を共有フォルダに置きました。確認をお願いします。`, client_msg_id: `old-${i}-${k}` }, rooms[i].mates[k % 4].token);
    const last = await api('GET', `/api/v1/rooms/${r.id}/messages?limit=1`, undefined, phoneUser.token);
    const seq = last.messages[last.messages.length - 1].seq;
    await api('POST', `/api/v1/rooms/${r.id}/read`, { seq }, phoneUser.token);
    await api('POST', `/api/v1/rooms/${r.id}/read`, { seq }, pcUser.token);
  }
  await api('PUT', '/api/v1/admin/settings', { phone_lock_minutes: 0 }, admin); // every start asks for the PIN

  br = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--lang=ja-JP'] });
  const kinds = {
    phone: { user: phoneUser, ctx: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3, userAgent: ANDROID } },
    desktop: { user: pcUser, ctx: { viewport: { width: 1280, height: 800 }, userAgent: PC } },
  };
  // The day before: each reader signs in once, so the app shell is installed and cached.
  for (const [kind, k] of Object.entries(kinds)) {
    k.context = await br.newContext({ ...k.ctx, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
    const p = await k.context.newPage();
    await p.goto(purl + '/');
    await p.locator('input[name=login]').fill(k.user.login);
    await p.locator('input[name=pw]').fill(k.user.password);
    await p.locator('form.login button[type=submit]').click();
    if (kind === 'phone') {
      await p.locator('form.pin-setup').waitFor();
      await p.locator('input[name=p1]').fill(PIN);
      await p.locator('input[name=p2]').fill(PIN);
      await p.locator('form.pin-setup button[type=submit]').click();
    }
    await p.locator('a.room').first().waitFor();
    await until(() => p.evaluate(async () => {
      const keys = (await (await caches.open('kairan-shell-1')).keys()).map((r) => new URL(r.url).pathname);
      return keys.includes('/js/views/timeline.js') && keys.includes('/js/phone.js');
    }), 20000, kind + ' shell cached');
    await p.close();
  }

  log(`the day: ${NEW_MSGS} messages and ${IMAGES} images`);
  const texts = ['お疲れさまです。明日の会議資料を更新しました。', '承知しました。', '窓口の応援をお願いできますか。', '議事録を共有します。ご確認ください。',
    '本日の来庁者数は昨日より増えています。', '決裁が下りました。', '予算要求の締切は金曜日です。', '了解です。対応します。'];
  const imgs = [];
  // The last messages land in room 1, which tops the list; the images go to rooms 1–4.
  for (let i = 0; i < NEW_MSGS; i++) {
    const ri = (NEW_MSGS - 1 - i) % ROOMS, r = rooms[ri], m = r.mates[i % 4];
    const body = { text: texts[i % texts.length] + `（${i + 1}）`, client_msg_id: `new-${i}` };
    if (ri < 4 && imgs.length < IMAGES) {
      const f = await api('POST', `/api/v1/files?name=photo-${imgs.length + 1}.png`, undefined, m.token, png(1280, 960, imgs.length + 1), 'image/png');
      imgs.push(f);
      body.file_ids = [f.id];
    }
    await api('POST', `/api/v1/rooms/${r.id}/messages`, body, m.token);
  }
  const imageBytes = imgs.reduce((n, f) => n + f.size, 0);

  const results = {};
  for (const [kind, k] of Object.entries(kinds)) {
    const p = await k.context.newPage();
    const cdp = await k.context.newCDPSession(p);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', SLOW3G);
    let bytes = 0, wsBytes = 0, requests = 0, fromCache = 0;
    const seen = new Map();
    cdp.on('Network.responseReceived', (e) => { seen.set(e.requestId, e.response.url); if (e.response.fromServiceWorker) fromCache++; });
    cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; requests++; });
    cdp.on('Network.webSocketFrameReceived', (e) => { wsBytes += Buffer.byteLength(e.response.payloadData); });
    cdp.on('Network.webSocketFrameSent', (e) => { wsBytes += Buffer.byteLength(e.response.payloadData); });
    const w0 = { ...wire };
    const t0 = Date.now();
    await p.goto(purl + '/', { waitUntil: 'commit' });
    let unlockedAt = null;
    if (kind === 'phone') {
      await p.locator('form.pin-lock').waitFor({ timeout: 60000 });
      unlockedAt = Date.now() - t0;
      await p.locator('input[name=pin]').fill(PIN);
      await p.locator('form.pin-lock button[type=submit]').click();
    }
    await p.waitForFunction((n) => document.querySelectorAll('a.room').length >= n, ROOMS, { timeout: 120000, polling: 20 });
    const tList = Date.now() - t0, bList = bytes + wsBytes, wList = { down: wire.down - w0.down, up: wire.up - w0.up };
    const listRequests = requests;
    await p.locator('a.room').first().click();
    const last = texts[(NEW_MSGS - 1) % texts.length] + `（${NEW_MSGS}）`;
    await p.locator('.tl-list .msg', { hasText: last }).waitFor({ timeout: 120000 });
    const tRoom = Date.now() - t0;
    // the room's images (thumbnails) in view have loaded
    await until(() => p.evaluate(() => [...document.querySelectorAll('.tl-list .imgcard img')].every((i) => i.loading === 'lazy' && !i.getBoundingClientRect().height ? true : i.complete)), 120000, 'thumbnails');
    const tRoomImages = Date.now() - t0;
    const wRoom = { down: wire.down - w0.down, up: wire.up - w0.up };
    await pause(500);
    results[kind] = { ms_to_lock_screen: unlockedAt, ms_to_list: tList, wire_bytes_to_list: wList, wire_bytes_to_first_room: wRoom,
      cdp_bytes_to_list: bList, requests_to_list: listRequests,
      ms_to_first_room: tRoom, ms_to_first_room_images: tRoomImages, cdp_bytes_to_first_room: bytes + wsBytes, websocket_bytes: wsBytes,
      served_by_service_worker: fromCache };
    log(kind, JSON.stringify(results[kind]));
    await p.close();
  }
  // For comparison: the very first start on a phone (nothing cached), until the login form.
  {
    const ctx = await br.newContext({ ...kinds.phone.ctx, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
    const p = await ctx.newPage();
    const cdp = await ctx.newCDPSession(p);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', SLOW3G);
    const w0 = { ...wire }, t0 = Date.now();
    await p.goto(purl + '/', { waitUntil: 'commit' });
    await p.locator('form.login input[name=login]').waitFor({ timeout: 120000 });
    results.phone_first_start = { ms_to_login_form: Date.now() - t0, wire_bytes_to_login_form: { down: wire.down - w0.down, up: wire.up - w0.up } };
    log('phone first start', JSON.stringify(results.phone_first_start));
    await ctx.close();
  }
  const out = { scenario: { rooms: ROOMS, new_messages: NEW_MSGS, images: IMAGES, image_bytes_total: imageBytes, network: 'Slow 3G (CDP: 2000 ms latency, 50,000 B/s down and up)',
    phone: '390×844, touch, Android Chrome User-Agent, PIN lock at start (phone_lock_minutes 0)', desktop: '1280×800, Windows Chrome User-Agent', shell: 'the app shell cached by the service worker the day before' },
  results, at: new Date().toISOString() };
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(out, null, 1) + '\n');
  console.log(JSON.stringify(out, null, 1));
}

main().catch((e) => { console.error(e); process.exitCode = 1; }).finally(async () => {
  await br?.close().catch(() => {});
  proxyServer?.close();
  if (proc) { proc.kill('SIGTERM'); await new Promise((r) => proc.once('exit', r)); }
  rmSync(W, { recursive: true, force: true });
});
