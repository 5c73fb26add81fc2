// Staff import from CSV as Excel writes it: Shift_JIS (CP932) with one bad line, re-import as
// an update, UTF-8 with BOM; run with `kairan admin import-csv` while the server runs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertStatus, runAdmin, useServer } from './lib/harness.mjs';

const { ctx, T } = useServer({ before, after, it });
const HEADER = '職員番号,氏名,ふりがな,所属,役職,内線,勤務先電話,雇用区分';
const P = String(process.pid).slice(-4); // keeps logins unique across parallel runs
const L = (n) => `7${P}${n}`;
const cp932 = (text) => execFileSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: Buffer.from(text, 'utf8') });
const crlf = (lines) => lines.join('\r\n') + '\r\n';
const file = (name, bytes) => { const p = join(ctx.srv.dataDir, '..', `${process.pid}-${name}`); writeFileSync(p, bytes); return p; };
const find = async (q) => {
  const r = assertStatus(await ctx.srv.api('GET', `/api/v1/users?q=${encodeURIComponent(q)}&limit=200`, { token: ctx.srv.adminToken }), 200, `search ${q}`);
  return r.json.users;
};
const byLogin = async (login) => (await find(login)).filter((u) => u.login === login);

describe('Shift_JIS (CP932) import', () => {
  let res;
  const rows = (ext1) => [
    HEADER,
    `${L(1)},髙橋 一郎,たかはし いちろう,総務部 総務課 文書係,係長,${ext1},077-561-0001,正規`,
    `${L(2)},　 山﨑 花子 　,やまさき はなこ,総務部 総務課 文書係,主事,4102,077-561-0002,会計年度任用`,
    `${L(9)},,なまえなし,総務部 総務課,主事,4109,077-561-0009,正規`, // line 4: 氏名 missing
    `"${L(3)}","草津 ①子","くさつ まるこ","市民部 市民課","課長, 兼 室長","4201","077-561-0003","再任用"`,
  ];

  before(async () => {
    const bytes = cp932(crlf(rows('4101')));
    assert.ok(!bytes.includes(Buffer.from('髙', 'utf8')), 'the file really is CP932');
    res = await runAdmin(['import-csv', file('staff-sjis.csv', bytes)], { dataDir: ctx.srv.dataDir });
  });

  T('exit code 2 (partial) and the bad line is named on stderr', async () => {
    assert.equal(res.code, 2, `exit code 2 for a partial import (got ${res.code}; stderr: ${res.stderr}; stdout: ${res.stdout})`);
    assert.match(res.stderr, /(line|行)\D{0,3}4\b|\b4\s*行目|:4:/i, `line 4 named on stderr: ${res.stderr}`);
    assert.doesNotMatch(res.stderr, /(line|行)\D{0,3}[235]\b|\b[235]\s*行目|:[235]:/i, 'only the bad line is reported');
  });

  T('the good rows are in the directory with every column', async () => {
    const [u1] = await byLogin(L(1));
    assert.ok(u1, `${L(1)} imported`);
    assert.equal(u1.name, '髙橋 一郎', 'CP932 extension character (髙) decoded');
    assert.equal(u1.kana, 'たかはし いちろう');
    assert.equal(u1.department, '総務部 総務課 文書係');
    assert.equal(u1.title, '係長');
    assert.equal(u1.extension, '4101');
    assert.equal(u1.work_phone, '077-561-0001');
    assert.equal(u1.employment, '正規');
    assert.equal(u1.kind, 'staff');
    const [u2] = await byLogin(L(2));
    assert.equal(u2?.name, '山﨑 花子', 'full-width and ASCII spaces around a value are trimmed in any mix');
    assert.equal(u2.employment, '会計年度任用');
    const [u3] = await byLogin(L(3));
    assert.equal(u3?.name, '草津 ①子', 'NEC special character (①) decoded');
    assert.equal(u3.title, '課長, 兼 室長', 'quoted field with a comma');
    assert.equal(u3.department, '市民部 市民課');
    assert.equal(u3.employment, '再任用');
    assert.deepEqual(await byLogin(L(9)), [], 'the bad line was not imported');
    assert.equal((await find('たかはし いちろう')).filter((u) => u.login === L(1)).length, 1, 'found by reading');
    assert.equal((await find('タカハシ')).filter((u) => u.login === L(1)).length, 1, 'found by katakana reading');
  });

  T('departments are created as a hierarchy from the 所属 path', async () => {
    const deps = assertStatus(await ctx.srv.api('GET', '/api/v1/departments', { token: ctx.srv.adminToken }), 200, 'departments').json.departments;
    const at = (path) => deps.filter((d) => d.path === path);
    for (const p of ['総務部', '総務部 総務課', '総務部 総務課 文書係', '市民部', '市民部 市民課']) assert.equal(at(p).length, 1, `one department ${p}`);
    assert.equal(at('総務部')[0].parent_id, null);
    assert.equal(at('総務部 総務課')[0].parent_id, at('総務部')[0].id);
    assert.equal(at('総務部 総務課 文書係')[0].parent_id, at('総務部 総務課')[0].id);
    assert.equal(at('総務部 総務課 文書係')[0].name, '文書係');
    const [u1] = await byLogin(L(1));
    assert.equal(u1.department_id, at('総務部 総務課 文書係')[0].id);
    const inSection = assertStatus(await ctx.srv.api('GET', `/api/v1/users?department_id=${at('総務部 総務課 文書係')[0].id}`, { token: ctx.srv.adminToken }), 200, 'by department').json.users;
    assert.deepEqual(inSection.map((u) => u.login).sort(), [L(1), L(2)].sort());
  });

  T('re-import with a changed 内線 updates in place (no duplicates)', async () => {
    const lines = rows('4199').filter((l, i) => i !== 3); // this time without the bad line
    const r = await runAdmin(['import-csv', file('staff-sjis-2.csv', cp932(crlf(lines)))], { dataDir: ctx.srv.dataDir });
    assert.equal(r.code, 0, `clean re-import exits 0 (stderr: ${r.stderr})`);
    const us = await byLogin(L(1));
    assert.equal(us.length, 1, 'still one user');
    assert.equal(us[0].extension, '4199', 'extension updated');
    assert.equal((await find('4199')).filter((u) => u.login === L(1)).length, 1, 'found by the new extension');
    assert.deepEqual((await find('4101')).filter((u) => u.login === L(1)), [], 'not by the old one');
    const deps = (await ctx.srv.api('GET', '/api/v1/departments', { token: ctx.srv.adminToken })).json.departments;
    assert.equal(deps.filter((d) => d.path === '総務部 総務課 文書係').length, 1, 'departments not duplicated');
  });

  T('one-time passwords go to a private file; they log in with must_change_password', async () => {
    const { readdirSync, readFileSync, statSync } = await import('node:fs');
    const dir = join(ctx.srv.dataDir, 'initial-passwords');
    const files = readdirSync(dir).map((f) => join(dir, f));
    assert.ok(files.length >= 1, 'a password file was written');
    for (const f of files) assert.equal(statSync(f).mode & 0o077, 0, `${f} is readable by its owner only`);
    assert.equal(statSync(dir).mode & 0o077, 0, 'the directory is private too');
    assert.ok(!res.stdout.includes('\t') && !/Kz7|[A-Za-z0-9]{12,}/.test(res.stderr.replace(/\/[^\s]+/g, '')), 'no password on stderr');
    const text = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    const line = text.split(/\r?\n/).find((l) => l.startsWith(L(2) + ',') || l.startsWith(`"${L(2)}"`));
    assert.ok(line, `a line for ${L(2)} in the password file`);
    const candidates = line.split(',').map((x) => x.replace(/^"|"$/g, '')).filter((x) => x.length >= 10);
    let tok = null;
    for (const pw of candidates) {
      const r = await ctx.srv.api('POST', '/api/v1/auth/login', { body: { login: L(2), password: pw } });
      if (r.status === 200) { tok = r; break; }
    }
    assert.ok(tok, 'the one-time password logs in');
    assert.equal(tok.json.must_change_password, true, 'and must be changed');
    assertStatus(await ctx.srv.api('GET', '/api/v1/rooms', { token: tok.json.token }), 403, 'nothing else until changed');
  });

  T('imported accounts cannot log in with a guessable password', async () => {
    for (const pw of [L(1), '', 'password', L(1) + L(1)]) {
      const r = await ctx.srv.api('POST', '/api/v1/auth/login', { body: { login: L(1), password: pw } });
      assert.notEqual(r.status, 200, `password ${JSON.stringify(pw)} must not work`);
    }
  });
});

