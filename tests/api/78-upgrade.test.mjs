// Upgrades: a data directory written by the v0.1.0 release (tests/fixtures/data-v0.1.0, made by
// make-v0.1.0-data.mjs with that release) upgrades — by `kairan admin migrate` or at start — and
// passes `check` with its messages and file intact; a schema newer than the binary is refused
// with a clear message and left untouched.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PG, ROOT, Server, assertStatus, runAdmin } from './lib/harness.mjs';

const work = mkdtempSync(join(tmpdir(), 'kairan-upgrade-'));
after(() => rmSync(work, { recursive: true, force: true }));
const fixture = join(ROOT, 'tests/fixtures/data-v0.1.0');
const version = (dir) => Number(execFileSync('sqlite3', [join(dir, 'kairan.db'), 'PRAGMA user_version']).toString().trim());

describe('upgrade from v0.1.0', { skip: PG && 'the v0.1.0 fixture is an SQLite data directory' }, () => {
  it('migrates, passes check, and serves what v0.1.0 stored', { timeout: 120000 }, async () => {
    const dir = join(work, 'data');
    cpSync(fixture, dir, { recursive: true });
    assert.equal(version(dir), 10, 'the fixture is v0.1.0\'s schema');
    const m = await runAdmin(['migrate'], { dataDir: dir });
    assert.equal(m.code, 0, m.stderr);
    assert.match(m.stdout, /^schema 10 -> \d+\n/);
    const now = version(dir);
    assert.ok(now > 10);
    const again = await runAdmin(['migrate'], { dataDir: dir });
    assert.match(again.stdout, /already current/);
    const check = await runAdmin(['check'], { dataDir: dir });
    assert.equal(check.code, 0, check.stdout + check.stderr);
    const s = new Server({ dataDir: dir, adminPassword: 'Fixture-admin-2026!' });
    await s.start();
    try {
      const tok = await s.login('fx1001', 'Fixture-pass-1001!');
      const rooms = assertStatus(await s.api('GET', '/api/v1/rooms', { token: tok }), 200).json.rooms;
      const room = rooms.find((r) => r.name === '移行確認ルーム');
      const msgs = await s.history(tok, room.id);
      assert.deepEqual(msgs.map((x) => x.text), ['令和8年度の予算要求について確認します', '承知しました', '要求書を添付します']);
      assert.equal(msgs[1].reply_to.seq, 1);
      assert.equal(msgs[0].card, null, 'new fields read well on old rows');
      const f = msgs[2].files[0];
      assert.equal(assertStatus(await s.api('GET', `/api/v1/files/${f.id}`, { token: tok }), 200).text, '予算要求書（v0.1.0）');
      // New features work on the upgraded data.
      assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/notes`, { token: tok, body: { title: '移行後のノート', body: '本文' } }), 201);
    } finally {
      await s.stop({ keepData: true });
    }
  });

  it('a schema newer than this kairan is refused clearly and left as it was', { timeout: 60000 }, async () => {
    const dir = join(work, 'newer');
    cpSync(fixture, dir, { recursive: true });
    execFileSync('sqlite3', [join(dir, 'kairan.db'), 'PRAGMA user_version=999']);
    const m = await runAdmin(['migrate'], { dataDir: dir });
    assert.equal(m.code, 1);
    assert.match(m.stderr, /newer than this kairan/);
    const s = new Server({ dataDir: dir });
    await assert.rejects(s.start(), /newer than this kairan|exited|healthz/);
    assert.match(s.tail(), /newer than this kairan/);
    assert.equal(version(dir), 999, 'untouched');
  });
});
