// Two staff chat live in two browser contexts: 既読 rises, readers dialog, stamp, reply,
// mention, upload and download, edit, 送信取消, typing, IME Enter, hostile text, title badge.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { Server, browser, staff, seed, seeText, until, shot } from './lib/server.mjs';

let srv, br, A, B, yamada, sato, room;
const HOSTILE = '<img src=x onerror=alert(1)>';
// A 240×140 bar chart as a real PNG, built here so the test needs no image files.
function chartPng(w = 240, h = 140) {
  const bars = [[20, 60, 0x0a5cad], [80, 95, 0x1e8e3e], [140, 40, 0xe8a200], [200, 110, 0xc62828]];
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let c = y === h - 10 ? 0x59626f : 0xffffff;
    for (const [bx, bh, col] of bars) if (x >= bx && x < bx + 30 && y >= h - 10 - bh && y < h - 10) c = col;
    const o = y * (w * 3 + 1) + 1 + x * 3;
    raw[o] = c >> 16; raw[o + 1] = (c >> 8) & 255; raw[o + 2] = c & 255;
  }
  const crcT = Array.from({ length: 256 }, (_, n) => { for (let k = 0; k < 8; k++) n = n & 1 ? 0xedb88320 ^ (n >>> 1) : n >>> 1; return n >>> 0; });
  const crc = (b) => { let c = ~0; for (const x of b) c = crcT[(c ^ x) & 255] ^ (c >>> 8); return (~c) >>> 0; };
  const chunk = (type, data) => { const len = Buffer.alloc(4); len.writeUInt32BE(data.length); const td = Buffer.concat([Buffer.from(type), data]); const c = Buffer.alloc(4); c.writeUInt32BE(crc(td)); return Buffer.concat([len, td, c]); };
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
const PNG = chartPng();

before(async () => {
  srv = await new Server().start();
  [yamada, sato] = await seed(srv);
  const evil = await srv.user(HOSTILE, { kana: 'あく', title: HOSTILE });
  const ty = await srv.tokenOf(yamada);
  room = (await srv.api('POST', '/api/v1/rooms', { name: '令和9年度予算要求', topic: '財政課との調整', member_ids: [sato.id, evil.id] }, ty)).json;
  assert.ok(room && room.id, 'room created');
  await srv.api('POST', '/api/v1/rooms/direct', { user_id: sato.id }, ty);
  br = await browser();
  const login = await staff(br, srv, yamada, { login: false });
  await login.page.locator('form.login').waitFor();
  await shot(login.page, 'desktop-login');
  await login.ctx.close();
  A = await staff(br, srv, yamada);
  B = await staff(br, srv, sato);
});
after(async () => { await br?.close(); await srv?.destroy(); });

const open = async (s, name) => { await s.page.locator('a.room', { hasText: name }).click(); await s.page.locator('.tl-head .rtitle', { hasText: name }).waitFor(); };
const composer = (s) => s.page.locator('.composer textarea');
const say = async (s, text) => { await composer(s).fill(text); await composer(s).press('Enter'); };
const msg = (s, text) => s.page.locator('.tl-list .msg', { hasText: text });

test('unread badge and title while the other is elsewhere, then live chat and 既読', async () => {
  await open(B, '山田 太郎'); // B looks at the 1対1, not the group
  await open(A, '令和9年度予算要求');
  await say(A, '来週の会議資料を共有します');
  const badge = B.page.locator('a.room', { hasText: '令和9年度予算要求' }).locator('.badge');
  await seeText(badge, /^1$/);
  await until(() => B.page.title().then((t) => /^\(1\) 回覧/.test(t)), 5000, 'title badge (1)');
  const mine = msg(A, '来週の会議資料を共有します');
  await seeText(mine.locator('.readn'), /既読 0/);
  await open(B, '令和9年度予算要求');
  await msg(B, '来週の会議資料を共有します').waitFor();
  await seeText(mine.locator('.readn'), /既読 1/);
  await until(() => B.page.title().then((t) => t === '回覧'), 5000, 'title without badge');
  // live both ways
  await say(B, '承知しました。確認します');
  await msg(A, '承知しました。確認します').waitFor();
  await seeText(B.page.locator('.tl-list .msg', { hasText: '承知しました。確認します' }).locator('.readn'), /既読 1/);
});

