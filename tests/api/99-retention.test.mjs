// Records management (R15): a room's retention period ends and its older messages are purged
// (audited); a legal hold stops the purge; a permanent room keeps everything. Time is moved
// with the test clock (KAIRAN_TEST_CLOCK_OFFSET), not waited for.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SLOW, assertError, assertStatus, uid, useServer, waitFor } from './lib/harness.mjs';

const { ctx, T } = useServer({ before, after, it }, { env: { KAIRAN_TEST: '1' } });

describe('retention', () => {
  T('a room past its period is purged; a legal hold and a permanent room keep everything', async () => {
    const s = ctx.srv;
    const u = await s.makeUser(null, uid('rt'));
    const short = await s.makeRoom(u.token, '一年未満', []);
    const held = await s.makeRoom(u.token, '訴訟対応', []);
    const forever = await s.makeRoom(u.token, '永年', []);
    for (const r of [short, held, forever]) for (let i = 0; i < 3; i++) await s.send(u.token, r.id, `記録 ${i}`);
    // In the short room also: a tagged message, and a file carried by both a message and a note
    // (the note outlives the purge of messages, so the file must stay).
    const first = (await s.history(u.token, short.id))[0];
    assertStatus(await s.api('PUT', `/api/v1/rooms/${short.id}/messages/${first.id}/tag`, { token: u.token, body: { tag: 'decision' } }), 200);
    const file = assertStatus(await s.api('POST', '/api/v1/files?name=plan.txt', { token: u.token, raw: Buffer.from('計画書'), headers: { 'content-type': 'text/plain' } }), 201).json;
    await s.send(u.token, short.id, '計画書です', { file_ids: [file.id] });
    const note = assertStatus(await s.api('POST', `/api/v1/rooms/${short.id}/notes`, { token: u.token, body: { title: '計画', file_ids: [file.id] } }), 201).json;
    const put = (id, body) => s.api('PUT', `/api/v1/admin/rooms/${id}/records`, { token: s.adminToken, body });
    const r1 = assertStatus(await put(short.id, { classification: 'work', retention_days: 1 }), 200).json;
    assert.deepEqual(r1.records, { classification: 'work', retention_days: 1, legal_hold: false, approval_reminder: false });
    assertStatus(await put(held.id, { classification: 'work', retention_days: 1, legal_hold: true }), 200);
    assertStatus(await put(forever.id, { classification: 'work', retention_days: null }), 200);
    const f = assertStatus(await put(forever.id, { classification: 'work', retention_days: null, approval_reminder: true }), 200).json;
    assert.equal(f.records.approval_reminder, true, 'the 決裁 reminder is part of the room');
    assertError(await put(short.id, { classification: 'maybe' }), 400, 'invalid_parameter');
    assertError(await put(short.id, { classification: 'casual', retention_days: 0 }), 400, 'invalid_parameter');
    assertStatus(await put(999999, { classification: 'work' }), 404);
    assertStatus(await s.api('PUT', `/api/v1/admin/rooms/${short.id}/records`, { token: u.token, body: { classification: 'casual' } }), 403);
    // Three days later.
    await s.stop({ keepData: true });
    s.extraEnv = { ...s.extraEnv, KAIRAN_TEST: '1', KAIRAN_TEST_CLOCK_OFFSET: String(3 * 86400) };
    await s.start();
    await s.adminLogin();
    const tok = await s.login(u.login, u.password);
    await waitFor(async () => (await s.history(tok, short.id)).length === 0, 10000 * SLOW, 'the short room purged');
    assert.equal((await s.history(tok, held.id)).length, 3, 'legal hold: nothing purged');
    assert.equal((await s.history(tok, forever.id)).length, 3, 'permanent: nothing purged');
    const au = assertStatus(await s.api('GET', '/api/v1/admin/audit?action=retention.purge', { token: s.adminToken }), 200).json;
    assert.equal(au.entries[0].target_id, short.id);
    assert.equal(au.entries[0].detail.messages, 5, 'three, the file message and the note card');
    assert.equal(assertStatus(await s.api('GET', `/api/v1/files/${file.id}`, { token: tok }), 200).text, '計画書', 'the note keeps its file');
    assertStatus(await s.api('GET', `/api/v1/rooms/${short.id}/notes/${note.id}`, { token: tok }), 200);
    // The room goes on: a new message continues the sequence.
    const m = await s.send(tok, short.id, '新しい記録');
    assert.equal(m.seq, 6);
  });
});
