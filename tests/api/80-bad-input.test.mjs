// Bad input: every case gets a clear 4xx with {"error":{"code","message"}}, changes nothing,
// and the server keeps serving (GET /healthz 200 after each).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, assertStatus, uid, useServer } from './lib/harness.mjs';

const { ctx, T } = useServer({ before, after, it });
let a, b, room, msg;
before(async () => {
  await ctx.ready;
  a = await ctx.srv.makeUser(null, uid('ba'));
  b = await ctx.srv.makeUser(null, uid('bb'));
  room = await ctx.srv.makeRoom(a.token, '入力検査', [b.id]);
  msg = await ctx.srv.send(a.token, room.id, '基準メッセージ');
});
ctx.beforeStop.push(async () => {
  // "Changes nothing": only the base message exists in the room, and it is unchanged.
  const h = await ctx.srv.history(a.token, room.id);
  assert.deepEqual(h.filter((m) => !m.deleted).map((m) => [m.seq, m.text]), [[1, '基準メッセージ']], 'no bad request created or changed a message');
});

const J = { 'content-type': 'application/json' };
const msgPath = () => `/api/v1/rooms/${room.id}/messages`;
/** Sends one bad request and checks the answer and that the server still serves. */
async function bad(what, method, path, opts, status, code) {
  const r = await ctx.srv.api(method, path, { token: a.token, ...opts });
  assertError(r, status, code, what);
  assert.ok(!/<html|stack|\.c:\d+|sqlite/i.test(r.text), `${what}: no internals in the answer (${r.text.slice(0, 120)})`);
  const h = await ctx.srv.api('GET', '/healthz');
  assert.equal(h.status, 200, `${what}: /healthz after`);
  return r;
}

describe('malformed JSON', () => {
  const cases = [
    ['truncated', '{"text":"x",'], ['trailing garbage', '{"text":"x","client_msg_id":"m1"} x'], ['single quotes', "{'text':'x'}"],
    ['empty body', ''], ['just whitespace', '   '], ['bare word', 'hello'], ['NaN', '{"text":NaN}'], ['comment', '{"text":"x" /* c */}'],
    ['unterminated string', '{"text":"x'], ['bad escape', '{"text":"\\q","client_msg_id":"m2"}'], ['raw control char in string', '{"text":"a\u0001b","client_msg_id":"m3"}'],
    ['leading zero', '{"seq":01}'],
  ];
  for (const [what, raw] of cases) {
    T(`${what} → 400 invalid_json`, async () => {
      await bad(what, 'POST', msgPath(), { raw, headers: J }, 400, 'invalid_json');
    });
  }
  T('not an object: array, string, number, null → 400 invalid_json', async () => {
    for (const raw of ['[1,2]', '[{"text":"x","client_msg_id":"m4"}]', '"text"', '42', 'null', 'true']) {
      await bad(`body ${raw}`, 'POST', msgPath(), { raw, headers: J }, 400, 'invalid_json');
    }
    await bad('array to login', 'POST', '/api/v1/auth/login', { raw: '["admin","x"]', headers: J, token: undefined }, 400, 'invalid_json');
  });
  T('deeply nested JSON does not crash the server', async () => {
    const depth = 100000;
    await bad('nested arrays', 'POST', msgPath(), { raw: '{"text":' + '['.repeat(depth) + ']'.repeat(depth) + '}', headers: J }, [400, 413], ['invalid_json', 'invalid_parameter', 'payload_too_large']);
    await bad('nested objects', 'POST', '/api/v1/rooms', { raw: '{"a":'.repeat(40000) + '1' + '}'.repeat(40000), headers: J }, [400, 413], ['invalid_json', 'invalid_parameter', 'payload_too_large']);
  });
});

