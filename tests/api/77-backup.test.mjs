// Backups that restore: `kairan admin backup` during a stream of sends, `restore` into an
// empty data directory, and a server there that holds every message acknowledged before the
// backup started and passes `check`. Restore refuses a damaged or incomplete backup, a running
// server and an existing database without --force; check finds a damaged file.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PG, Server, dbExec, assertStatus, runAdmin, uid, useServer, waitFor } from './lib/harness.mjs';

const { ctx, T } = useServer({ before, after, it });
const work = mkdtempSync(join(tmpdir(), 'kairan-backup-'));
after(() => rmSync(work, { recursive: true, force: true }));

// On PostgreSQL the backup holds the database as an SQLite snapshot (kairan.db), and a restore
// goes into an empty database.
describe('backup and restore', () => {
  let u, room, file, backup, acked = [], ackedBefore = [];
  const bytes = Buffer.from('予算書 第2版 ' + uid('b'));

  T('a backup taken during a stream of sends is whole: database, files and a manifest', async () => {
    const s = ctx.srv;
    u = await s.makeUser(null, uid('bk'));
    room = await s.makeRoom(u.token, 'バックアップ確認', []);
    file = assertStatus(await s.api('POST', '/api/v1/files?name=' + encodeURIComponent('予算書.txt'), { token: u.token, raw: bytes, headers: { 'content-type': 'text/plain' } }), 201).json;
    await s.send(u.token, room.id, '添付します', { file_ids: [file.id] });
    let stop = false;
    const stream = (async () => {
      for (let i = 0; !stop; i++) acked.push((await s.send(u.token, room.id, `送信 ${i}`)).id);
    })();
    await waitFor(() => acked.length >= 30, 15000, 'thirty sends acknowledged');
    ackedBefore = [...acked];
    backup = join(work, 'b1');
    const r = await runAdmin(['backup', backup], { dataDir: s.dataDir });
    stop = true;
    await stream;
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.files, 1);
    const manifest = readFileSync(join(backup, 'MANIFEST'), 'utf8');
    assert.match(manifest, /^# kairan backup 1 schema=\d+ files=1/);
    assert.match(manifest, /\s kairan\.db\n/);
    assert.match(manifest, /\s files\/[0-9a-f]{2}\/[0-9a-f]{64}\n/);
    assert.ok(acked.length > ackedBefore.length, 'sends went on during the backup');
    const check = await runAdmin(['check'], { dataDir: s.dataDir });
    assert.equal(check.code, 0, check.stdout + check.stderr);
    const status = await runAdmin(['status'], { dataDir: s.dataDir });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /server: running\nconnections: \d+\n/);
    assert.match(status.stdout, /writes: \d+/);
    assert.match(status.stdout, new RegExp(`last backup: .* to ${backup.replace(/[/.]/g, '\\$&')} \\(1 files\\)`));
    assert.match(check.stdout, /database: ok/);
    assert.match(check.stdout, /files: 1 checked, 0 bad/);
    assert.match(check.stdout, /audit chain: ok/);
  });

  T('restore into an empty data directory: every message acknowledged before the backup, the file, and check passes', async () => {
    const dataDir = join(work, 'restored');
    const r = await runAdmin(['restore', backup], { dataDir });
    assert.equal(r.code, 0, r.stderr);
    const srv = new Server({ dataDir, adminPassword: ctx.srv.adminPassword });
    ctx.more.push(srv);
    await srv.start();
    try {
      const tok = await srv.login(u.login, u.password);
      const ids = new Set((await srv.history(tok, room.id)).map((m) => m.id));
      const lost = ackedBefore.filter((id) => !ids.has(id));
      assert.deepEqual(lost, [], 'nothing acknowledged before the backup is missing');
      const f = assertStatus(await srv.api('GET', `/api/v1/files/${file.id}`, { token: tok }), 200);
      assert.deepEqual(f.body, bytes);
      const check = await runAdmin(['check'], { dataDir });
      assert.equal(check.code, 0, check.stdout);
      // A running server is never restored over.
      const busy = await runAdmin(['restore', backup, '--force'], { dataDir });
      assert.equal(busy.code, 1);
      assert.match(busy.stderr, /server is running/);
    } finally {
      await srv.stop({ keepData: true });
    }
    if (PG) {
      // PostgreSQL: only into an empty database.
      const again = await runAdmin(['restore', backup, '--force'], { dataDir });
      assert.equal(again.code, 1);
      assert.match(again.stderr, /not empty/);
    } else {
      // An existing database needs --force, and is kept.
      const again = await runAdmin(['restore', backup], { dataDir });
      assert.equal(again.code, 1);
      assert.match(again.stderr, /--force/);
      const forced = await runAdmin(['restore', backup, '--force'], { dataDir });
      assert.equal(forced.code, 0, forced.stderr);
      assert.ok(readdirSync(dataDir).some((n) => n.startsWith('kairan.db.before-restore-')), 'the replaced database is kept');
    }
    // check finds a damaged file.
    const blob = join(dataDir, 'files', readdirSync(join(dataDir, 'files')).find((d) => d.length === 2));
    const name = readdirSync(blob)[0];
    writeFileSync(join(blob, name), 'changed');
    const bad = await runAdmin(['check'], { dataDir });
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /does not match its hash/);
  });

  T('a damaged or incomplete backup is refused before anything changes', async () => {
    const damaged = join(work, 'damaged');
    cpSync(backup, damaged, { recursive: true });
    const sub = readdirSync(join(damaged, 'files'))[0];
    const blob = join(damaged, 'files', sub, readdirSync(join(damaged, 'files', sub))[0]);
    writeFileSync(blob, 'tampered');
    const target = join(work, 'untouched');
    const r = await runAdmin(['restore', damaged], { dataDir: target });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /does not match the manifest/);
    if (PG) assert.equal(dbExec(target, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'users'"), '0', 'nothing was restored');
    else assert.ok(!existsSync(join(target, 'kairan.db')), 'nothing was restored');
    rmSync(join(damaged, 'MANIFEST'));
    const r2 = await runAdmin(['restore', damaged], { dataDir: target });
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, /no MANIFEST/);
    const notEmpty = await runAdmin(['backup', backup], { dataDir: ctx.srv.dataDir });
    assert.equal(notEmpty.code, 1, 'a backup never writes into a non-empty directory');
  });
});
