// Staff from the city's directory (R26) against a real OpenLDAP slapd started by the test: 200
// staff with Japanese names in a department tree. A dry run changes nothing; the first sync
// creates everyone with department, reading and extension; a transfer (人事異動) moves the
// person between department rooms; someone removed from the directory is disabled and their
// socket closes; re-hired, they are enabled again; a directory that suddenly lacks most staff
// is refused rather than obeyed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SLOW, assertStatus, runAdmin, useServer, waitFor } from './lib/harness.mjs';
import { BASE, Slapd, line } from './lib/slapd.mjs';

const { ctx, T } = useServer({ before, after, it });
const ldap = new Slapd();
const SURNAMES = [['佐藤', 'さとう'], ['鈴木', 'すずき'], ['高橋', 'たかはし'], ['田中', 'たなか'], ['伊藤', 'いとう'], ['渡辺', 'わたなべ'],
  ['山本', 'やまもと'], ['中村', 'なかむら'], ['小林', 'こばやし'], ['加藤', 'かとう']];
const GIVEN = [['太郎', 'たろう'], ['花子', 'はなこ'], ['一郎', 'いちろう'], ['美咲', 'みさき'], ['健', 'けん'], ['由美', 'ゆみ'], ['誠', 'まこと'],
  ['さくら', 'さくら'], ['大輔', 'だいすけ'], ['陽子', 'ようこ'], ['翔太', 'しょうた'], ['直子', 'なおこ'], ['浩', 'ひろし'], ['恵', 'めぐみ'],
  ['学', 'まなぶ'], ['優子', 'ゆうこ'], ['剛', 'つよし'], ['真理', 'まり'], ['修', 'おさむ'], ['彩', 'あや']];
const DEPTS = [['総務部', '総務課', '文書係'], ['総務部', '人事課'], ['財政部', '財政課'], ['市民部', '市民課'], ['福祉部', '子育て支援課'], ['建設部', '道路課']];
const EMPLOYMENT = ['正規', '正規', '再任用', '会計年度任用'];
const ouDn = (path) => [...path].reverse().map((p) => `ou=${p}`).join(',') + `,ou=職員,${BASE}`;
const person = (i) => {
  const [sn, skana] = SURNAMES[i % 10], [gn, gkana] = GIVEN[Math.floor(i / 10) % 20];
  return { uid: `s${String(i + 1).padStart(4, '0')}`, cn: `${sn} ${gn}`, kana: `${skana} ${gkana}`, sn, dept: DEPTS[i % DEPTS.length],
    ext: String(1000 + i), phone: `077-561-${1000 + i}`, type: EMPLOYMENT[i % 4], title: i % 7 === 0 ? '係長' : '主事' };
};
const entry = (p) => [line('dn', `uid=${p.uid},${ouDn(p.dept)}`), 'objectClass: inetOrgPerson', `uid: ${p.uid}`, line('cn', p.cn), line('sn', p.sn),
  line('displayName', p.kana), line('title', p.title), `pager: ${p.ext}`, `telephoneNumber: ${p.phone}`, line('employeeType', p.type), ''].join('\n');
const sync = (args = [], env = {}) => runAdmin(['ldap', 'sync', ...args], { dataDir: ctx.srv.dataDir, env: ldap.env(env), timeout: 60000 });
const people = Array.from({ length: 200 }, (_, i) => person(i));
const userByLogin = async (login) => (await ctx.srv.api('GET', '/api/v1/admin/users', { token: ctx.srv.adminToken })).json.users.find((u) => u.login === login);

before(async () => {
  await ctx.ready;
  await ldap.start();
  const ous = new Set();
  const ldif = [[line('dn', `ou=職員,${BASE}`), 'objectClass: organizationalUnit', line('ou', '職員'), ''].join('\n')];
  for (const d of DEPTS) {
    for (let k = 1; k <= d.length; k++) {
      const path = d.slice(0, k), dn = ouDn(path);
      if (ous.has(dn)) continue;
      ous.add(dn);
      ldif.push([line('dn', dn), 'objectClass: organizationalUnit', line('ou', path[k - 1]), ''].join('\n'));
    }
  }
  ldap.modify([[`dn: ${BASE}`, 'objectClass: dcObject', 'objectClass: organization', 'o: city', 'dc: city', ''].join('\n'), ...ldif, ...people.map(entry)].join('\n'), true);
});
after(async () => { await ldap.stop(); });

