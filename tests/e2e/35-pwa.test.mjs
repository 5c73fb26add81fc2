// Staff phones (issue #12, R17–R22) in Chromium with phone emulation (touch, 390×844, a phone's
// User-Agent): the installable app (manifest and service worker), Kairan's own offline screen,
// no message text on the device, the app lock with a PIN, the account lock signing the phone
// out and wiping it, and a large file that asks before it downloads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, browser, seed, seeText, until, shot } from './lib/server.mjs';

const ANDROID = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36';
const PIN = '482916';
const SECRET = '住民税の減免申請について（端末に残らないこと）';
let srv, br, people, room, bigFile;

before(async () => {
  srv = await new Server().start();
  people = await seed(srv);
  const [a, b, c, d4, e5] = people;
  const ta = await srv.tokenOf(a), tb = await srv.tokenOf(b);
  room = (await srv.api('POST', '/api/v1/rooms', { name: '市民課 窓口連絡', member_ids: [b.id, c.id, d4.id, e5.id] }, ta)).json;
  await srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { text: '本日の窓口は混雑しています。応援をお願いできますか。', client_msg_id: 'w1' }, tb);
  await srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { text: '承知しました。10時から入ります。', client_msg_id: 'w2' }, ta);
  await srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { text: SECRET, client_msg_id: 'w3' }, tb);
  // A 2 MB file: above the 1 MB a phone asks about by default.
  const up = await fetch(srv.url + '/api/v1/files?name=' + encodeURIComponent('窓口統計_2026.csv'), {
    method: 'POST', headers: { Authorization: 'Bearer ' + tb, 'Content-Type': 'text/csv' }, body: Buffer.alloc(2 * 1048576, 'a,1\n'),
  });
  bigFile = await up.json();
  assert.equal(up.status, 201, JSON.stringify(bigFile));
  await srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { text: '統計です', file_ids: [bigFile.id], client_msg_id: 'w4' }, tb);
  const d = (await srv.api('POST', '/api/v1/rooms/direct', { user_id: a.id }, tb)).json;
  await srv.api('POST', `/api/v1/rooms/${d.id}/messages`, { text: '午後の打ち合わせは第3会議室です', client_msg_id: 'wd' }, tb);
  br = await browser();
});
after(async () => { await br?.close(); await srv?.destroy(); });

/** A phone: 390×844, touch, a phone's User-Agent; logged in and through the PIN setup. */
async function phone(u, { pin = PIN, shotName = null, base = srv.url, before = null } = {}) {
  const ctx = await br.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, userAgent: ANDROID,
    locale: 'ja-JP', timezoneId: 'Asia/Tokyo', acceptDownloads: true });
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error' && !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(m.text())) errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
  page.setDefaultTimeout(10000);
  if (before) await before(ctx, page);
  await page.goto(base + '/');
  await page.locator('input[name=login]').fill(u.login);
  await page.locator('input[name=pw]').fill(u.password);
  await page.locator('form.login button[type=submit]').click();
  await page.locator('form.pin-setup').waitFor();
  if (shotName) await shot(page, shotName);
  await page.locator('input[name=p1]').fill(pin);
  await page.locator('input[name=p2]').fill(pin);
  await page.locator('form.pin-setup button[type=submit]').click();
  await page.locator('a.room').first().waitFor();
  return { ctx, page, errors };
}

// The page is left (another app in front) or comes back: what a phone's browser reports.
async function background(page, hidden) {
  await page.evaluate((hd) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hd });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hd ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

// Every shell file the page loaded (all its modules, styles and icons) is in the worker's cache.
const shellCached = (page) => until(() => page.evaluate(async () => {
  const c = await caches.open('kairan-shell-1');
  const keys = (await c.keys()).map((r) => new URL(r.url).pathname);
  const loaded = performance.getEntriesByType('resource').map((e) => new URL(e.name)).filter((u) => u.origin === location.origin &&
    !u.pathname.startsWith('/api/') && /\.(js|css|svg|png|webmanifest)$/.test(u.pathname) && u.pathname !== '/sw.js').map((u) => u.pathname);
  return ['/', '/js/app.js', '/js/views/timeline.js', '/js/phone.js', '/app.css', ...loaded].every((p) => keys.includes(p)) && keys;
}), 15000, 'the service worker to keep the whole shell');