describe('wrong types and ranges', () => {
  const cases = [
    ['text a number', { text: 5, client_msg_id: 'w1' }], ['text an object', { text: { a: 1 }, client_msg_id: 'w2' }],
    ['text missing', { client_msg_id: 'w3' }], ['client_msg_id a number', { text: 'x', client_msg_id: 7 }],
['mentions not a list', { text: 'x', client_msg_id: 'w4', mentions: 3 }],
    ['mentions of strings', { text: 'x', client_msg_id: 'w5', mentions: ['abc'] }], ['mention_all a string', { text: 'x', client_msg_id: 'w6', mention_all: 'yes' }],
    ['reply_to a string', { text: 'x', client_msg_id: 'w7', reply_to: 'abc' }], ['reply_to an object', { text: 'x', client_msg_id: 'w8', reply_to: {} }],
    ['file_ids not a list', { text: 'x', client_msg_id: 'w9', file_ids: 1 }], ['11 file_ids', { text: 'x', client_msg_id: 'w10', file_ids: Array(11).fill(1) }],
    ['stamp a number', { text: '', client_msg_id: 'w11', stamp: 1 }], ['as_user_id of someone not delegated', { text: 'x', client_msg_id: 'w12', as_user_id: 1 }],
  ];
  for (const [what, body] of cases) {
    T(`send with ${what} → 4xx`, async () => {
      const r = await bad(what, 'POST', msgPath(), { body }, [400, 403], ['invalid_parameter', 'forbidden']);
      if (what !== 'as_user_id of someone not delegated') assert.equal(r.status, 400);
    });
  }
  T('send without client_msg_id → 400 (the limits say 1–64 characters)', async () => {
    const r = await ctx.srv.api('POST', msgPath(), { token: a.token, body: { text: 'x' } });
    if (r.status === 201) await ctx.srv.api('DELETE', `${msgPath()}/${r.json.id}`, { token: a.token }); // keep the room as it was
    assertError(r, 400, 'invalid_parameter', 'client_msg_id missing');
    const n = await ctx.srv.api('POST', msgPath(), { token: a.token, body: { text: 'x', client_msg_id: null } });
    if (n.status === 201) await ctx.srv.api('DELETE', `${msgPath()}/${n.json.id}`, { token: a.token });
    assertError(n, 400, 'invalid_parameter', 'client_msg_id null');
  });
  T('read with wrong seq types and ranges → 400', async () => {
    for (const raw of ['{"seq":"1"}', '{"seq":-1}', '{"seq":1.5}', '{"seq":1e309}', '{"seq":null}', '{"seq":[1]}', '{"seq":true}']) {
      await bad(`seq ${raw}`, 'POST', `/api/v1/rooms/${room.id}/read`, { raw, headers: J }, 400, ['invalid_parameter', 'invalid_json']);
    }
    await bad('seq 2^64', 'POST', `/api/v1/rooms/${room.id}/read`, { raw: '{"seq":18446744073709551617}', headers: J }, 400, ['invalid_parameter', 'invalid_json']);
  });
  T('rooms and profiles with wrong types → 400', async () => {
    await bad('room name a number', 'POST', '/api/v1/rooms', { body: { name: 5, member_ids: [] } }, 400, 'invalid_parameter');
    await bad('member_ids of objects', 'POST', '/api/v1/rooms', { body: { name: 'x', member_ids: [{}] } }, 400, 'invalid_parameter');
    await bad('room without name', 'POST', '/api/v1/rooms', { body: { member_ids: [] } }, 400, 'invalid_parameter');
    await bad('direct user_id a string', 'POST', '/api/v1/rooms/direct', { body: { user_id: 'abc' } }, 400, 'invalid_parameter');
    await bad('PATCH /me absent a string', 'PATCH', '/api/v1/me', { body: { absent: 'yes' } }, 400, 'invalid_parameter');
    await bad('PATCH room name a list', 'PATCH', `/api/v1/rooms/${room.id}`, { body: { name: ['x'] } }, 400, 'invalid_parameter');
    await bad('add members not a list', 'POST', `/api/v1/rooms/${room.id}/members`, { body: { user_ids: 'all' } }, 400, 'invalid_parameter');
    await bad('edit text a number', 'PATCH', `/api/v1/rooms/${room.id}/messages/${msg.id}`, { body: { text: 1 } }, 400, 'invalid_parameter');
    await bad('admin user with a list login', 'POST', '/api/v1/admin/users', { token: ctx.srv.adminToken, body: { login: ['x'], name: 'x', password: 'Long-enough-123' } }, 400, 'invalid_parameter');
  });
});

