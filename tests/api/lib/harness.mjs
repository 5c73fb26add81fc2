// Protocol-test harness: starts the real `kairan serve` binary on a free loopback port with its
// own data directory, and drives it over HTTP (node:http, so that status codes, headers and
// early answers to oversize bodies are seen exactly as sent) and WebSocket (the `ws` package).
// Every wait is bounded and fails with a message that says what was awaited; the server's
// stderr is kept so that a failing test can show it (see `serverTest`).
// With KAIRAN_TEST_PG (the socket directory of a PostgreSQL started by scripts/pg.sh, as
// `make test-api-pg` does) each data directory gets a database of its own and KAIRAN_STORE.
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

export const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const BIN = resolve(ROOT, process.env.KAIRAN_BIN || 'build/kairan');
/** Multiplier for every timeout: ASan/UBSan builds are several times slower. */
export const SLOW = process.env.KAIRAN_SANITIZED ? 5 : 1;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
/** A password that satisfies the policy (≥10 characters, never equal to the login). */
export const pwOf = (login) => 'Kz7-' + login + '-58203!q';
let uniq = 0;
/** A short unique suffix for logins, names and client_msg_ids within one test process. */
export const uid = (p = 'u') => `${p}${process.pid.toString(36)}${(uniq++).toString(36)}`;

/** True when the servers run on PostgreSQL (KAIRAN_TEST_PG), not SQLite files in the data directory. */
export const PG = !!process.env.KAIRAN_TEST_PG;
const PG_SOCK = process.env.KAIRAN_TEST_PG || '';
const PG_USER = process.env.KAIRAN_TEST_PG_USER || 'kairan'; // scripts/pg.sh's superuser
const PG_BIN = process.env.KAIRAN_TEST_PG_BIN || '/usr/lib/postgresql/15/bin';
/** Data directory (resolved) → database name: a restarted or re-opened directory keeps its database. */
const pgDatabases = new Map();
/** Databases not to drop at exit (their data directory was kept to look at a failure). */
const pgKeep = new Set();
const pgTool = (tool, args) => execFileSync(join(PG_BIN, tool), ['-h', PG_SOCK, '-U', PG_USER, ...args],
  { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000 * SLOW });
const pgUri = (name) => `postgresql:///${name}?host=${encodeURI(PG_SOCK).replace(/[?&#=]/g, encodeURIComponent)}&user=${encodeURIComponent(PG_USER)}`;

/**
 * KAIRAN_STORE for a data directory under KAIRAN_TEST_PG (a new database the first time the
 * directory is seen, the same one afterwards); {} without KAIRAN_TEST_PG.
 */
export function pgStoreEnv(dataDir) {
  if (!PG) return {};
  const key = resolve(dataDir);
  let name = pgDatabases.get(key);
  if (!name) {
    name = 'k_' + randomBytes(8).toString('hex');
    try {
      pgTool('createdb', ['-E', 'UTF8', name]);
    } catch (e) {
      throw new Error(`createdb ${name} on ${PG_SOCK} (KAIRAN_TEST_PG) failed: ${e.stderr?.toString() || e.message}`);
    }
    pgDatabases.set(key, name);
  }
  return { KAIRAN_STORE: pgUri(name) };
}

/**
 * Runs SQL directly on a data directory's database, behind the server's back: SQLite's file, or
 * (under KAIRAN_TEST_PG) its PostgreSQL database through psql. `sql` is one string for both
 * engines or {sqlite, pg}. Returns what the statement printed; throws with the engine's error.
 */
export function dbExec(dataDir, sql) {
  const text = typeof sql === 'string' ? sql : PG ? sql.pg : sql.sqlite;
  if (!PG) return execFileSync('sqlite3', [join(dataDir, 'kairan.db'), text], { stdio: 'pipe', encoding: 'utf8' }).trim();
  const name = pgDatabases.get(resolve(dataDir));
  if (!name) throw new Error(`no PostgreSQL database for ${dataDir}`);
  return pgTool('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', name, '-c', text]).toString().trim();
}