test('installable: the manifest with Japanese name, icons and standalone display, and a registered service worker', async () => {
  const P = await phone(people[0], { shotName: 'phone-app-pin-setup' });
  const p = P.page;
  const href = await p.locator('link[rel=manifest]').getAttribute('href');
  const res = await fetch(srv.url + href);
  assert.equal(res.headers.get('content-type'), 'application/manifest+json');
  const m = await res.json();
  assert.equal(m.short_name, '回覧');
  assert.match(m.name, /回覧/);
  assert.equal(m.display, 'standalone');
  assert.equal(m.start_url, '/');
  for (const size of ['192x192', '512x512']) {
    const icon = m.icons.find((i) => i.sizes === size && i.type === 'image/png');
    assert.ok(icon, 'a PNG icon ' + size);
    const ir = await fetch(srv.url + icon.src);
    assert.equal(ir.status, 200);
    assert.equal(ir.headers.get('content-type'), 'image/png');
  }
  // The worker is allowed by the page's CSP (script-src 'self') and served as JavaScript.
  const sw = await fetch(srv.url + '/sw.js');
  assert.match(sw.headers.get('content-type'), /^text\/javascript/);
  const reg = await p.evaluate(async () => { const r = await navigator.serviceWorker.ready; return { url: r.active.scriptURL, scope: r.scope }; });
  assert.equal(reg.url, srv.url + '/sw.js');
  assert.equal(reg.scope, srv.url + '/');
  // Chromium's own installability check (CDP) finds nothing missing.
  const cdp = await P.ctx.newCDPSession(p);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  // (the test's browser contexts are incognito, which Chromium names; nothing else may be missing)
  assert.deepEqual(installabilityErrors.filter((e) => e.errorId !== 'in-incognito'), [], JSON.stringify(installabilityErrors));
  await shellCached(p);
  // An unchanged shell file costs only headers when revalidated (R22).
  const css = await fetch(srv.url + '/app.css');
  const again = await fetch(srv.url + '/app.css', { headers: { 'If-None-Match': css.headers.get('etag') } });
  assert.equal(again.status, 304);
  await shot(p, 'phone-app-rooms');
  assert.deepEqual(P.errors, []);
  await P.ctx.close();
});

test('offline: a reload without network shows Kairan\'s own offline screen; 再試行 brings the app back', async () => {
  const P = await phone(people[1]);
  const p = P.page;
  await shellCached(p);
  await until(() => p.evaluate(() => !!navigator.serviceWorker.controller), 10000, 'the worker to control the page');
  await P.ctx.setOffline(true);
  await p.reload();
  await p.locator('.offline').waitFor();
  await seeText(p.locator('.offline'), /オフライン/);
  const retry = p.getByRole('button', { name: '再試行' });
  assert.equal(await retry.isVisible(), true);
  await shot(p, 'phone-app-offline');
  await retry.click();
  await p.locator('.offline').waitFor();
  await P.ctx.setOffline(false);
  await p.getByRole('button', { name: '再試行' }).click();
  await p.locator('a.room').first().waitFor();
  await P.ctx.close();
});

test('no message text in Cache Storage or IndexedDB after reading a room', async () => {
  const P = await phone(people[2]);
  const p = P.page;
  await p.locator('a.room', { hasText: '市民課 窓口連絡' }).click();
  await seeText(p.locator('.tl-list'), /住民税の減免申請/);
  await shellCached(p);
  const found = await p.evaluate(async (secret) => {
    const out = { caches: [], urls: [], idb: [] };
    for (const k of await caches.keys()) {
      const c = await caches.open(k);
      for (const req of await c.keys()) {
        out.urls.push(req.url);
        const body = await (await c.match(req)).text();
        if (body.includes(secret) || body.includes('減免申請')) out.caches.push(req.url);
      }
    }
    out.idb = (await indexedDB.databases()).map((d) => d.name);
    return out;
  }, SECRET);
  assert.deepEqual(found.caches, [], 'no cached file holds the message');
  assert.ok(!found.urls.some((u) => new URL(u).pathname.startsWith('/api/')), 'no API answer is cached: ' + found.urls.join(' '));
  assert.deepEqual(found.idb, [], 'no IndexedDB database');
  await P.ctx.close();
});

