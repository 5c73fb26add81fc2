// E2E harness: starts the real `kairan serve` (KAIRAN_BIN, default build/kairan) on a free
// loopback port with its own data directory, creates staff through the admin API, and opens
// Debian's Chromium through playwright-core (never a downloaded browser). Every wait is
// bounded. KAIRAN_E2E_MOCK=1 runs the suite against lib/mock.mjs instead (client development
// only; its state is in memory, so the restart test needs the real server).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const BIN = resolve(ROOT, process.env.KAIRAN_BIN || 'build/kairan');
export const SHOTS = join(ROOT, 'docs/screenshots');
const MOCK = process.env.KAIRAN_E2E_MOCK === '1';
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
let n = 0;
export const uniq = (p) => `${p}${process.pid % 1000}${n++}`;

async function freePort() {
  return new Promise((ok, no) => {
    const s = net.createServer();
    s.once('error', no);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
  });
}

/** Polls fn until truthy (returned) or fails after ms with `what` and the last value. */
export async function until(fn, ms, what) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    // Each try is bounded too: a page that never answers an evaluate must not hang the suite.
    const left = Math.max(1, end - Date.now());
    try {
      last = await Promise.race([fn(), new Promise((_, no) => setTimeout(() => no(new Error('no answer')), left).unref?.())]);
      if (last) return last;
    } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await pause(50);
  }
}

export class Server {
  constructor() {
    this.data = mkdtempSync(join(tmpdir(), 'kairan-e2e-'));
    this.adminPassword = 'E2e-admin-' + Math.random().toString(36).slice(2, 10);
    this.log = '';
  }
  get url() { return `http://127.0.0.1:${this.port}`; }
  async start() {
    this.port ||= await freePort();
    const env = { ...process.env, KAIRAN_LISTEN: `127.0.0.1:${this.port}`, KAIRAN_DATA: this.data, KAIRAN_ADMIN_LOGIN: 'admin',
      KAIRAN_ADMIN_PASSWORD: this.adminPassword, KAIRAN_ARGON2_OPS: '1', KAIRAN_ARGON2_MEM_KIB: '8',
      // The scale test fills a room through the API faster than a person types.
      KAIRAN_RATE_SENDS_PER_MINUTE: '0' };
    const cmd = MOCK ? [process.execPath, [join(ROOT, 'tests/e2e/lib/mock.mjs')]] : [BIN, ['serve']];
    const p = spawn(cmd[0], cmd[1], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = p;
    const cap = (d) => { this.log = (this.log + d).slice(-20000); };
    p.stdout.on('data', cap); p.stderr.on('data', cap);
    this.exited = new Promise((r) => p.once('exit', r));
    let dead = false;
    p.once('exit', () => { dead = true; });
    await until(async () => {
      if (dead) throw new Error('server exited during start-up:\n' + this.log);
      const r = await fetch(this.url + '/healthz');
      return r.status === 200;
    }, 15000, 'GET /healthz 200').catch((e) => { throw new Error(e.message + '\n--- server output ---\n' + this.log.slice(-4000)); });
    const login = await this.api('POST', '/api/v1/auth/login', { login: 'admin', password: this.adminPassword });
    if (login.status !== 200) throw new Error('admin login failed: ' + login.status + ' ' + JSON.stringify(login.json));
    this.token = login.json.token;
    return this;
  }
  async stop() {
    if (!this.proc) return;
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc?.kill('SIGKILL'), 8000);
    await this.exited;
    clearTimeout(t);
    this.proc = null;
  }
  async restart() { await this.stop(); await this.start(); }
  async destroy() { await this.stop(); rmSync(this.data, { recursive: true, force: true }); }
  async api(method, path, body, token = this.token) {
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let r;
    try {
      r = await fetch(this.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      await Promise.race([this.exited, pause(500)]); // a crash is usually what refused the request
      const gone = this.proc && this.proc.exitCode === null && this.proc.signalCode === null ? 'still running' : `exited (code ${this.proc?.exitCode}, signal ${this.proc?.signalCode})`;
      throw new Error(`${method} ${path}: ${e.cause?.code || e.message}; kairan ${gone}\n--- server output ---\n${this.log.slice(-3000)}`);
    }
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: r.status, json, text };
  }
  /** Creates a staff member; answers the User plus its password. */
  async user(name, extra = {}) {
    const login = uniq('s');
    const password = 'Pw-' + login + '-7391x';
    const r = await this.api('POST', '/api/v1/admin/users', { login, name, password, ...extra });
    if (r.status !== 201) throw new Error(`POST /admin/users → ${r.status} ${r.text}`);
    return { ...r.json, login, password };
  }
  /** Logs a user in over the API (for driving one side without a browser). */
  async tokenOf(u) {
    const r = await this.api('POST', '/api/v1/auth/login', { login: u.login, password: u.password }, null);
    if (r.status !== 200) throw new Error('login ' + r.status + ' ' + r.text);
    return r.json.token;
  }
}

