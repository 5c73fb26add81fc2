// Office hours with Japan's calendar (R14): the holiday list, closures, the four modes, urgent
// sends, held messages that survive a restart and go out exactly once when due (driven by the
// test clock, KAIRAN_TEST_CLOCK_OFFSET, not by waiting), and bad input.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SLOW, assertError, assertStatus, uid, useServer, waitFor } from './lib/harness.mjs';

const { ctx, T } = useServer({ before, after, it }, { env: { KAIRAN_TEST: '1' } });
const todayJst = () => new Date(Date.now() + 9 * 3600000).toISOString().slice(0, 10);

describe('calendar', () => {
  T('national holidays of a year, with substitute and citizens\' holidays; bad years refused', async () => {
    const s = ctx.srv;
    const r = assertStatus(await s.api('GET', '/api/v1/calendar/holidays?year=2026', { token: s.adminToken }), 200).json;
    const by = Object.fromEntries(r.holidays.map((h) => [h.date, h.name]));
    assert.equal(by['2026-01-01'], '元日');
    assert.equal(by['2026-05-06'], '振替休日');
    assert.equal(by['2026-09-22'], '国民の休日');
    assert.equal(by['2026-03-20'], '春分の日');
    assert.ok(!('2026-12-29' in by), 'the year-end closure is the city\'s, not a national holiday');
    assertError(await s.api('GET', '/api/v1/calendar/holidays?year=1999', { token: s.adminToken }), 400, 'invalid_parameter');
    assertError(await s.api('GET', '/api/v1/calendar/holidays', { token: s.adminToken }), 400, 'invalid_parameter');
  });

  T('an administrator moves a national holiday (an equinox announced a year ahead); substitute days follow', async () => {
    const s = ctx.srv;
    const list = async (y) => Object.fromEntries(assertStatus(await s.api('GET', `/api/v1/calendar/holidays?year=${y}`, { token: s.adminToken }), 200).json.holidays.map((h) => [h.date, h.name]));
    const before = await list(2099);
    const equinox = Object.entries(before).find(([, n]) => n === '春分の日')[0];
    const moved = `2099-03-${String(Number(equinox.slice(8)) + 1).padStart(2, '0')}`;
    const post = (body) => s.api('POST', '/api/v1/admin/calendar/holiday-overrides', { token: s.adminToken, body });
    assertStatus(await post({ date: equinox, new_date: moved }), 200);
    const after = await list(2099);
    assert.equal(after[moved], '春分の日');
    assert.ok(!(equinox in after) || after[equinox] !== '春分の日', 'the law\'s date is no longer the holiday');
    const cal = assertStatus(await s.api('GET', '/api/v1/calendar', { token: s.adminToken }), 200).json;
    assert.deepEqual(cal.holiday_overrides, [{ date: equinox, new_date: moved, name: '春分の日' }]);
    assertError(await post({ date: '2099-03-03', new_date: moved }), 400, 'invalid_parameter'); // not a holiday
    assertError(await post({ date: equinox, new_date: '2098-03-22' }), 400, 'invalid_parameter'); // another year
    assertStatus(await s.api('POST', '/api/v1/admin/calendar/holiday-overrides', { token: (await s.makeUser(null, uid('hs'))).token, body: { date: equinox, new_date: moved } }), 403);
  });

  T('bad office-hours and closure input is refused naming the field; nothing changes', async () => {
    const s = ctx.srv;
    const t = s.adminToken;
    const e1 = assertError(await s.api('PUT', '/api/v1/admin/office-hours', { token: t, body: { start: '17:00', end: '08:30', mode: 'hold' } }), 400, 'invalid_parameter');
    assert.match(e1.json.error.message, /end/);
    assertError(await s.api('PUT', '/api/v1/admin/office-hours', { token: t, body: { start: '08:30', end: '17:15', mode: 'sometimes' } }), 400, 'invalid_parameter');
    assertError(await s.api('PUT', '/api/v1/admin/office-hours', { token: t, body: { start: '8h', end: '17:15', mode: 'off' } }), 400, 'invalid_parameter');
    assertError(await s.api('POST', '/api/v1/admin/calendar/closures', { token: t, body: { date: '2026-02-30', name: 'x' } }), 400, 'invalid_parameter');
    assertError(await s.api('POST', '/api/v1/admin/calendar/closures', { token: t, body: { date: '2001-01-05', name: 'x' } }), 400, 'invalid_parameter');
    const cal = assertStatus(await s.api('GET', '/api/v1/calendar', { token: t }), 200).json;
    assert.equal(cal.office_hours.mode, 'off');
    assert.deepEqual(cal.closures, []);
  });
});

