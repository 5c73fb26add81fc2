// A real OpenLDAP slapd for the directory-sync tests: Debian's slapd and ldap-utils, run as an
// ordinary process in a temporary directory on a loopback port (no system service, no root
// configuration touched), with the schemas staff entries need.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './harness.mjs';

export const BASE = 'dc=city,dc=example,dc=jp';
const ROOT_DN = `cn=admin,${BASE}`;
const ROOT_PW = 'ldap-test-secret';

const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');
/** One LDIF attribute line, base64 when the value is not plain ASCII (as LDIF requires). */
export const line = (name, value) => (/^[\x20-\x7e]*$/.test(value) && !/^[ :<]/.test(value) ? `${name}: ${value}` : `${name}:: ${b64(value)}`);

export class Slapd {
  async start() {
    this.dir = mkdtempSync(join(tmpdir(), 'kairan-slapd-'));
    mkdirSync(join(this.dir, 'db'));
    this.port = await freePort();
    this.uri = `ldap://127.0.0.1:${this.port}`;
    writeFileSync(join(this.dir, 'slapd.conf'), [
      'include /etc/ldap/schema/core.schema', 'include /etc/ldap/schema/cosine.schema',
      'include /etc/ldap/schema/inetorgperson.schema', 'modulepath /usr/lib/ldap', 'moduleload back_mdb',
      `pidfile ${join(this.dir, 'slapd.pid')}`, 'sizelimit unlimited',
      'database mdb', `suffix "${BASE}"`, `rootdn "${ROOT_DN}"`, `rootpw ${ROOT_PW}`, `directory ${join(this.dir, 'db')}`,
      'maxsize 104857600', 'access to * by * read', '',
    ].join('\n'));
    this.proc = spawn('/usr/sbin/slapd', ['-f', join(this.dir, 'slapd.conf'), '-h', `${this.uri}/`, '-d', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.log = '';
    this.proc.stderr.on('data', (d) => { this.log += d; });
    this.proc.stdout.on('data', (d) => { this.log += d; });
    await waitFor(() => { try { this.search('', '(objectClass=*)', 'base'); return true; } catch { return false; } }, 15000, `slapd on ${this.uri}\n${this.log}`);
    this.passwordFile = join(this.dir, 'bind-password');
    writeFileSync(this.passwordFile, ROOT_PW + '\n', { mode: 0o600 });
    this.bindDn = ROOT_DN;
    return this;
  }

  search(base, filter, scope = 'sub') {
    return execFileSync('ldapsearch', ['-x', '-LLL', '-H', this.uri, '-b', base, '-s', scope, filter], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Applies LDIF with ldapmodify (-a adds entries given without a changetype). */
  modify(ldif, add = false) {
    execFileSync('ldapmodify', ['-x', '-H', this.uri, '-D', ROOT_DN, '-w', ROOT_PW, ...(add ? ['-a'] : [])], { input: ldif, stdio: ['pipe', 'pipe', 'pipe'] });
  }

  /** The environment that points `kairan admin ldap sync` at this directory. */
  env(extra = {}) {
    return {
      KAIRAN_LDAP_URI: this.uri, KAIRAN_LDAP_BASE: `ou=職員,${BASE}`, KAIRAN_LDAP_BIND_DN: this.bindDn,
      KAIRAN_LDAP_BIND_PASSWORD_FILE: this.passwordFile, KAIRAN_LDAP_ATTR_KANA: 'displayName', KAIRAN_LDAP_ATTR_EXTENSION: 'pager',
      ...extra,
    };
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null) {
      const done = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGTERM');
      await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
      if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