/** Drops the database of a data directory (best-effort; --force ends connections left over). */
function pgDrop(dataDir) {
  const key = resolve(dataDir);
  const name = pgDatabases.get(key);
  if (!name) return;
  pgDatabases.delete(key);
  try { pgTool('dropdb', ['--if-exists', '--force', name]); } catch {}
}

/** Rejects with `what` after ms milliseconds unless the promise settles first. */
export function withTimeout(promise, ms, what) {
  let timer;
  const t = new Promise((_, rej) => {
    timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

/** Polls fn() until it returns a truthy value (which is returned), at most ms milliseconds. */
export async function waitFor(fn, ms, what, every = 25) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await sleep(every);
  }
}

export async function freePort() {
  for (let i = 0; i < 50; i++) {
    const p = await new Promise((ok) => {
      const s = net.createServer();
      s.once('error', () => ok(0));
      s.listen(0, '127.0.0.1', () => {
        const { port } = s.address();
        s.close(() => ok(port));
      });
    });
    if (p) return p;
  }
  throw new Error('no free port found');
}

const servers = new Set();
process.on('exit', () => {
  for (const s of servers) try { s.proc?.kill('SIGKILL'); } catch {}
  for (const [dir, name] of pgDatabases) if (!pgKeep.has(name)) pgDrop(dir);
});

export class Server {
  /**
   * opts.env: extra environment (e.g. {KAIRAN_MAX_UPLOAD_MIB: '1'}); opts.dataDir: reuse a data
   * directory; opts.adminPassword.
   */
  constructor(opts = {}) {
    this.extraEnv = opts.env || {};
    this.ownData = !opts.dataDir;
    this.dataDir = opts.dataDir || mkdtempSync(join(tmpdir(), 'kairan-api-'));
    this.storeEnv = pgStoreEnv(this.dataDir);
    this.adminPassword = opts.adminPassword || 'Adm1n-' + randomBytes(6).toString('hex') + '-x!';
    this.port = 0;
    this.proc = null;
    this.stderr = '';
    this.stdout = '';
    this.exits = [];
    this.adminToken = null;
  }

  // this.tls: talk HTTPS to this.port (a TLS front such as nginx in 86-nginx), any certificate.
  get base() { return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`; }
  get wsBase() { return `${this.tls ? 'wss' : 'ws'}://127.0.0.1:${this.port}`; }
  get env() {
    return {
      ...process.env,
      KAIRAN_LISTEN: `127.0.0.1:${this.port}`,
      KAIRAN_DATA: this.dataDir,
      KAIRAN_ADMIN_LOGIN: 'admin',
      KAIRAN_ADMIN_PASSWORD: this.adminPassword,
      KAIRAN_ARGON2_OPS: '1',
      KAIRAN_ARGON2_MEM_KIB: '8',
      KAIRAN_THREADS: '2',
      // Load and durability tests send far faster than a person; the limits have their own test.
      KAIRAN_RATE_SENDS_PER_MINUTE: '0',
      KAIRAN_RATE_UPLOADS_PER_MINUTE: '0',
      KAIRAN_LOG_LEVEL: process.env.KAIRAN_LOG_LEVEL || 'info',
      ...this.storeEnv,
      ...this.extraEnv,
    };
  }

  /** Last `n` characters of the server's stderr (and stdout), for failure messages. */
  tail(n = 6000) {
    const s = (this.stderr + (this.stdout ? '\n[stdout]\n' + this.stdout.slice(-2000) : ''));
    return s.length > n ? '…' + s.slice(-n) : s;
  }

  /** Spawns `kairan serve` and waits (bounded) until GET /healthz answers 200. */
  async start() {
    if (this.proc) throw new Error('server already running');
    if (!this.port) this.port = await freePort();
    const proc = spawn(BIN, ['serve'], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    servers.add(this);
    this.exited = new Promise((ok) => proc.once('exit', (code, signal) => {
      this.exits.push({ code, signal });
      if (this.proc === proc) this.proc = null;
      servers.delete(this);
      ok({ code, signal });
    }));
    const cap = (k) => (d) => {
      this[k] += d.toString('utf8');
      if (this[k].length > 200000) this[k] = this[k].slice(-100000);
    };
    proc.stderr.on('data', cap('stderr'));
    proc.stdout.on('data', cap('stdout'));
    // A server left running by a failed test must not keep the test process alive; the exit
    // handler above kills it.
    proc.unref();
    proc.stderr.unref?.();
    proc.stdout.unref?.();
    let spawnErr = null;
    proc.once('error', (e) => { spawnErr = e; });
    const deadline = Date.now() + 15000 * SLOW;
    for (;;) {
      if (spawnErr) throw new Error(`cannot start ${BIN}: ${spawnErr.message}`);
      if (this.proc !== proc) {
        const x = this.exits[this.exits.length - 1];
        throw new Error(`kairan serve exited during start-up (code ${x?.code}, signal ${x?.signal})\n--- server output ---\n${this.tail()}`);
      }
      try {
        const r = await this.api('GET', '/healthz', { timeout: 1000 * SLOW });
        if (r.status === 200) break;
      } catch {}
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`kairan serve did not answer GET /healthz 200 within ${15000 * SLOW} ms\n--- server output ---\n${this.tail()}`);
      }
      await sleep(30);
    }
    return this;
  }

  /** SIGTERM, then a bounded wait for exit (SIGKILL and an error if it does not exit). */
  async stop({ keepData = false } = {}) {
    const proc = this.proc;
    const t0 = Date.now();
    if (proc) {
      proc.kill('SIGTERM');
      try {
        await withTimeout(this.exited, 10000 * SLOW, 'kairan serve to exit after SIGTERM');
      } catch (e) {
        proc.kill('SIGKILL');
        await this.exited;
        throw new Error(`${e.message}\n--- server output ---\n${this.tail()}`);
      }
    }
    if (process.env.KAIRAN_TEST_DEBUG) process.stderr.write(`[harness] stop of ${this.base} took ${Date.now() - t0} ms\n`);
    const bad = this.sanitizerReport();
    if (!keepData && this.ownData && !bad) {
      rmSync(this.dataDir, { recursive: true, force: true });
      pgDrop(this.dataDir);
    }
    if (bad && this.storeEnv.KAIRAN_STORE) pgKeep.add(pgDatabases.get(resolve(this.dataDir)));
    if (bad) throw new Error(`sanitizer report in server output (data kept in ${this.dataDir}${this.storeEnv.KAIRAN_STORE ? ', database ' + this.storeEnv.KAIRAN_STORE : ''}):\n${bad}`);
    return this.exits[this.exits.length - 1];
  }

  /** kill -9 and wait for the process to be gone. */
  async kill9() {
    const proc = this.proc;
    if (!proc) return;
    proc.kill('SIGKILL');
    await withTimeout(this.exited, 5000 * SLOW, 'kairan serve to die after SIGKILL');
  }

  /** Starts again on the same data directory and port. */
  async restart() {
    if (this.proc) await this.stop({ keepData: true });
    return this.start();
  }

  /** Warnings and errors from the server's log plus its last lines: enough to judge a failure. */
  brief(lastLines = 8) {
    const lines = this.stderr.split('\n').filter(Boolean);
    const bad = lines.filter((l) => /level=(warn|error|fatal)|ERROR|runtime error|Sanitizer|panic|assert/i.test(l)).slice(-15);
    const last = lines.slice(-lastLines).filter((l) => !bad.includes(l));
    return [...bad, ...(bad.length ? ['…'] : []), ...last].join('\n').slice(-5000);
  }

  sanitizerReport() {
    const m = this.stderr.match(/(ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:)[\s\S]{0,4000}/);
    return m ? m[0] : null;
  }

  /**
   * One HTTP request. opts: token (Bearer), cookie, body (object → JSON), raw (Buffer/string sent
   * as is), headers, timeout. Answers {status, json, headers, text, body (Buffer)}. An answer the
   * server sends before it has read the whole body (413) is still returned.
   */
  api(method, path, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    const lower = Object.fromEntries(Object.keys(headers).map((k) => [k.toLowerCase(), k]));
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.cookie) headers.cookie = opts.cookie;
    let payload = null;
    if (opts.raw !== undefined) payload = Buffer.isBuffer(opts.raw) ? opts.raw : Buffer.from(opts.raw);
    else if (opts.body !== undefined) {
      payload = Buffer.from(JSON.stringify(opts.body));
      if (!lower['content-type']) headers['content-type'] = 'application/json';
    }
    if (payload && !lower['content-length']) headers['content-length'] = String(payload.length);
    const timeout = opts.timeout || 15000 * SLOW;
    return new Promise((ok, fail) => {
      let answered = false;
      const req = (this.tls ? https : http).request({ host: '127.0.0.1', port: this.port, method, path, headers, agent: false, rejectUnauthorized: false }, (res) => {
        answered = true;
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', (e) => fail(e));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          let json = null;
          try { json = JSON.parse(text); } catch {}
          ok({ status: res.statusCode, headers: res.headers, text, json, body });
        });
      });
      req.setTimeout(timeout, () => req.destroy(new Error(`${method} ${path}: no answer within ${timeout} ms`)));
      req.on('error', (e) => { if (!answered) fail(new Error(`${method} ${path}: ${e.message}`)); });
      if (payload) req.end(payload); else req.end();
    });
  }

  /**
   * A request over a raw socket that keeps reading while it writes, so that an early answer
   * (413 before the body was read) is seen even when the server then resets the connection.
   * Answers {status, headers, text, json, writeError} or throws when no answer arrived at all.
   */
  rawRequest(method, path, { headers = {}, body = Buffer.alloc(0), timeout = 15000 * SLOW, earlyAnswerMs = 0 } = {}) {
    return new Promise((ok, fail) => {
      const sock = net.connect(this.port, '127.0.0.1');
      const chunks = [];
      let writeError = null;
      const finish = () => {
        clearTimeout(timer);
        const buf = Buffer.concat(chunks);
        const sep = buf.indexOf('\r\n\r\n');
        if (sep < 0) return fail(new Error(`${method} ${path}: no answer (${writeError ? writeError.message : 'connection closed'})`));
        const [statusLine, ...hl] = buf.subarray(0, sep).toString('latin1').split('\r\n');
        const hdrs = {};
        for (const l of hl) { const i = l.indexOf(':'); hdrs[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim(); }
        let b = buf.subarray(sep + 4);
        if (hdrs['content-length']) b = b.subarray(0, Number(hdrs['content-length']));
        const text = b.toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch {}
        ok({ status: Number(statusLine.split(' ')[1]), headers: hdrs, text, json, writeError });
      };
      const timer = setTimeout(() => { sock.destroy(); }, timeout);
      sock.on('data', (d) => {
        chunks.push(d);
        const buf = Buffer.concat(chunks);
        const sep = buf.indexOf('\r\n\r\n');
        if (sep >= 0) {
          const m = /\r\ncontent-length:\s*(\d+)/i.exec(buf.subarray(0, sep).toString('latin1'));
          if (m && buf.length - sep - 4 >= Number(m[1])) sock.destroy();
        }
      });
      sock.on('error', (e) => { writeError = e; });
      sock.on('close', finish);
      const head = [`${method} ${path} HTTP/1.1`, `Host: 127.0.0.1:${this.port}`, 'Connection: close', `Content-Length: ${body.length}`,
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
      sock.write(head);
      // With earlyAnswerMs, give the server that long to answer from the headers alone (as it
      // should for a declared length over the limit) before any body byte is sent.
      let off = 0;
      let started = false;
      const pump = () => {
        started = true;
        if (chunks.length) return;
        while (off < body.length && !sock.destroyed) {
          const more = sock.write(body.subarray(off, off + 65536));
          off += 65536;
          if (!more) return sock.once('drain', pump);
        }
      };
      if (earlyAnswerMs) setTimeout(() => { if (!started) pump(); }, earlyAnswerMs);
      else pump();
    });
  }

  async healthy() {
    const r = await this.api('GET', '/healthz');
    return r.status === 200;
  }

  async login(login, password) {
    const r = await this.api('POST', '/api/v1/auth/login', { body: { login, password } });
    if (r.status !== 200 || typeof r.json?.token !== 'string') {
      throw new Error(`login ${login} failed: ${r.status} ${r.text.slice(0, 300)}`);
    }
    return r.json.token;
  }

  async adminLogin() {
    this.adminToken = await this.login('admin', this.adminPassword);
    return this.adminToken;
  }

  /**
   * Creates a user through POST /api/v1/admin/users and logs in as them. Answers
   * {id, login, password, token, user}. fields are merged into the request body.
   */
  async makeUser(adminToken, login, fields = {}) {
    const password = fields.password || pwOf(login);
    const body = { login, name: fields.name || `試験 ${login}`, password, ...fields };
    const r = await this.api('POST', '/api/v1/admin/users', { token: adminToken || this.adminToken, body });
    if (r.status !== 201 || r.json?.id === undefined) {
      throw new Error(`creating user ${login} failed: ${r.status} ${r.text.slice(0, 300)}`);
    }
    const token = fields.must_change_password ? null : await this.login(login, password);
    return { id: r.json.id, login, password, token, user: r.json };
  }

  async makeRoom(token, name, memberIds = [], extra = {}) {
    const r = await this.api('POST', '/api/v1/rooms', { token, body: { name, member_ids: memberIds, ...extra } });
    if (r.status !== 201 || r.json?.id === undefined) throw new Error(`creating room ${name} failed: ${r.status} ${r.text.slice(0, 300)}`);
    return r.json;
  }

  async send(token, roomId, text, extra = {}) {
    const body = { text, client_msg_id: extra.client_msg_id || uid('c'), ...extra };
    const r = await this.api('POST', `/api/v1/rooms/${roomId}/messages`, { token, body });
    if (r.status !== 201) throw new Error(`send to room ${roomId} failed: ${r.status} ${r.text.slice(0, 300)}`);
    return r.json;
  }

  /** All messages of a room with seq > after, following has_more (pages of `limit`). */
  async history(token, roomId, after = 0, limit = 200) {
    const out = [];
    for (let guard = 0; guard < 10000; guard++) {
      const r = await this.api('GET', `/api/v1/rooms/${roomId}/messages?after=${after}&limit=${limit}`, { token });
      if (r.status !== 200) throw new Error(`history of room ${roomId} after ${after}: ${r.status} ${r.text.slice(0, 300)}`);
      const ms = r.json.messages;
      out.push(...ms);
      if (!r.json.has_more || ms.length === 0) return out;
      after = ms[ms.length - 1].seq;
    }
    throw new Error('history paging did not end');
  }

  /**
   * Opens a WebSocket. opts: origin, cookie, headers, waitHello (default true). Resolves to a
   * WsClient once open (and once `hello` arrived); rejects with err.status set when the upgrade
   * is refused.
   */
  wsConnect(token, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    if (token) headers.authorization = `Bearer ${token}`;
    if (opts.cookie) headers.cookie = opts.cookie;
    const wsOpts = { headers, handshakeTimeout: 5000 * SLOW, rejectUnauthorized: false };
    if (opts.origin) wsOpts.origin = opts.origin;
    const ws = new WebSocket(this.wsBase + (opts.path || '/api/v1/ws'), wsOpts);
    const client = new WsClient(ws);
    const opened = new Promise((ok, fail) => {
      ws.once('open', () => ok());
      ws.once('unexpected-response', (req, res) => {
        const e = new Error(`WebSocket upgrade refused: ${res.statusCode}`);
        e.status = res.statusCode;
        res.resume();
        req.destroy();
        fail(e);
      });
      ws.once('error', (e) => fail(e));
    });
    return withTimeout(opened, 6000 * SLOW, 'the WebSocket to open').then(async () => {
      if (opts.waitHello !== false) await client.next((f) => f.type === 'hello', 3000 * SLOW);
      return client;
    });
  }
}

export class WsClient {
  constructor(ws) {
    this.ws = ws;
    this.frames = [];
    this.nonJson = [];
    this.consumed = new Set();
    this.waiters = [];
    this.closeInfo = null;
    this.closed = new Promise((ok) => ws.once('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
      ok(this.closeInfo);
      for (const w of this.waiters) w.check();
    }));
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      let f;
      try { f = JSON.parse(data.toString('utf8')); } catch { this.nonJson.push({ data, isBinary }); return; }
      if (isBinary) this.nonJson.push({ data, isBinary });
      this.frames.push(f);
      for (const w of [...this.waiters]) w.check();
    });
  }

  /** Matching frames received so far (consumed or not). */
  all(pred = () => true) { return this.frames.filter(pred); }

  /**
   * Waits (bounded) for the first not-yet-returned frame that matches pred, marks it returned
   * and resolves with it. Rejects when the socket closes first or on timeout.
   */
  next(pred = () => true, timeoutMs = 3000) {
    timeoutMs *= SLOW;
    return new Promise((ok, fail) => {
      const w = {
        check: () => {
          for (let i = 0; i < this.frames.length; i++) {
            if (!this.consumed.has(i) && pred(this.frames[i])) {
              this.consumed.add(i);
              done();
              ok(this.frames[i]);
              return;
            }
          }
          if (this.closeInfo) {
            done();
            fail(new Error(`socket closed (${this.closeInfo.code} ${this.closeInfo.reason}) before a matching frame; frames: ${this.summary()}`));
          }
        },
      };
      const timer = setTimeout(() => {
        done();
        fail(new Error(`no matching WebSocket frame within ${timeoutMs} ms; ${pred.toString().slice(0, 200)}; frames: ${this.summary()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((x) => x !== w);
      };
      this.waiters.push(w);
      w.check();
    });
  }

  summary() {
    return JSON.stringify(this.frames.slice(-12).map((f) => ({ type: f.type, room_id: f.room_id, user_id: f.user_id, seq: f.seq ?? f.message?.seq }))) + ` (${this.frames.length} total)`;
  }

  send(obj) { this.ws.send(typeof obj === 'string' || Buffer.isBuffer(obj) ? obj : JSON.stringify(obj)); }

  /** Closes and waits (bounded) for the close to complete. */
  async close() {
    if (this.closeInfo) return this.closeInfo;
    try { this.ws.close(1000); } catch {}
    try {
      return await withTimeout(this.closed, 3000 * SLOW, 'the WebSocket to close');
    } catch {
      this.ws.terminate();
      return this.closed;
    }
  }
}

/**
 * Runs `kairan admin ARGS…` on a data directory (and, under KAIRAN_TEST_PG, that directory's
 * database). opts: dataDir (required), env, timeout. Answers {code, signal, stdout, stderr}.
 */
export function runAdmin(args, opts = {}) {
  if (!opts.dataDir) throw new Error('runAdmin needs opts.dataDir');
  const timeout = (opts.timeout || 30000) * SLOW;
  return new Promise((ok, fail) => {
    const p = spawn(BIN, ['admin', ...args], {
      env: { ...process.env, KAIRAN_DATA: opts.dataDir, KAIRAN_ARGON2_OPS: '1', KAIRAN_ARGON2_MEM_KIB: '8', ...pgStoreEnv(opts.dataDir), ...(opts.env || {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      fail(new Error(`kairan admin ${args.join(' ')} did not finish within ${timeout} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeout);
    p.once('error', (e) => { clearTimeout(timer); fail(e); });
    p.once('exit', (code, signal) => { clearTimeout(timer); ok({ code, signal, stdout, stderr }); });
  });
}

/** True when the object is {"error":{"code":string,"message":string}}. */
export function isError(json, code) {
  return !!json && typeof json.error === 'object' && json.error !== null &&
    typeof json.error.code === 'string' && typeof json.error.message === 'string' &&
    json.error.message.length > 0 && (code === undefined || json.error.code === code);
}

/**
 * Wraps a test body so that a failure carries the tail of each server's output.
 * Usage: const it2 = serverTest(() => [srv]); it2('name', async () => {...}).
 */
export function withServerLogs(getServers, fn) {
  return async (...a) => {
    try {
      return await fn(...a);
    } catch (e) {
      const list = (getServers() || []).filter(Boolean);
      const logs = list.map((s, i) => `--- server ${i} (${s.base}, data ${s.dataDir}) output ---\n${s.brief()}`).join('\n');
      if (e && typeof e === 'object' && logs) {
        try { e.message = `${e.message}\n${logs}`; } catch {}
      }
      throw e;
    }
  };
}

/** Asserts an error answer: status (a number or a list), the error shape and, if given, the code. */
export function assertError(r, status, code, what = '') {
  const ok = Array.isArray(status) ? status.includes(r.status) : r.status === status;
  if (!ok) throw new assertFail(`${what}: expected status ${status}, got ${r.status} ${show(r)}`);
  if (!isError(r.json)) throw new assertFail(`${what}: expected {"error":{"code","message"}}, got ${r.status} ${show(r)}`);
  if (code !== undefined) {
    const codes = Array.isArray(code) ? code : [code];
    if (!codes.includes(r.json.error.code)) throw new assertFail(`${what}: expected error code ${codes.join('|')}, got ${r.json.error.code} (${r.text.slice(0, 200)})`);
  }
  return r;
}
/** A short printable form of an answer's body for failure messages. */
function show(r, n = 300) {
  const t = r.headers?.['content-type'] || '';
  if (r.json || /json|text/.test(t)) return r.text.slice(0, n);
  return `<${r.body ? r.body.length : r.text.length} bytes of ${t || 'unknown type'}>`;
}
class assertFail extends Error { constructor(m) { super(m); this.name = 'AssertionError'; } }

/** Asserts a status (number or list) and answers r; the message carries the body. */
export function assertStatus(r, status, what = '') {
  const ok = Array.isArray(status) ? status.includes(r.status) : r.status === status;
  if (!ok) throw new assertFail(`${what}: expected status ${status}, got ${r.status} ${show(r, 400)}`);
  return r;
}

/**
 * Registers before/after hooks (node:test) that start one server (opts as for Server, plus
 * admin: false to skip the admin login) and stop it; answers {ctx, T} where ctx.srv is the
 * server and T(name, fn, opts) is `it` with server logs attached to failures.
 */
export function useServer(hooks, opts = {}) {
  // ctx.beforeStop: functions run (in order) before the server stops, e.g. final checks.
  // Root-level before hooks run concurrently in node:test (Node 20): a file's own top-level
  // before must `await ctx.ready` first.
  const ctx = { srv: null, more: [], beforeStop: [] };
  let ready;
  ctx.ready = new Promise((ok, fail) => { ready = { ok, fail }; });
  ctx.ready.catch(() => {});
  hooks.before(async () => {
    try {
      const srv = new Server(opts);
      await srv.start();
      ctx.srv = srv;
      if (opts.admin !== false) await ctx.srv.adminLogin();
      ready.ok(ctx.srv);
    } catch (e) {
      ready.fail(e);
      throw e;
    }
  });
  hooks.after(async () => {
    let err = null;
    for (const f of ctx.beforeStop) {
      try { await f(); } catch (e) { err = err || e; }
    }
    if (ctx.srv) {
      try { await ctx.srv.stop(); } catch (e) { err = err || e; }
    }
    if (err) throw err;
  });
  const T = (name, fn, o = {}) => hooks.it(name, { timeout: 60000 * SLOW, ...o }, withServerLogs(() => [ctx.srv, ...(ctx.more || [])], fn));
  return { ctx, T };
}