describe('UTF-8 import', () => {
  T('UTF-8 with BOM works (BOM not part of the first header)', async () => {
    const text = crlf([HEADER, `${L(11)},守山 望,もりやま のぞみ,総務部 総務課,主査,4301,077-561-0011,正規`]);
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    const r = await runAdmin(['import-csv', file('bom.csv', bytes)], { dataDir: ctx.srv.dataDir });
    assert.equal(r.code, 0, `exit 0 (stderr: ${r.stderr})`);
    const [u] = await byLogin(L(11));
    assert.ok(u, 'imported');
    assert.equal(u.name, '守山 望');
    assert.equal(u.department, '総務部 総務課');
  });

  T('UTF-8 without BOM, LF line ends, and a last line without newline', async () => {
    const text = [HEADER, `${L(12)},守山 光,もりやま ひかる,市民部 市民課,主事,4302,077-561-0012,`].join('\n');
    const r = await runAdmin(['import-csv', file('plain.csv', Buffer.from(text, 'utf8'))], { dataDir: ctx.srv.dataDir });
    assert.equal(r.code, 0, `exit 0 (stderr: ${r.stderr})`);
    const [u] = await byLogin(L(12));
    assert.ok(u, 'imported');
    assert.equal(u.employment, '', 'empty 雇用区分');
  });

  T('values longer than the API allows (in characters) are refused, naming the column', async () => {
    const longTitle = '企画'.repeat(51); // 102 characters
    const longKana = 'あ'.repeat(101);
    const text = crlf([HEADER, `${L(14)},長い 役職,ながい やくしょく,総務部,${longTitle},4303,,正規`, `${L(15)},長い かな,${longKana},総務部,主事,4304,,正規`,
      `${L(16)},ちょうど,ちょうど,総務部,${'課'.repeat(100)},4305,,正規`]);
    const r = await runAdmin(['import-csv', file('long.csv', Buffer.from(text, 'utf8'))], { dataDir: ctx.srv.dataDir });
    assert.equal(r.code, 2, `partial (stderr: ${r.stderr})`);
    assert.match(r.stderr, /役職/);
    assert.match(r.stderr, /ふりがな/);
    assert.deepEqual(await byLogin(L(14)), []);
    assert.deepEqual(await byLogin(L(15)), []);
    assert.equal((await byLogin(L(16)))[0]?.title, '課'.repeat(100), '100 characters (300 bytes) is within the limit');
  });

  T('a file with a wrong header is refused as a whole, with a non-zero exit', async () => {
    const text = crlf(['番号,名前', `${L(13)},誰か`]);
    const r = await runAdmin(['import-csv', file('wrong.csv', Buffer.from(text, 'utf8'))], { dataDir: ctx.srv.dataDir });
    assert.notEqual(r.code, 0);
    assert.notEqual(r.code, null);
    assert.ok(r.stderr.length > 0, 'says why on stderr');
    assert.deepEqual(await byLogin(L(13)), []);
  });

  T('a missing file is an error, not a crash', async () => {
    const r = await runAdmin(['import-csv', '/nonexistent/staff.csv'], { dataDir: ctx.srv.dataDir });
    assert.ok(r.code !== 0 && r.code !== null && r.signal === null, `exit code ${r.code} signal ${r.signal}`);
    assert.ok(await ctx.srv.healthy());
  });
});