test('readers dialog lists who read and who has not', async () => {
  await msg(A, '来週の会議資料を共有します').locator('.readn').click();
  const d = A.page.locator('dialog.readers');
  await d.waitFor();
  await seeText(d.locator('[role=tab]').first(), /既読 1人/);
  await seeText(d.locator('[role=tab]').nth(1), /未読 1人/);
  await seeText(d.locator('[role=tabpanel]'), /佐藤 花子/);
  await shot(A.page, 'desktop-readers');
  await d.locator('[role=tab]').nth(1).click();
  await seeText(d.locator('[role=tabpanel]'), /<img src=x onerror=alert\(1\)>/); // a hostile name is text
  await d.getByRole('button', { name: '閉じる' }).click();
});

test('typing indicator, stamp, reply and mention', async () => {
  await composer(B).pressSequentially('入力中');
  await seeText(A.page.locator('.typing'), /佐藤 花子さんが入力中/);
  await composer(B).fill('');
  await B.page.locator('.composer button[aria-label="スタンプ"]').click();
  await B.page.locator('.picker button[data-stamp=ryokai]').click();
  const stamp = A.page.locator('.tl-list .msg img.stamp-lg[src="/stamps/ryokai.svg"]');
  await stamp.waitFor();
  await until(() => stamp.evaluate((i) => i.complete && i.naturalWidth > 0), 5000, 'stamp image loaded');
  // reply to B's text message
  const target = msg(A, '承知しました。確認します');
  await target.hover();
  await target.getByRole('button', { name: '返信' }).click();
  await composer(A).pressSequentially('よろしくお願いします @佐');
  await A.page.locator('.suggest [role=option]', { hasText: '佐藤 花子' }).waitFor();
  await composer(A).press('Enter'); // picks the suggestion, does not send
  assert.match(await composer(A).inputValue(), /@佐藤 花子 $/);
  await composer(A).press('Enter');
  const got = msg(B, 'よろしくお願いします');
  await seeText(got.locator('.quote'), /承知しました。確認します/);
  await until(() => got.evaluate((e) => e.classList.contains('mention-me')), 5000, 'mention highlight');
});

test('Enter that confirms an IME conversion never sends', async () => {
  const ta = composer(A);
  await ta.fill('かいぎしりょう');
  await ta.evaluate((el) => {
    el.dispatchEvent(new CompositionEvent('compositionstart', { bubbles: true }));
    el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', isComposing: true, bubbles: true, cancelable: true }));
    el.dispatchEvent(new CompositionEvent('compositionend', { bubbles: true, data: '会議資料' }));
    // Chrome ignores keyCode in the init dictionary; Safari-style 229 after compositionend:
    const e = new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', bubbles: true, cancelable: true });
    Object.defineProperty(e, 'keyCode', { get: () => 229 });
    el.dispatchEvent(e);
  });
  assert.equal(await ta.inputValue(), 'かいぎしりょう', 'still in the composer');
  assert.equal(await A.page.locator('.tl-outbox .msg').count(), 0, 'nothing queued');
  // CDP's own IME composition: confirming with Enter inserts the text and does not send
  const cdp = await A.ctx.newCDPSession(A.page);
  await ta.fill('');
  await ta.focus();
  await cdp.send('Input.imeSetComposition', { text: 'かいぎ', selectionStart: 3, selectionEnd: 3 });
  await cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 229, nativeVirtualKeyCode: 229 });
  await cdp.send('Input.insertText', { text: '議事録' });
  assert.equal(await ta.inputValue(), '議事録');
  await ta.press('Shift+Enter');
  await ta.pressSequentially('まとめ');
  await ta.press('Enter'); // a plain Enter sends, once
  await msg(B, '議事録').waitFor();
  assert.equal(await msg(B, '議事録').count(), 1);
  assert.equal(await msg(A, '議事録').locator('.text').textContent(), '議事録\nまとめ');
});