describe('directory sync', () => {
  T('a dry run shows 200 new staff and changes nothing', async () => {
    const r = await sync(['--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((r.stdout.match(/^would create /gm) || []).length, 200);
    assert.match(r.stdout, /200 entries; 200 created.*\(dry run: nothing changed\)/);
    assert.equal(await userByLogin('s0001'), undefined);
  });

  T('the first sync creates everyone with department, reading, title, extension and employment', async () => {
    const r = await sync();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /200 entries; 200 created, 0 updated/);
    const u = await userByLogin('s0003');
    assert.equal(u.name, '高橋 太郎');
    assert.equal(u.kana, 'たかはし たろう');
    assert.equal(u.department, '財政部 財政課');
    assert.equal(u.extension, '1002');
    assert.equal(u.employment, '再任用');
    // The directory's reading finds the person: すずき finds 鈴木.
    const found = assertStatus(await ctx.srv.api('GET', '/api/v1/users?q=' + encodeURIComponent('すずき はなこ'), { token: ctx.srv.adminToken }), 200).json.users;
    assert.ok(found.some((x) => x.login === 's0012'), 'found by reading');
    const again = await sync();
    assert.match(again.stdout, /0 created, 200 updated \(0 moved department\), 0 enabled, 0 disabled/);
    const au = assertStatus(await ctx.srv.api('GET', '/api/v1/admin/audit?action=user.ldap_sync', { token: ctx.srv.adminToken }), 200).json;
    assert.equal(au.entries[0].detail.created, 0);
  });

  T('a transfer moves the person between department rooms; a removed entry is disabled and its socket closes; re-hired, enabled', async () => {
    const s = ctx.srv;
    const deps = assertStatus(await s.api('GET', '/api/v1/departments', { token: s.adminToken }), 200).json.departments;
    const idOf = (path) => deps.find((d) => d.path === path).id;
    const fin = assertStatus(await s.api('POST', '/api/v1/rooms', { token: s.adminToken, body: { name: '財政課', kind: 'department', department_id: idOf('財政部 財政課'), member_ids: [] } }), 201).json;
    const doc = assertStatus(await s.api('POST', '/api/v1/rooms', { token: s.adminToken, body: { name: '文書係', kind: 'department', department_id: idOf('総務部 総務課 文書係'), member_ids: [] } }), 201).json;
    await sync(); // department rooms follow the departments
    const members = async (room) => assertStatus(await s.api('GET', `/api/v1/rooms/${room.id}/members`, { token: s.adminToken }), 200).json.members.map((m) => m.login);
    assert.ok((await members(fin)).includes('s0003'));
    // 人事異動: s0003 moves from 財政課 to 文書係.
    ldap.modify([`dn: uid=s0003,${ouDn(DEPTS[2])}`, 'changetype: moddn', 'newrdn: uid=s0003', 'deleteoldrdn: 1', line('newsuperior', ouDn(DEPTS[0])), ''].join('\n'));
    const moved = await sync();
    assert.match(moved.stdout, /moved s0003: 財政部 財政課 -> 総務部 総務課 文書係/);
    assert.ok(!(await members(fin)).includes('s0003'), 'left the old department room');
    assert.ok((await members(doc)).includes('s0003'), 'joined the new one');
    // Retirement: s0010 leaves the directory while signed in.
    const gone = await userByLogin('s0010');
    assertStatus(await s.api('POST', `/api/v1/admin/users/${gone.id}/password`, { token: s.adminToken, body: { password: 'Leaving-staff-2026!', must_change_password: false } }), 204);
    const tok = await s.login('s0010', 'Leaving-staff-2026!');
    const ws = await s.wsConnect(tok);
    ldap.modify([`dn: uid=s0010,${ouDn(person(9).dept)}`, 'changetype: delete', ''].join('\n'));
    const r = await sync();
    assert.match(r.stdout, /^disabled s0010/m);
    assert.match(r.stdout, /1 disabled/);
    const closed = await Promise.race([ws.closed, new Promise((ok) => setTimeout(() => ok(null), 5000 * SLOW))]);
    assert.ok(closed, 'the socket of the retired account is closed');
    assertStatus(await s.api('GET', '/api/v1/me', { token: tok }), 401);
    assert.equal((await userByLogin('s0010')).disabled, true);
    // Re-hired (再任用): back in the directory, enabled again.
    ldap.modify(entry({ ...person(9), type: '再任用' }), true);
    const back = await sync();
    assert.match(back.stdout, /^enabled s0010/m);
    await waitFor(async () => (await userByLogin('s0010')).disabled === false, 5000, 's0010 enabled');
    assert.equal((await userByLogin('s0010')).employment, '再任用');
  });

  T('on a schedule: kairan serve runs the sync itself (ldap_sync_minutes)', async () => {
    const s = ctx.srv;
    ldap.modify(entry({ ...person(250), uid: 's9001', cn: '予定 太郎', kana: 'よてい たろう' }), true);
    await s.stop({ keepData: true });
    s.extraEnv = { ...s.extraEnv, ...ldap.env(), KAIRAN_LDAP_SYNC_MINUTES: '60', KAIRAN_TEST: '1', KAIRAN_TEST_LDAP_FIRST_SECONDS: '1' };
    await s.start();
    await s.adminLogin();
    await waitFor(async () => (await userByLogin('s9001'))?.name === '予定 太郎', 15000 * SLOW, 'the scheduled sync to create s9001');
    await waitFor(() => /event=ldap.sync result=ok/.test(s.stderr), 5000, 'the sync logged');
  });

  T('a directory that suddenly lacks most staff is refused, and nothing is disabled; a wrong password is a clear error', async () => {
    const r = await sync([], { KAIRAN_LDAP_BASE: ouDn(['建設部']) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refusing to disable so many/);
    assert.equal((await userByLogin('s0001')).disabled, false);
    const dry = await sync(['--dry-run', '--allow-mass-disable'], { KAIRAN_LDAP_BASE: ouDn(['建設部']) });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /would disable s0001/);
    assert.equal((await userByLogin('s0001')).disabled, false, 'a dry run changes nothing');
    const bad = await sync([], { KAIRAN_LDAP_BIND_PASSWORD_FILE: '/nonexistent' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /ldap_bind_password_file/);
    const none = await runAdmin(['ldap', 'sync'], { dataDir: ctx.srv.dataDir });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /ldap_uri/);
  });

  T('ldap_auth: staff sign in with their directory password, administrators with their own; a directory that is down is said so', async () => {
    const s = ctx.srv;
    ldap.modify([`dn: uid=s0001,${ouDn(person(0).dept)}`, 'changetype: modify', 'replace: userPassword', 'userPassword: Dir-pass-s0001!', ''].join('\n'));
    await s.stop({ keepData: true });
    s.extraEnv = { ...s.extraEnv, ...ldap.env(), KAIRAN_LDAP_AUTH: '1', KAIRAN_LDAP_SYNC_MINUTES: '0' };
    await s.start();
    await s.adminLogin();
    const ok = assertStatus(await s.api('POST', '/api/v1/auth/login', { body: { login: 's0001', password: 'Dir-pass-s0001!' } }), 200).json;
    assert.equal(ok.must_change_password, false, 'the directory\'s password policy applies');
    assertStatus(await s.api('POST', '/api/v1/auth/login', { body: { login: 's0001', password: 'wrong-password-1' } }), 401);
    assertStatus(await s.api('POST', '/api/v1/auth/login', { body: { login: 's0001', password: '' } }), 401, 'an empty password never binds');
    const r = await s.api('PUT', '/api/v1/me/password', { token: ok.token, body: { current_password: 'Dir-pass-s0001!', new_password: 'Another-pass-2026!' } });
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'password_in_directory');
    await ldap.stop();
    const down = await s.api('POST', '/api/v1/auth/login', { body: { login: 's0001', password: 'Dir-pass-s0001!' } });
    assert.equal(down.status, 503);
    assert.equal(down.json.error.code, 'directory_unavailable');
    assertStatus(await s.api('POST', '/api/v1/auth/login', { body: { login: 'admin', password: s.adminPassword } }), 200, 'administrators still get in');
  });
});