describe('invalid UTF-8', () => {
  const raw = (bytes) => Buffer.concat([Buffer.from('{"client_msg_id":"' + uid('u') + '","text":"'), Buffer.from(bytes), Buffer.from('"}')]);
  const cases = [
    ['0xff byte', [0xff]], ['lone continuation', [0x80]], ['truncated sequence', [0xe3, 0x81]], ['overlong slash', [0xc0, 0xaf]],
    ['overlong 3-byte', [0xe0, 0x80, 0xaf]], ['UTF-16 surrogate', [0xed, 0xa0, 0x80]], ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['Shift_JIS bytes', [0x82, 0xa0, 0x82, 0xa2]],
  ];
  for (const [what, bytes] of cases) {
    T(`${what} in text → 400 invalid_json`, async () => {
      await bad(what, 'POST', msgPath(), { raw: raw(bytes), headers: J }, 400, 'invalid_json');
    });
  }
  T('escaped lone surrogate \\ud800 and NUL → 400', async () => {
    await bad('lone surrogate escape', 'POST', msgPath(), { raw: '{"client_msg_id":"s1","text":"a\\ud800b"}', headers: J }, 400, ['invalid_json', 'invalid_parameter']);
    await bad('low surrogate first', 'POST', msgPath(), { raw: '{"client_msg_id":"s2","text":"a\\udc00\\ud800b"}', headers: J }, 400, ['invalid_json', 'invalid_parameter']);
    // The spec says "no NUL" without naming the code: either 400 code is a clear answer.
    await bad('NUL escape', 'POST', msgPath(), { raw: '{"client_msg_id":"s3","text":"a\\u0000b"}', headers: J }, 400, ['invalid_parameter', 'invalid_json']);
    // A valid surrogate pair is fine (and then deleted, so that the room stays as it was).
    const ok = assertStatus(await ctx.srv.api('POST', msgPath(), { token: a.token, raw: '{"client_msg_id":"s4","text":"\\ud842\\udfb7"}', headers: J }), 201, 'valid pair');
    assert.equal(ok.json.text, '𠮷');
    assertStatus(await ctx.srv.api('DELETE', `${msgPath()}/${ok.json.id}`, { token: a.token }), 200, 'clean up');
  });
  T('invalid UTF-8 in a login, a room name and a query string', async () => {
    await bad('login', 'POST', '/api/v1/auth/login', { raw: Buffer.concat([Buffer.from('{"login":"'), Buffer.from([0xff, 0xfe]), Buffer.from('","password":"xxxxxxxxxxxx"}')]), headers: J, token: undefined }, 400, 'invalid_json');
    await bad('room name', 'POST', '/api/v1/rooms', { raw: Buffer.concat([Buffer.from('{"member_ids":[],"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), headers: J }, 400, 'invalid_json');
    await bad('query', 'GET', '/api/v1/users?q=%FF%FE', {}, 400, ['invalid_parameter', 'invalid_query']);
  });
});

describe('sizes', () => {
  T('a JSON body over 256 KiB → 413 payload_too_large', async () => {
    const text = 'a'.repeat(300 * 1024);
    await bad('300 KiB message', 'POST', msgPath(), { body: { text, client_msg_id: 'big1' } }, 413, 'payload_too_large');
    await bad('1 MiB room', 'POST', '/api/v1/rooms', { body: { name: 'x', member_ids: [], topic: 'b'.repeat(1024 * 1024) } }, 413, 'payload_too_large');
    await bad('300 KiB login', 'POST', '/api/v1/auth/login', { body: { login: 'x', password: 'y'.repeat(300 * 1024) }, token: undefined }, 413, 'payload_too_large');
  });
  T('a Content-Length that lies high, and a huge one declared, do not hang or crash', async () => {
    await bad('declared 64 MiB JSON', 'POST', msgPath(), { raw: '{}', headers: { ...J, 'content-length': String(64 << 20) }, timeout: 5000 }, 413, 'payload_too_large')
      .catch((e) => { if (!/socket hang up|ECONNRESET|no answer/.test(e.message)) throw e; });
    assert.ok(await ctx.srv.healthy());
  });
  T('a message under 256 KiB but over 10,000 characters → 400', async () => {
    await bad('10,001 characters', 'POST', msgPath(), { body: { text: 'あ'.repeat(10001), client_msg_id: 'big2' } }, 400, 'invalid_parameter');
  });
  T('huge query values → 400', async () => {
    await bad('limit 1e6', 'GET', `${msgPath()}?limit=1000000`, {}, 400, 'invalid_parameter');
    await bad('limit 2^64+1', 'GET', `${msgPath()}?limit=18446744073709551617`, {}, 400, 'invalid_parameter');
    await bad('after 2^64+1', 'GET', `${msgPath()}?after=18446744073709551617`, {}, 400, 'invalid_parameter');
    await bad('users limit 1e6', 'GET', '/api/v1/users?limit=1000000', {}, 400, 'invalid_parameter');
    const many = await ctx.srv.api('GET', '/api/v1/presence?user_ids=' + Array(5000).fill('1').join(','), { token: a.token });
    assert.ok(many.status < 500, `5,000 presence ids → ${many.status}`);
    const q = await ctx.srv.api('GET', '/api/v1/users?q=' + encodeURIComponent('あ'.repeat(3000)), { token: a.token });
    assert.ok(q.status === 200 || q.status === 400, `a long q → ${q.status}`);
    assert.ok(await ctx.srv.healthy());
  });
});

describe('content types', () => {
  T('JSON expected but another Content-Type → 415', async () => {
    const body = JSON.stringify({ text: 'x', client_msg_id: 'ct1' });
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/jsonp']) {
      await bad(ct, 'POST', msgPath(), { raw: body, headers: { 'content-type': ct } }, 415, 'unsupported_media_type');
    }
    const ok = assertStatus(await ctx.srv.api('POST', msgPath(), { token: a.token, raw: JSON.stringify({ text: 'charset ok', client_msg_id: 'ct2' }), headers: { 'content-type': 'application/json; charset=utf-8' } }), 201, 'application/json; charset=utf-8');
    assertStatus(await ctx.srv.api('DELETE', `${msgPath()}/${ok.json.id}`, { token: a.token }), 200, 'clean up');
  });
});

describe('unknown ids, routes and methods', () => {
  T('unknown ids → 404 not_found', async () => {
    await bad('room', 'GET', '/api/v1/rooms/987654321', {}, 404, 'not_found');
    await bad('room messages', 'GET', '/api/v1/rooms/987654321/messages', {}, 404, 'not_found');
    await bad('send to unknown room', 'POST', '/api/v1/rooms/987654321/messages', { body: { text: 'x', client_msg_id: 'n1' } }, 404, 'not_found');
    await bad('message', 'GET', `${msgPath()}/987654321`, {}, 404, 'not_found');
    await bad('edit unknown message', 'PATCH', `${msgPath()}/987654321`, { body: { text: 'x' } }, 404, 'not_found');
    await bad('delete unknown message', 'DELETE', `${msgPath()}/987654321`, {}, 404, 'not_found');
    await bad('readers', 'GET', `${msgPath()}/987654321/readers`, {}, 404, 'not_found');
    await bad('user', 'GET', '/api/v1/users/987654321', {}, 404, 'not_found');
    await bad('file', 'GET', '/api/v1/files/987654321', {}, 404, 'not_found');
    await bad('session', 'DELETE', '/api/v1/me/sessions/987654321', {}, 404, 'not_found');
    await bad('remove unknown member', 'DELETE', `/api/v1/rooms/${room.id}/members/987654321`, {}, [403, 404], ['forbidden', 'not_found']);
  });
  T('non-numeric and odd ids → 400 or 404, never 500', async () => {
    for (const id of ['abc', '1abc', '-1', '0', '1.5', '%00', '1%2F2', '99999999999999999999999', "1'%20OR%20'1'='1", '%E3%81%82']) {
      await bad(`room id ${id}`, 'GET', `/api/v1/rooms/${id}`, {}, [400, 404], ['invalid_parameter', 'not_found']);
      await bad(`message id ${id}`, 'GET', `${msgPath()}/${id}`, {}, [400, 404], ['invalid_parameter', 'not_found']);
      await bad(`user id ${id}`, 'GET', `/api/v1/users/${id}`, {}, [400, 404], ['invalid_parameter', 'not_found']);
    }
  });
  T('unknown route → 404, wrong method → 405', async () => {
    await bad('unknown route', 'GET', '/api/v1/nope', {}, 404, 'not_found');
    await bad('PUT /rooms', 'PUT', '/api/v1/rooms', { body: {} }, 405, 'method_not_allowed');
    await bad('DELETE /me', 'DELETE', '/api/v1/me', {}, 405, 'method_not_allowed');
  });
  T('path traversal outside the web root serves nothing from the disk', async () => {
    for (const p of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd', '/stamps/..%2f..%2f..%2fetc%2fpasswd', '/stamps/%2e%2e/%2e%2e/etc/passwd.svg']) {
      const r = await ctx.srv.api('GET', p);
      assert.ok(!r.text.includes('root:x:0:0'), `${p} leaks /etc/passwd`);
      assert.ok(r.status !== 500, `${p} → ${r.status}`);
    }
  });
});

describe('WebSocket input', () => {
  T('a text frame that is not valid UTF-8 closes with 1007; the server keeps serving', async () => {
    const s = await ctx.srv.wsConnect(a.token);
    s.ws._socket.write(frame(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])));
    const ci = await s.closed;
    assert.equal(ci.code, 1007);
    assert.ok(await ctx.srv.healthy());
  });
  T('a frame over 4 KiB closes the socket (1009); garbage JSON and unknown types are ignored or closed, never crash', async () => {
    const s1 = await ctx.srv.wsConnect(a.token);
    s1.send('not json');
    s1.send(JSON.stringify({ type: 'no-such-type' }));
    s1.send(JSON.stringify({ type: 'typing', room_id: 'abc' }));
    s1.send(JSON.stringify([1, 2, 3]));
    s1.send(JSON.stringify({ type: 'ping' }));
    await s1.next((f) => f.type === 'pong', 3000).catch(async () => { await s1.closed; });
    await s1.close();
    const s2 = await ctx.srv.wsConnect(a.token);
    s2.send(JSON.stringify({ type: 'typing', room_id: room.id, pad: 'x'.repeat(5000) }));
    const ci = await s2.closed;
    assert.equal(ci.code, 1009, `close code for a 5 KB frame (got ${ci.code})`);
    assert.ok(await ctx.srv.healthy());
  });
});

/** A raw masked client frame, for bytes the ws library will not send as text itself. */
function frame(opcode, payload) {
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
  const head = payload.length < 126 ? Buffer.from([0x80 | opcode, 0x80 | payload.length]) : null;
  return Buffer.concat([head, mask, masked]);
}