test('app lock: after the background timeout the content is removed and only the PIN brings it back', async () => {
  // The city's setting: lock as soon as the app is left (0 minutes), so the test need not wait.
  assert.equal((await srv.api('PUT', '/api/v1/admin/settings', { phone_lock_minutes: 5 })).status, 200);
  const P = await phone(people[3]);
  const p = P.page;
  await p.locator('a.room', { hasText: '市民課 窓口連絡' }).click();
  await seeText(p.locator('.tl-list'), /住民税の減免申請/);
  // Within the 5 minutes: back without a PIN.
  await background(p, true);
  await background(p, false);
  assert.equal(await p.locator('form.pin-lock').count(), 0, 'not locked within the timeout');
  assert.equal((await srv.api('PUT', '/api/v1/admin/settings', { phone_lock_minutes: 0 })).status, 200);
  await p.reload();
  await p.locator('form.pin-lock').waitFor(); // a start with the 0-minute rule asks at once
  assert.equal(await p.locator('.tl-list, a.room').count(), 0, 'nothing behind the lock screen');
  await p.locator('input[name=pin]').fill(PIN);
  await p.locator('form.pin-lock button[type=submit]').click();
  await seeText(p.locator('.tl-list'), /住民税の減免申請/);
  await background(p, true);
  await p.locator('form.pin-lock').waitFor();
  const hidden = await p.evaluate((s) => ({ text: document.body.innerText.includes(s), html: document.documentElement.outerHTML.includes(s), rooms: document.querySelectorAll('a.room, .msg').length }), SECRET);
  assert.deepEqual(hidden, { text: false, html: false, rooms: 0 }, 'the content is out of the page, not covered');
  await background(p, false);
  await shot(p, 'phone-app-lock');
  // A message arriving while locked is not marked read: nobody could see it.
  const tb = await srv.tokenOf(people[1]);
  const sent = (await srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { text: 'ロック中に届いたメッセージ', client_msg_id: 'while-locked' }, tb)).json;
  const t3 = await srv.tokenOf(people[3]);
  await until(async () => {
    const r = (await srv.api('GET', `/api/v1/rooms/${room.id}`, undefined, t3)).json;
    return r.last_seq >= sent.seq && r;
  }, 5000, 'the message to be stored');
  // The app has it (the unread count in the title) and has not marked it read.
  await until(async () => /^\(1\)/.test(await p.title()), 5000, 'the unread count in the title');
  const readers = (await srv.api('GET', `/api/v1/rooms/${room.id}/messages/${sent.id}/readers`, undefined, tb)).json;
  assert.ok(!readers.read.some((u) => u.id === people[3].id), 'not read by the locked phone');
  await p.locator('input[name=pin]').fill('000000');
  await p.locator('form.pin-lock button[type=submit]').click();
  await seeText(p.locator('form.pin-lock .error'), /暗証番号が違います.*4/);
  assert.equal(await p.locator('.msg').count(), 0, 'a wrong PIN shows nothing');
  await p.locator('input[name=pin]').fill(PIN);
  await p.locator('form.pin-lock button[type=submit]').click();
  await seeText(p.locator('.tl-list'), /ロック中に届いたメッセージ/);
  assert.equal(await p.locator('form.pin-lock').count(), 0);
  await until(async () => (await srv.api('GET', `/api/v1/rooms/${room.id}/messages/${sent.id}/readers`, undefined, tb)).json.read.some((u) => u.id === people[3].id),
    5000, 'read once unlocked and on screen');
  // The PIN is kept only as a salted PBKDF2 hash.
  const rec = await p.evaluate((id) => JSON.parse(localStorage.getItem('kairan.pin.' + id)), people[3].id);
  assert.ok(rec.s && rec.h && rec.i >= 100000, JSON.stringify(rec));
  assert.ok(!JSON.stringify(rec).includes(PIN));
  assert.deepEqual(P.errors, []);
  assert.equal((await srv.api('PUT', '/api/v1/admin/settings', { phone_lock_minutes: 5 })).status, 200);
  await P.ctx.close();
});

