// Disk trouble: a full data directory refuses writes with a clear 507 and keeps serving, and
// works again once space is freed; a read-only data directory stops the server with a clear
// message. Neither corrupts the database or loses an acknowledged message. The data
// directory is a small tmpfs mounted by the test (root is needed; otherwise the tests skip
// and say why).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PG, SLOW, Server, assertStatus, uid } from './lib/harness.mjs';

const mounts = [];
function mountTmpfs(sizeKiB) {
  const dir = mkdtempSync(join(tmpdir(), 'kairan-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  mounts.push(dir);
  return dir;
}
after(() => {
  for (const d of mounts) {
    try { execFileSync('umount', ['-l', d], { stdio: 'pipe' }); } catch {}
    rmSync(d, { recursive: true, force: true });
  }
});
const integrity = (dir) => execFileSync('sqlite3', [join(dir, 'kairan.db'), 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim();

describe('a full data directory', { skip: PG && 'the database is not in the data directory on PostgreSQL' }, () => {
  it('answers 507, keeps serving and reading, loses nothing acknowledged, and recovers when space is freed', { timeout: 120000 * SLOW }, async (t) => {
    const dir = mountTmpfs(6144);
    if (!dir) return t.skip('cannot mount a tmpfs here (needs root)');
    const s = new Server({ dataDir: dir });
    try {
      await s.start();
      await s.adminLogin();
      const u = await s.makeUser(null, uid('full'));
      const room = await s.makeRoom(u.token, '容量', []);
      // Leave little room: fill the tmpfs with a file we can remove later.
      const filler = join(dir, 'filler.bin');
      const free = Number(execFileSync('df', ['--output=avail', '-k', dir], { encoding: 'utf8' }).split('\n')[1]);
      writeFileSync(filler, Buffer.alloc(Math.max(0, free - 300) * 1024));
      const acked = [];
      let full = null;
      const text = '容量試験'.repeat(2000);
      for (let i = 0; i < 400 && !full; i++) {
        const r = await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: u.token, body: { text: `${i} ${text}`, client_msg_id: `f-${i}` } });
        if (r.status === 201) acked.push(r.json);
        else if (r.status === 507) full = r;
        else assert.fail(`unexpected ${r.status} ${r.text}`);
      }
      assert.ok(full, `the disk filled within 400 sends (${acked.length} acknowledged)`);
      assert.equal(full.json.error.code, 'insufficient_storage');
      assert.ok(s.proc, 'the server is still running');
      assert.ok(await s.healthy(), 'and serving');
      const h = await s.history(u.token, room.id);
      assert.deepEqual(h.map((m) => m.id), acked.map((m) => m.id), 'every acknowledged message is readable, nothing else');
      unlinkSync(filler);
      const again = await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: u.token, body: { text: '空きができました', client_msg_id: 'f-after' } });
      assertStatus(again, 201, 'writes work again once space is freed');
      assert.equal(again.json.seq, acked.length + 1, 'the sequence has no gap');
      await s.stop();
      assert.equal(integrity(dir), 'ok');
    } finally {
      if (s.proc) await s.stop();
    }
  });
});

describe('a read-only data directory', { skip: PG && 'the database is not in the data directory on PostgreSQL' }, () => {
  it('refuses to start with a clear message, and the data is intact afterwards', { timeout: 120000 * SLOW }, async (t) => {
    const dir = mountTmpfs(16384);
    if (!dir) return t.skip('cannot mount a tmpfs here (needs root)');
    const s = new Server({ dataDir: dir });
    try {
      await s.start();
      await s.adminLogin();
      const u = await s.makeUser(null, uid('ro'));
      const room = await s.makeRoom(u.token, '読み取り専用', []);
      const acked = [];
      for (let i = 0; i < 20; i++) acked.push(await s.send(u.token, room.id, `前 ${i}`));
      // (A filesystem cannot be remounted read-only while the server holds files open for
      // writing; the full-disk test covers writes failing under a running server.)
      await s.stop({ keepData: true });
      execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'pipe' });
      // Starting on it fails with a clear message and a non-zero exit.
      const out = (() => {
        try { execFileSync(process.env.KAIRAN_BIN || 'build/kairan', ['serve'], { env: { ...s.env, KAIRAN_LISTEN: '127.0.0.1:1' }, stdio: 'pipe', timeout: 10000 * SLOW }); return { code: 0, stderr: '' }; }
        catch (e) { return { code: e.status, stderr: String(e.stderr) }; }
      })();
      assert.notEqual(out.code, 0, 'refuses to start');
      assert.match(out.stderr, /kairan: .*(read-only|readonly|cannot|unable)/i, `a clear message: ${out.stderr.slice(0, 300)}`);
      execFileSync('mount', ['-o', 'remount,rw', dir], { stdio: 'pipe' });
      assert.equal(integrity(dir), 'ok');
      await s.start();
      const h = await s.history(u.token, room.id).catch(async () => s.history(await s.login(u.login, u.password), room.id));
      for (const m of acked) assert.ok(h.some((x) => x.id === m.id), `acknowledged message ${m.seq} kept`);
    } finally {
      try { execFileSync('mount', ['-o', 'remount,rw', dir], { stdio: 'pipe' }); } catch {}
      if (s.proc) await s.stop();
    }
  });
});
