// Durability: sends in a loop with ~8 in flight, kill -9 the server mid-stream, restart on the
// same data directory: every send that got 201 is there with the same id and seq, the room's
// sequence is gapless, and retrying the unanswered sends by client_msg_id never duplicates.
// Twenty cycles (the security issue's crash test).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SLOW, assertStatus, uid, useServer, waitFor } from './lib/harness.mjs';

const { ctx, T } = useServer({ before, after, it });
const CONCURRENCY = 8;
const CYCLES = 20;

describe('kill -9 during sends', () => {
  let a, b, room;
  const acked = new Map(); // client_msg_id → {id, seq, text}
  const unknown = new Map(); // client_msg_id → text: sent, no answer (may or may not be stored)
  before(async () => {
    a = await ctx.srv.makeUser(null, uid('da'));
    b = await ctx.srv.makeUser(null, uid('db'));
    room = await ctx.srv.makeRoom(a.token, '耐障害性', [b.id]);
  });

  async function cycle(n) {
    let stop = false, counter = 0;
    const errors = [];
    const dropped = [];
    const worker = async (w) => {
      while (!stop) {
        const cid = `dur-${n}-${w}-${counter++}`;
        const text = `周期${n} 送信者${w} 番号${counter}`;
        unknown.set(cid, text);
        let r;
        try {
          r = await ctx.srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: (w % 2 ? a : b).token, body: { text, client_msg_id: cid }, timeout: 10000 * SLOW });
        } catch (e) {
          if (ctx.srv.proc && !stop) dropped.push(`${cid}: ${e.message}`); // the server is alive: it dropped the request
          return; // the connection died with the server: the outcome is unknown
        }
        if (r.status === 201) {
          unknown.delete(cid);
          acked.set(cid, { id: r.json.id, seq: r.json.seq, text, sender: w % 2 ? a.id : b.id });
        } else if (r.status === 503) {
          return; // the store stopped: also unknown
        } else {
          errors.push(`${r.status} ${r.text.slice(0, 200)}`);
          return;
        }
      }
    };
    const ackedBefore = acked.size;
    const workers = Array.from({ length: CONCURRENCY }, (_, w) => worker(w));
    // Kill once a fair number of sends of this cycle were acknowledged, while others are in flight.
    const target = ackedBefore + 40 + 15 * (n % 5);
    await waitFor(() => acked.size >= target || errors.length > 0 || dropped.length > 0 || !ctx.srv.proc, 30000 * SLOW, `${target - ackedBefore} acknowledged sends in cycle ${n}`, 2);
    // A dropped connection may be a crash whose exit has not been seen yet: tell them apart.
    if (dropped.length) await waitFor(() => !ctx.srv.proc, 1000 * SLOW, 'exit').catch(() => {});
    assert.ok(ctx.srv.proc, `the server died on its own during the sends (before kill -9): ${JSON.stringify(ctx.srv.exits)}\n${ctx.srv.brief(20)}`);
    stop = true; // the 8 requests in flight stay in flight; no new ones start
    assert.deepEqual(dropped.slice(0, 3), [], 'no request was dropped by a live server');
    await ctx.srv.kill9();
    await Promise.all(workers);
    assert.deepEqual(errors, [], 'no send failed with an error status before the kill');
    assert.deepEqual(dropped, [], 'no request was dropped by a live server');
    await ctx.srv.start();
  }

  async function verify(label) {
    // Sessions survive the restart too.
    const h = await ctx.srv.history(b.token, room.id, 0, 200);
    const seqs = h.map((m) => m.seq);
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1), `${label}: seqs 1..N without gaps`);
    const byCid = new Map();
    for (const m of h) {
      assert.ok(m.client_msg_id, `${label}: message ${m.seq} has its client_msg_id`);
      const key = `${m.sender.id}/${m.client_msg_id}`;
      assert.ok(!byCid.has(key), `${label}: ${key} stored once`);
      byCid.set(key, m);
    }
    const lost = [];
    for (const [cid, x] of acked) {
      const m = byCid.get(`${x.sender}/${cid}`);
      if (!m || m.id !== x.id || m.seq !== x.seq || m.text !== x.text) lost.push({ cid, acked: x, found: m && { id: m.id, seq: m.seq, text: m.text } });
    }
    assert.deepEqual(lost, [], `${label}: every acknowledged send is present with its id, seq and text`);
    for (const m of h) assert.ok(acked.has(m.client_msg_id) || unknown.has(m.client_msg_id), `${label}: message ${m.seq} was sent by this test`);
    const r = assertStatus(await ctx.srv.api('GET', `/api/v1/rooms/${room.id}`, { token: a.token }), 200, 'room');
    assert.equal(r.json.last_seq, seqs.length, `${label}: last_seq matches`);
    return h.length;
  }

  T('twenty cycles of kill -9 and restart lose no acknowledged send and leave no gap', async () => {
    for (let n = 1; n <= CYCLES; n++) {
      await cycle(n);
      await verify(`cycle ${n}`);
      // Retry every unanswered send: it is either the original (201, same id) or new, never twice.
      for (const [cid, text] of [...unknown]) {
        const sender = cid.split('-')[2] % 2 ? a : b;
        const r = assertStatus(await ctx.srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: sender.token, body: { text, client_msg_id: cid } }), 201, `retry ${cid}`);
        const again = assertStatus(await ctx.srv.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: sender.token, body: { text, client_msg_id: cid } }), 201, `retry ${cid} twice`);
        assert.equal(again.json.id, r.json.id);
        unknown.delete(cid);
        acked.set(cid, { id: r.json.id, seq: r.json.seq, text, sender: sender.id });
      }
      const total = await verify(`cycle ${n} after retries`);
      assert.equal(total, acked.size, 'every message in the room is an acknowledged send');
    }
    assert.ok(acked.size >= CYCLES * 40, `a meaningful number of sends (${acked.size})`);
    // A send after all this continues the sequence.
    const m = await ctx.srv.send(a.token, room.id, '復旧確認');
    assert.equal(m.seq, acked.size + 1);
  });
});
