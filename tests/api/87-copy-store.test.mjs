// `kairan admin copy-store`: a city's SQLite data into an empty PostgreSQL database (and back),
// verified by row counts and checksums, served afterwards exactly as before; a non-empty target
// is refused and left alone. Needs PostgreSQL (make test-api-pg).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PG, SLOW, Server, assertStatus, dbExec, pgStoreEnv, runAdmin, uid } from './lib/harness.mjs';

const T = (name, fn) => it(name, { timeout: 180000 * SLOW }, fn);
const SQLITE = { KAIRAN_STORE: 'sqlite' };

describe('copy-store', { skip: !PG && 'needs PostgreSQL (make test-api-pg)' }, () => {
  const dirs = [];
  after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  T('SQLite → PostgreSQL → SQLite: verified, and served the same', async () => {
    // A small city on SQLite: people, a room, Japanese messages, an edit, a file, a note.
    const lite = new Server({ env: SQLITE });
    await lite.start();
    await lite.adminLogin();
    const a = await lite.makeUser(null, uid('sa'), { name: '佐藤 一郎' });
    const b = await lite.makeUser(null, uid('sb'), { name: '鈴木 花子' });
    const room = await lite.makeRoom(a.token, '道路補修の件', [b.id]);
    const sent = [];
    for (let i = 0; i < 30; i++) sent.push(await lite.send(i % 2 ? b.token : a.token, room.id, `市道${i}号線の補修予定について`));
    assertStatus(await lite.api('PATCH', `/api/v1/rooms/${room.id}/messages/${sent[3].id}`, { token: b.token, body: { text: '訂正:市道三号線は来週' } }), 200);
    const file = assertStatus(await lite.api('POST', `/api/v1/files?name=${encodeURIComponent('見積書.txt')}`,
      { token: a.token, raw: Buffer.from('見積金額 百二十万円'), headers: { 'content-type': 'text/plain' } }), 201).json;
    await lite.send(a.token, room.id, '見積書を添付します', { file_ids: [file.id] });
    assertStatus(await lite.api('POST', `/api/v1/rooms/${room.id}/notes`, { token: a.token, body: { title: '議事メモ', body: '補修は十二月に実施' } }), 201);
    await lite.stop({ keepData: true });
    dirs.push(lite.dataDir);
    // Enough rows that the copy reads PostgreSQL in several pages and indexes in several chunks
    // (2,000 each): 2,500 more messages, written straight into the file while the server is down.
    const lastSeq = sent.length + 2;
    execFileSync('sqlite3', [join(lite.dataDir, 'kairan.db'), `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500)
      INSERT INTO messages(room_id, seq, sender_id, author_id, text, created_at) SELECT ${room.id}, ${lastSeq} + i, ${a.id}, ${a.id},
      '大量投入 ' || i || ' 番目の連絡事項', ${Date.now()} + i FROM n;
      UPDATE rooms SET last_seq = ${lastSeq + 2500} WHERE id = ${room.id};`]);
    await lite.start();
    const before = await lite.history(a.token, room.id);
    assert.equal(before.length, lastSeq + 2500);
    await lite.stop({ keepData: true });

    // Into PostgreSQL: the database the harness gives a new data directory (the files copied).
    const pgDir = mkdtempSync(join(tmpdir(), 'kairan-copy-'));
    dirs.push(pgDir);
    cpSync(join(lite.dataDir, 'files'), join(pgDir, 'files'), { recursive: true });
    const uri = pgStoreEnv(pgDir).KAIRAN_STORE;
    const c = await runAdmin(['copy-store', '--to', uri], { dataDir: lite.dataDir, env: SQLITE, timeout: 120000 });
    assert.equal(c.code, 0, `copy-store: ${c.stdout}\n${c.stderr}`);
    assert.match(c.stdout, /copied and verified: \d+ tables/);
    assert.match(c.stdout, /^messages\s+2532\s/m, '2,532 messages');
    assert.doesNotMatch(c.stdout, /DIFFERENT/);

    // The same city, now on PostgreSQL.
    const pg = new Server({ dataDir: pgDir, adminPassword: lite.adminPassword });
    await pg.start();
    const ta = await pg.login(a.login, a.password);
    const afterPg = await pg.history(ta, room.id);
    assert.deepEqual(afterPg.map((m) => [m.id, m.seq, m.text, m.read_count]), before.map((m) => [m.id, m.seq, m.text, m.read_count]));
    assert.equal(assertStatus(await pg.api('GET', `/api/v1/files/${file.id}`, { token: ta }), 200).text, '見積金額 百二十万円');
    const found = assertStatus(await pg.api('GET', `/api/v1/search?q=${encodeURIComponent('三号線')}`, { token: ta }), 200).json;
    assert.ok(found.results.some((r) => r.message?.id === sent[3].id || r.id === sent[3].id), `search finds the edited text: ${JSON.stringify(found).slice(0, 300)}`);
    const bulk = assertStatus(await pg.api('GET', `/api/v1/search?q=${encodeURIComponent('2499 番目')}`, { token: ta }), 200).json;
    assert.ok(bulk.results.some((r) => r.message?.text === '大量投入 2499 番目の連絡事項'), 'a message of a later index chunk is found');
    const fileHit = assertStatus(await pg.api('GET', `/api/v1/search?q=${encodeURIComponent('百二十万')}`, { token: ta }), 200).json;
    assert.ok(fileHit.results.length > 0, 'the file text is searchable after the copy');
    const next = await pg.send(ta, room.id, '移行後の最初の投稿');
    assert.equal(next.seq, before[before.length - 1].seq + 1, 'the sequence continues');
    const v = await runAdmin(['audit', 'verify'], { dataDir: pgDir });
    assert.equal(v.code, 0, `the audit chain survives the copy: ${v.stdout} ${v.stderr}`);
    await pg.stop({ keepData: true });

    // A second copy into the now non-empty database is refused and changes nothing.
    const count = dbExec(pgDir, 'SELECT count(*) FROM messages');
    const again = await runAdmin(['copy-store', '--to', uri], { dataDir: lite.dataDir, env: SQLITE });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /not empty: refusing to overwrite/);
    assert.equal(dbExec(pgDir, 'SELECT count(*) FROM messages'), count);

    // And back to SQLite, for a city that returns to one machine.
    const back = mkdtempSync(join(tmpdir(), 'kairan-back-'));
    dirs.push(back);
    const r = await runAdmin(['copy-store', '--to', back], { dataDir: pgDir, timeout: 120000 });
    assert.equal(r.code, 0, `copy back: ${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^messages\s+2533\s/m);
    cpSync(join(pgDir, 'files'), join(back, 'files'), { recursive: true });
    const lite2 = new Server({ dataDir: back, adminPassword: lite.adminPassword, env: SQLITE });
    await lite2.start();
    const tb = await lite2.login(b.login, b.password);
    const h2 = await lite2.history(tb, room.id);
    assert.equal(h2.length, 2533);
    const hit = assertStatus(await lite2.api('GET', `/api/v1/search?q=${encodeURIComponent('補修予定')}`, { token: tb }), 200).json;
    assert.ok(hit.results.length > 0, 'the SQLite copy is indexed for search again');
    await lite2.stop({ keepData: true });
  });
});