export async function browser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--lang=ja-JP'],
  });
}

/**
 * A browser context for one staff member, logged in through the login screen. Console errors
 * and page errors are collected in `errors` (the tests assert there are none).
 */
export async function staff(b, srv, u, { width = 1280, height = 800, login = true } = {}) {
  const ctx = await b.newContext({ viewport: { width, height }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo', acceptDownloads: true });
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
  page.on('dialog', (d) => { errors.push('unexpected dialog: ' + d.message()); d.dismiss(); });
  page.setDefaultTimeout(10000);
  await page.goto(srv.url + '/');
  if (login) {
    await page.locator('input[name=login]').fill(u.login);
    await page.locator('input[name=pw]').fill(u.password);
    await page.locator('form.login button[type=submit]').click();
    await page.locator('.topbar').waitFor();
  }
  return { ctx, page, errors };
}

/** The text of a locator eventually matches re. */
export async function seeText(loc, re, ms = 10000) {
  return until(async () => re.test(await loc.innerText({ timeout: 500 })), ms, `text ${re} in ${loc}`);
}

export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, name + '.png') });
}

/** Runs `kairan admin ARGS…` on the server's data directory (bounded). */
export function admin(srv, args) {
  return new Promise((ok, no) => {
    const p = spawn(BIN, ['admin', ...args], { env: { ...process.env, KAIRAN_DATA: srv.data, KAIRAN_ARGON2_OPS: '1', KAIRAN_ARGON2_MEM_KIB: '8' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; }); p.stderr.on('data', (d) => { out += d; });
    const t = setTimeout(() => { p.kill('SIGKILL'); no(new Error('kairan admin timed out: ' + out)); }, 20000);
    p.once('exit', (code) => { clearTimeout(t); ok({ code, out }); });
  });
}

/**
 * Seeds realistic colleagues so that screenshots look like the product: a few imported from a
 * staff CSV (which also builds the department tree) and five who log in in the tests.
 */
export async function seed(srv) {
  let deps = new Map();
  if (!MOCK) {
    const csv = join(srv.data, '..', `kairan-e2e-${process.pid}-${n++}.csv`);
    writeFileSync(csv, '\ufeff職員番号,氏名,ふりがな,所属,役職,内線,勤務先電話,雇用区分\r\n' + [
      [uniq('9'), '中村 由美', 'なかむら ゆみ', '総務部 総務課 文書係', '主事', '1240', '077-561-1240', '会計年度任用'],
      [uniq('9'), '小林 誠', 'こばやし まこと', '財政部 財政課', '課長', '2201', '077-561-2201', '正規'],
      [uniq('9'), '伊藤 さくら', 'いとう さくら', '市民部 市民課', '主査', '3110', '077-561-3110', '正規'],
      [uniq('9'), '渡辺 大輔', 'わたなべ だいすけ', '総務部 危機管理課', '係長', '1301', '077-561-1301', '再任用'],
    ].map((r) => r.join(',')).join('\r\n') + '\r\n');
    const r = await admin(srv, ['import-csv', csv]);
    rmSync(csv, { force: true });
    if (r.code !== 0) throw new Error('kairan admin import-csv failed: ' + r.out);
    const d = await srv.api('GET', '/api/v1/departments');
    deps = new Map((d.json?.departments || []).map((x) => [x.path, x.id]));
  }
  const people = [
    ['山田 太郎', 'やまだ たろう', '係長', '1234', '総務部 総務課 文書係'], ['佐藤 花子', 'さとう はなこ', '主査', '1235', '総務部 総務課 文書係'],
    ['鈴木 一郎', 'すずき いちろう', '主事', '2301', '財政部 財政課'], ['高橋 美咲', 'たかはし みさき', '課長補佐', '2302', '財政部 財政課'],
    ['田中 健', 'たなか けん', '主任', '3105', '市民部 市民課'],
  ];
  const out = [];
  for (const [name, kana, title, extension, dep] of people) {
    out.push(await srv.user(name, { kana, title, extension, work_phone: '077-561-' + extension, ...(deps.has(dep) ? { department_id: deps.get(dep) } : {}) }));
  }
  return out;
}