describe('office hours', () => {
  let a, b, room;
  T('a closure today in hold mode: 202 held_until, nobody receives it; urgent goes at once and is audited', async () => {
    const s = ctx.srv;
    a = await s.makeUser(null, uid('oa'));
    b = await s.makeUser(null, uid('ob'));
    room = await s.makeRoom(a.token, '時間外', [b.id]);
    assertStatus(await s.api('POST', '/api/v1/admin/calendar/closures', { token: s.adminToken, body: { date: todayJst(), name: '臨時閉庁' } }), 200);
    assertStatus(await s.api('PUT', '/api/v1/admin/office-hours', { token: s.adminToken, body: { start: '08:30', end: '17:15', mode: 'hold' } }), 200);
    const ws = await s.wsConnect(b.token);
    const body = { text: '明日の件、よろしくお願いします', client_msg_id: 'held-1' };
    const r = assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: a.token, body }), 202, 'held').json;
    assert.equal(r.status, 'held');
    assert.ok(Date.parse(r.held_until) > Date.now(), `held until later: ${r.held_until}`);
    assert.match(r.held_until, /T08:30:00\+09:00$/, 'the next business morning at 8:30');
    const again = assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: a.token, body }), 202, 'retry').json;
    assert.equal(again.id, r.id);
    assertError(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: a.token, body: { ...body, text: '別の文' } }), 409, 'conflict');
    // What a held message refers to is checked when it is held, as a send checks it: a file the
    // privacy guard holds for review, someone who is not in the room. Neither is held.
    const w = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2], d11 = '98765432101';
    const rem = [...d11].reduce((acc, d, i) => acc + Number(d) * w[i], 0) % 11;
    const file = assertStatus(await s.api('POST', `/api/v1/files?name=${encodeURIComponent('名簿.txt')}`,
      { token: a.token, raw: Buffer.from(`マイナンバー ${d11}${rem <= 1 ? 0 : 11 - rem}\n`), headers: { 'content-type': 'text/plain' } }), 201).json;
    assert.equal(file.review, 'held');
    assertError(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: a.token, body: { text: '資料です', file_ids: [file.id], client_msg_id: uid('h') } }), 422, 'personal_information');
    const outsider = await s.makeUser(null, uid('ox'));
    assertError(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: a.token, body: { text: 'ご確認を', mentions: [outsider.id], client_msg_id: uid('h') } }), 400, 'invalid_parameter');
    const mine = assertStatus(await s.api('GET', '/api/v1/me/held', { token: a.token }), 200).json;
    assert.equal(mine.held.length, 1);
    // Urgent: out at once, marked, audited; the member receives it — and not the held one.
    const u = assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: a.token, body: { text: '至急：断水の連絡', client_msg_id: 'urgent-1', urgent: true, urgent_reason: '断水' } }), 201).json;
    assert.equal(u.urgent, true);
    assert.equal(u.seq, 1, 'the held message took no sequence number');
    const ev = await ws.next((f) => f.type === 'message.created', 3000 * SLOW);
    assert.equal(ev.message.id, u.id, 'the first event the member gets is the urgent one');
    assert.ok(!ws.frames.some((f) => f.type === 'message.created' && f.message.text === body.text), 'the held one was not delivered');
    const h = await s.history(b.token, room.id);
    assert.deepEqual(h.map((m) => m.text), ['至急：断水の連絡']);
    const au = assertStatus(await s.api('GET', '/api/v1/admin/audit?action=message.urgent', { token: s.adminToken }), 200).json;
    assert.equal(au.entries[0].detail.reason, '断水');
    await ws.close();
  });

  T('block, warn and the disaster switch', async () => {
    const s = ctx.srv;
    const put = (mode) => s.api('PUT', '/api/v1/admin/office-hours', { token: s.adminToken, body: { start: '08:30', end: '17:15', mode } });
    assertStatus(await put('block'), 200);
    assertError(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: a.token, body: { text: 'x', client_msg_id: uid('c') } }), 409, 'outside_office_hours');
    assertStatus(await put('warn'), 200);
    const w = assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: a.token, body: { text: '警告のみ', client_msg_id: uid('c') } }), 201).json;
    assert.equal(w.outside_office_hours, true);
    assertStatus(await put('hold'), 200);
    assertStatus(await s.api('PUT', '/api/v1/admin/disaster', { token: s.adminToken, body: { on: true, note: '大雨' } }), 200);
    assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: a.token, body: { text: '災害対応中', client_msg_id: uid('c') } }), 201, 'the disaster switch lifts the hold');
    const cal = assertStatus(await s.api('GET', '/api/v1/calendar', { token: a.token }), 200).json;
    assert.equal(cal.disaster.on, true);
    assertStatus(await s.api('PUT', '/api/v1/admin/disaster', { token: s.adminToken, body: { on: false } }), 200);
    // R20: phones may not sign in outside office hours when the city says so; PCs may.
    assertStatus(await s.api('PUT', '/api/v1/admin/office-hours', { token: s.adminToken, body: { start: '08:30', end: '17:15', mode: 'hold', refuse_phone_logins: true } }), 200);
    const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148';
    assertError(await s.api('POST', '/api/v1/auth/login', { body: { login: a.login, password: a.password }, headers: { 'user-agent': iphone } }), 403, 'login_outside_office_hours');
    assertStatus(await s.api('POST', '/api/v1/auth/login', { body: { login: a.login, password: a.password }, headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/130' } }), 200, 'an office PC');
    assertStatus(await put('hold'), 200);
    // A department of its own hours (a fire station: always on) sends while the city holds.
    const fire = assertStatus(await s.api('POST', '/api/v1/admin/departments', { token: s.adminToken, body: { name: `消防本部${uid('d')}` } }), 201).json;
    const station = assertStatus(await s.api('POST', '/api/v1/admin/departments', { token: s.adminToken, body: { name: '中央消防署', parent_id: fire.id } }), 201).json;
    assertStatus(await s.api('PUT', `/api/v1/admin/office-hours/departments/${fire.id}`, { token: s.adminToken, body: { start: '00:00', end: '24:00', mode: 'off' } }), 200);
    assertError(await s.api('PUT', `/api/v1/admin/office-hours/departments/${fire.id}`, { token: s.adminToken, body: { mode: 'always' } }), 400, 'invalid_parameter');
    const ff = await s.makeUser(null, uid('ff'), { department_id: station.id });
    const fireRoom = await s.makeRoom(ff.token, '出動', []);
    assertStatus(await s.api('POST', `/api/v1/rooms/${fireRoom.id}/messages`, { token: ff.token, body: { text: '出動します', client_msg_id: uid('c') } }), 201, 'a sub-department inherits its department\'s hours');
    assertStatus(await s.api('PUT', `/api/v1/admin/office-hours/departments/${fire.id}`, { token: s.adminToken, body: { mode: 'inherit' } }), 200);
    assertStatus(await s.api('POST', `/api/v1/rooms/${fireRoom.id}/messages`, { token: ff.token, body: { text: '再送', client_msg_id: uid('c') } }), 202, 'back to the city\'s hours');
    await s.api('DELETE', `/api/v1/me/held/${(await s.api('GET', '/api/v1/me/held', { token: ff.token })).json.held[0].id.replace('held-', '')}`, { token: ff.token });
    // A held message the sender cancels never goes out.
    const c = assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: a.token, body: { text: '取り消す予定', client_msg_id: 'held-2' } }), 202).json;
    assertStatus(await s.api('DELETE', `/api/v1/me/held/${c.id.replace('held-', '')}`, { token: a.token }), 204);
    assertStatus(await s.api('DELETE', `/api/v1/me/held/${c.id.replace('held-', '')}`, { token: b.token }), 404, 'only the sender');
  });

  T('the city may restrict urgent sends to chosen roles or rooms; by default every member may', async () => {
    const s = ctx.srv;
    const put = (urgent) => s.api('PUT', '/api/v1/admin/office-hours', { token: s.adminToken, body: { start: '08:30', end: '17:15', mode: 'hold', urgent } });
    const urgent = (who) => s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: who.token, body: { text: '至急確認', urgent: true, urgent_reason: '道路陥没', client_msg_id: uid('u') } });
    assertStatus(await put({ roles: ['owner', 'dept_admin'] }), 200);
    assertStatus(await urgent(a), 201, 'the room\'s owner');
    assertError(await urgent(b), 403, 'urgent_forbidden');
    const held = assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: b.token, body: { text: '通常の送信は保留', client_msg_id: uid('h') } }), 202, 'ordinary sends are held as before').json;
    assertError(await s.api('POST', `/api/v1/me/held/${held.id.replace('held-', '')}/send`, { token: b.token, body: { urgent_reason: '至急' } }), 403, 'urgent_forbidden');
    assertStatus(await s.api('DELETE', `/api/v1/me/held/${held.id.replace('held-', '')}`, { token: b.token }), 204);
    assertStatus(await put({ room_ids: [room.id] }), 200);
    assertStatus(await urgent(b), 201, 'a chosen room: every member');
    assertError(await put({ roles: ['mayor'] }), 400, 'invalid_parameter');
    assertStatus(await put(null), 200);
    assertStatus(await urgent(b), 201, 'back to every member');
    const au = assertStatus(await s.api('GET', '/api/v1/admin/audit?action=message.urgent', { token: s.adminToken }), 200).json;
    assert.ok(au.entries.length >= 3);
  });

  T('held messages survive a restart and go out exactly once when due, in order and without a gap', async () => {
    const s = ctx.srv;
    const mine = assertStatus(await s.api('GET', '/api/v1/me/held', { token: a.token }), 200).json;
    assert.equal(mine.held.length, 1, 'one held message left (the other was cancelled)');
    const due = Date.parse(mine.held[0].held_until);
    const before = await s.history(a.token, room.id);
    await s.stop({ keepData: true });
    // Start again "at" the next business morning plus a minute.
    s.extraEnv = { ...s.extraEnv, KAIRAN_TEST: '1', KAIRAN_TEST_CLOCK_OFFSET: String(Math.ceil((due - Date.now()) / 1000) + 60) };
    await s.start();
    await s.adminLogin();
    const tok = await s.login(b.login, b.password);
    let h = [];
    await waitFor(async () => { h = await s.history(tok, room.id); return h.length === before.length + 1; }, 10000 * SLOW, 'the held message released');
    const last = h[h.length - 1];
    assert.equal(last.text, '明日の件、よろしくお願いします');
    assert.deepEqual(h.map((m) => m.seq), h.map((_, i) => i + 1), 'no gap');
    // Another restart does not send it again.
    await s.stop({ keepData: true });
    await s.start();
    await s.adminLogin();
    const h2 = await s.history(await s.login(b.login, b.password), room.id);
    assert.equal(h2.filter((m) => m.text === last.text).length, 1, 'exactly once');
    const retry = assertStatus(await s.api('POST', `/api/v1/rooms/${room.id}/messages`, { token: await s.login(a.login, a.password), body: { text: last.text, client_msg_id: 'held-1' } }), 201, 'a retry now answers the released message');
    assert.equal(retry.json.id, last.id);
  });
});
