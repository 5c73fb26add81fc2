// R18: the administrator's viewer watermark (name and staff id over the screen) and the
// PrintScreen key reported to the administrators' screenshot list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, browser, staff, seed, until, shot } from './lib/server.mjs';

let srv, br, people;
before(async () => {
  srv = await new Server().start();
  people = await seed(srv);
  br = await browser();
});
after(async () => { await br?.close(); await srv?.destroy(); });

test('watermark on: the viewer name and staff id cover the screen; PrintScreen is reported', async () => {
  const set = await srv.api('PUT', '/api/v1/admin/settings', { watermark: true });
  assert.equal(set.status, 200, JSON.stringify(set.json));
  const A = await staff(br, srv, people[0]);
  const p = A.page;
  const wm = p.locator('.watermark');
  await wm.waitFor({ state: 'attached' });
  const text = await wm.locator('span').first().innerText();
  assert.ok(text.includes(people[0].login), `the staff id is in the watermark: ${text}`);
  assert.equal(await wm.evaluate((el) => getComputedStyle(el).pointerEvents), 'none', 'clicks pass through');
  await shot(p, 'desktop-watermark');
  await p.keyboard.press('PrintScreen');
  await until(async () => {
    const r = await srv.api('GET', '/api/v1/admin/reports?kind=screenshot');
    return r.json.reports.some((x) => x.reporter.login === people[0].login && x.reason === 'printscreen');
  }, 5000, 'the screenshot report reaches the administrators');
  await A.context?.close?.();
});

test('watermark off by default: no overlay', async () => {
  await srv.api('PUT', '/api/v1/admin/settings', { watermark: false });
  const B = await staff(br, srv, people[1]);
  await B.page.locator('.rooms, .pane-rooms').first().waitFor();
  assert.equal(await B.page.locator('.watermark').count(), 0);
});