test('upload with progress, image preview, download', async () => {
  const pdf = Buffer.from('%PDF-1.4\n% kairan e2e\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
  await A.page.locator('.composer input[type=file]').setInputFiles([{ name: '資料.pdf', mimeType: 'application/pdf', buffer: pdf }, { name: 'グラフ.png', mimeType: 'image/png', buffer: PNG }]);
  await until(async () => (await A.page.locator('.tray .att.done').count()) === 2, 10000, 'two uploads done');
  assert.equal(await A.page.locator('.tray progress').first().evaluate((p) => p.value), 1);
  await composer(A).fill('添付します');
  await composer(A).press('Enter');
  const m = msg(B, '添付します');
  await m.locator('.filecard', { hasText: '資料.pdf' }).waitFor();
  const img = m.locator('.imgcard img');
  await until(() => img.evaluate((i) => i.complete && i.naturalWidth === 240), 5000, 'image preview loaded');
  const [dl] = await Promise.all([B.page.waitForEvent('download'), m.locator('.filecard').click()]);
  assert.deepEqual(readFileSync(await dl.path()), pdf);
});

test('attach by paste and by drag-and-drop', async () => {
  await composer(A).evaluate((ta) => {
    const dt = new DataTransfer();
    dt.items.add(new File(['貼り付けたメモ'], 'メモ.txt', { type: 'text/plain' }));
    ta.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  });
  await A.page.locator('.tl-pane').evaluate((pane) => {
    const dt = new DataTransfer();
    dt.items.add(new File(['a,b\n1,2\n'], '集計.csv', { type: 'text/csv' }));
    pane.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    pane.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await until(async () => (await A.page.locator('.tray .att.done').count()) === 2, 10000, 'two uploads done');
  await composer(A).press('Enter'); // files alone may be sent
  const m = B.page.locator('.tl-list .msg', { has: B.page.locator('.filecard', { hasText: '集計.csv' }) });
  await m.locator('.filecard', { hasText: 'メモ.txt' }).waitFor();
});

test('edit, then 送信取消 after a confirmation', async () => {
  await say(A, '誤字のあるメッセージ');
  const seq = await msg(A, '誤字のあるメッセージ').getAttribute('data-seq');
  const m = A.page.locator(`.tl-list .msg[data-seq="${seq}"]`);
  await m.hover();
  await m.getByRole('button', { name: '編集' }).click();
  const box = m.locator('.editbox textarea');
  await box.fill('修正したメッセージ');
  await box.press('Enter');
  const mb = msg(B, '修正したメッセージ');
  await seeText(mb, /編集済み/);
  const seqB = await mb.getAttribute('data-seq');
  const mine = msg(A, '修正したメッセージ');
  await mine.hover();
  await mine.getByRole('button', { name: '送信取消' }).click();
  const dlg = A.page.locator('dialog.modal');
  await seeText(dlg, /送信を取り消しますか/);
  await dlg.locator('button.danger').click();
  await seeText(B.page.locator(`.tl-list .msg[data-seq="${seqB}"]`), /メッセージの送信を取り消しました/);
  assert.equal(await msg(B, '修正したメッセージ').count(), 0);
});

test('a hostile message is shown as text', async () => {
  await say(A, HOSTILE);
  await seeText(msg(B, 'onerror').locator('.text'), /^<img src=x onerror=alert\(1\)>$/);
  assert.equal(await B.page.locator('img[src="x"]').count(), 0);
  assert.doesNotMatch(await B.page.locator('.tl-list').innerText(), /\bnull\b|undefined|\[object /);
  assert.equal(await B.page.evaluate(() => document.querySelectorAll('script:not([src])').length), 0);
});

test("every message of A's is read by B, who follows the room", async () => {
  await until(async () => {
    const t = await A.page.locator('.tl-list .msg.mine .readn').allInnerTexts();
    return t.length > 3 && t.every((x) => x === '既読 1');
  }, 10000, 'all 既読 1');
  await A.page.mouse.move(640, 790);
  await shot(A.page, 'desktop-timeline');
});

test('no console errors', () => {
  assert.deepEqual(A.errors, []);
  assert.deepEqual(B.errors, []);
});