test('made for the thumb: one pane at a time with back, touch targets of 44 px, long press for 返信 / 送信取消 / コピー', async () => {
  const P = await phone(people[0], { pin: '1357' });
  const p = P.page;
  assert.equal(await p.locator('.pane-main').isVisible(), false, 'only the room list');
  await p.locator('a.room', { hasText: '市民課 窓口連絡' }).tap();
  await seeText(p.locator('.tl-list'), /住民税の減免申請/);
  assert.equal(await p.locator('.pane-rooms').isVisible(), false, 'only the room');
  const small = await p.evaluate(() => [...document.querySelectorAll('.tl-head .btn, .composer .btn, .topbar a, .topbar .btn')]
    .filter((el) => el.offsetParent && getComputedStyle(el).visibility !== 'hidden')
    .map((el) => ({ el: el.className + ' ' + (el.getAttribute('aria-label') || el.textContent.trim()), h: el.getBoundingClientRect().height, w: el.getBoundingClientRect().width }))
    .filter((r) => r.h < 44 || r.w < 44));
  assert.deepEqual(small, [], 'every control is at least 44×44 px');
  await shot(p, 'phone-app-room');
  // The on-screen keyboard takes the lower part of the screen (the viewport shrinks, as with
  // interactive-widget=resizes-content): the composer stays above it, usable.
  await p.locator('.composer textarea').tap();
  await p.setViewportSize({ width: 390, height: 480 });
  await until(async () => {
    const b = await p.locator('.composer').boundingBox();
    return b && b.y + b.height <= 480 + 1 && b.y > 200;
  }, 5000, 'the composer above the keyboard');
  assert.equal(await p.locator('.composer textarea').evaluate((el) => el === document.activeElement), true, 'still typing');
  await p.setViewportSize({ width: 390, height: 844 });
  // A long press on one's own message.
  const mine = p.locator('.msg.mine', { hasText: '10時から入ります' });
  await mine.evaluate((el) => el.querySelector('.text').dispatchEvent(new PointerEvent('pointerdown', { pointerType: 'touch', bubbles: true, clientX: 100, clientY: 100 })));
  const sheet = p.locator('dialog.sheet');
  await sheet.waitFor();
  const items = await sheet.locator('.sheet-item').allInnerTexts();
  assert.deepEqual(items, ['返信', 'コピー', '送信取消']);
  await sheet.getByRole('button', { name: '返信' }).click();
  await seeText(p.locator('.replybar'), /10時から入ります/);
  // Another's message: no 送信取消.
  await p.locator('.msg', { hasText: '応援をお願い' }).evaluate((el) => el.querySelector('.text').dispatchEvent(new PointerEvent('pointerdown', { pointerType: 'touch', bubbles: true, clientX: 100, clientY: 100 })));
  await sheet.waitFor();
  assert.deepEqual(await sheet.locator('.sheet-item').allInnerTexts(), ['返信', 'コピー']);
  await sheet.getByRole('button', { name: 'キャンセル' }).click();
  await p.locator('.tl-head .back').tap();
  await p.locator('a.room').first().waitFor();
  assert.equal(await p.locator('.pane-rooms').isVisible(), true, 'back to the list');
  await P.ctx.close();
});

test('a file over the size the user set asks before downloading; images come as server thumbnails', async () => {
  const P = await phone(people[4]);
  const p = P.page;
  await p.locator('a.room', { hasText: '市民課 窓口連絡' }).click();
  const card = p.locator('a.filecard', { hasText: '窓口統計_2026.csv' });
  await card.waitFor();
  let downloads = 0;
  p.on('download', () => { downloads++; });
  await card.click();
  const dlg = p.locator('dialog.modal', { hasText: '大きなファイル' });
  await dlg.waitFor();
  await seeText(dlg, /2\.0 MB/);
  await dlg.getByRole('button', { name: 'キャンセル' }).click();
  await dlg.waitFor({ state: 'detached' });
  assert.equal(downloads, 0, 'cancelled: nothing downloaded');
  const got = p.waitForEvent('download');
  await card.click();
  await dlg.getByRole('button', { name: 'ダウンロード' }).click();
  const d = await got;
  assert.equal(d.suggestedFilename(), '窓口統計_2026.csv');
  // The user raises the limit in the profile: the file then downloads at once.
  await p.goto(srv.url + '/#/me');
  await p.locator('.data-saver select').selectOption('5');
  await p.goto(srv.url + `/#/r/${room.id}`);
  const got2 = p.waitForEvent('download');
  await p.locator('a.filecard', { hasText: '窓口統計_2026.csv' }).click();
  await got2;
  assert.equal(await p.locator('dialog.modal').count(), 0, 'no question under the limit');
  // A photo comes as the server's thumbnail (480 px), not as the original (1600 px).
  const sent = await p.evaluate(async (roomId) => {
    const c = document.createElement('canvas');
    c.width = 1600; c.height = 1000;
    const g = c.getContext('2d');
    const grad = g.createLinearGradient(0, 0, 1600, 1000);
    grad.addColorStop(0, '#0a5cad'); grad.addColorStop(1, '#ffd166');
    g.fillStyle = grad; g.fillRect(0, 0, 1600, 1000);
    const blob = await new Promise((r) => c.toBlob(r, 'image/png'));
    const hd = { 'X-Kairan-Request': '1' };
    const f = await (await fetch('/api/v1/files?name=photo.png', { method: 'POST', headers: { ...hd, 'Content-Type': 'image/png' }, body: blob })).json();
    const m = await fetch(`/api/v1/rooms/${roomId}/messages`, { method: 'POST', headers: { ...hd, 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: '現場の写真です', file_ids: [f.id], client_msg_id: 'photo-1' }) });
    return { file: f, status: m.status };
  }, room.id);
  assert.equal(sent.status, 201);
  const img = p.locator('.msg', { hasText: '現場の写真です' }).locator('.imgcard img');
  await until(() => img.evaluate((i) => i.complete && i.naturalWidth), 10000, 'the thumbnail to load');
  assert.equal(await img.evaluate((i) => i.naturalWidth), 480);
  assert.match(await img.getAttribute('src'), /\/thumb$/);
  await P.ctx.close();
});

test('an account lock reaches the phone at once: signed out, cache and local state wiped', async () => {
  const P = await phone(people[1], { pin: '2468' });
  const p = P.page;
  await shellCached(p);
  const r = await srv.api('POST', `/api/v1/admin/users/${people[1].id}/lock`, {});
  assert.equal(r.status, 200, r.text);
  await seeText(p.locator('.signed-out'), /この端末はサインアウトされました/);
  const left = await until(() => p.evaluate(async () => {
    const ks = await caches.keys();
    const local = Object.keys(localStorage).filter((k) => k.startsWith('kairan.') && k !== 'kairan.lang');
    return ks.length === 0 && local.length === 0 && { ks, local };
  }), 5000, 'Cache Storage and localStorage to be empty');
  assert.deepEqual(left, { ks: [], local: [] }, 'nothing left');
  assert.equal(await p.locator('.msg, a.room').count(), 0);
  await shot(p, 'phone-app-signed-out');
  await p.getByRole('button', { name: 'ログイン画面へ' }).click();
  await p.locator('form.login').waitFor();
  await srv.api('POST', `/api/v1/admin/users/${people[1].id}/unlock`, {});
  await P.ctx.close();
});

test('signed out while the app was closed: the next start wipes the device and says so; the watermark is on for phones', async () => {
  const P = await phone(people[2], { pin: '9753' });
  const p = P.page;
  // R18: the viewer watermark is on by default on phones (the city's watermark setting is off).
  const wm = p.locator('.watermark');
  await wm.waitFor({ state: 'attached' });
  assert.match(await wm.locator('span').first().innerText(), new RegExp(people[2].login));
  await shellCached(p);
  await p.close();
  // The user signs out every other device from an office PC.
  const pc = await srv.tokenOf(people[2]);
  const r = await srv.api('DELETE', '/api/v1/me/sessions', undefined, pc);
  assert.ok(r.json.revoked >= 1, r.text); // this phone (and the test's earlier sessions of the same person)
  const p2 = await P.ctx.newPage();
  await p2.goto(srv.url + '/');
  await seeText(p2.locator('.signed-out'), /この端末はサインアウトされました/);
  const left = await until(() => p2.evaluate(async () => {
    const ks = await caches.keys();
    const local = Object.keys(localStorage).filter((k) => k.startsWith('kairan.') && k !== 'kairan.lang');
    return ks.length === 0 && local.length === 0 && { ks, local };
  }), 5000, 'Cache Storage and localStorage to be empty');
  assert.deepEqual(left, { ks: [], local: [] });
  await P.ctx.close();
});

test('the phone\'s own screen lock (WebAuthn platform authenticator) unlocks the app instead of the PIN', async () => {
  assert.equal((await srv.api('PUT', '/api/v1/admin/settings', { phone_lock_minutes: 0 })).status, 200);
  // WebAuthn needs a domain: the same server as localhost; a virtual fingerprint reader.
  let cdp, auth;
  const P = await phone(people[4], { pin: '8642', base: srv.url.replace('127.0.0.1', 'localhost'), before: async (ctx, page) => {
    cdp = await ctx.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    auth = (await cdp.send('WebAuthn.addVirtualAuthenticator', { options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
      hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true } })).authenticatorId;
  } });
  const p = P.page;
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId: auth });
  assert.equal(credentials.length, 1, 'enrolled at the PIN setup');
  await background(p, true);
  await p.locator('form.pin-lock').waitFor();
  await p.getByRole('button', { name: '端末の画面ロックで解除' }).click();
  await p.locator('a.room').first().waitFor();
  assert.equal(await p.locator('form.pin-lock').count(), 0);
  // A finger the phone does not accept: the app stays locked.
  await background(p, true);
  await p.locator('form.pin-lock').waitFor();
  await cdp.send('WebAuthn.setUserVerified', { authenticatorId: auth, isUserVerified: false });
  await p.getByRole('button', { name: '端末の画面ロックで解除' }).click();
  await seeText(p.locator('form.pin-lock .error'), /確認できませんでした/);
  assert.equal(await p.locator('a.room').count(), 0);
  assert.deepEqual(P.errors, []);
  assert.equal((await srv.api('PUT', '/api/v1/admin/settings', { phone_lock_minutes: 5 })).status, 200);
  await P.ctx.close();
});
