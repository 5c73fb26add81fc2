// Staff phones (R17–R22): the installed app's service worker, the offline and signed-out
// screens, the app lock with a PIN, and the size above which a file asks before it downloads.
//
// The PIN never leaves the phone and is kept only as a salted PBKDF2 hash (WebCrypto). It
// guards a live session left on a desk; the server's idle timeout and absolute lifetime for
// phone sessions (phone_idle_minutes, phone_max_hours) end the session itself.
import { h, clear } from './dom.js';
import { t } from './i18n.js';
import { stopCopy } from './offcache.js';

export const isPhone = /Android|iPhone|iPad|Mobile/.test(navigator.userAgent) || matchMedia('(display-mode: standalone)').matches;

// ---- the service worker (secure contexts only: https, or the loopback address)
export function registerWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).then(() => navigator.serviceWorker.ready).then((reg) => {
    // Hand the worker the shell files this start loaded (every module), so it keeps them all.
    const urls = performance.getEntriesByType('resource').map((e) => e.name).concat(location.origin + '/');
    reg.active?.postMessage({ type: 'shell', urls });
  }).catch(() => { /* the app works without it, only not offline */ });
}

// ---- wiping the device (R21): Cache Storage, IndexedDB and everything Kairan put in storage.
// After a timed-out session the user's own choices (the PIN hash, the download size) stay.
export async function wipe(keepPrefs = false) {
  stopCopy(); // the offline copy of messages (R17) writes nothing more; its database goes below
  try {
    // The worker stops keeping files and goes; the next login installs it afresh.
    navigator.serviceWorker?.controller?.postMessage({ type: 'wipe' });
    for (const r of (await navigator.serviceWorker?.getRegistrations()) || []) await r.unregister();
  } catch { /* no service worker */ }
  try { for (const k of await caches.keys()) await caches.delete(k); } catch { /* no Cache Storage */ }
  try {
    for (const d of (await indexedDB.databases?.()) || []) if (d.name) indexedDB.deleteDatabase(d.name);
  } catch { /* no IndexedDB */ }
  const keep = (k) => k === 'kairan.lang' || (keepPrefs && /^kairan\.(pin|passkey|askover)\./.test(k));
  for (const k of Object.keys(localStorage)) if (k.startsWith('kairan.') && !keep(k)) localStorage.removeItem(k);
  sessionStorage.clear();
}

function screen(root, title, text, button, action, cls = '', extra = null) {
  const btn = h('button.btn.primary', { type: 'button', onclick: action }, button);
  clear(root, h('main.login-wrap' + cls, null, h('div.card.login.notice', { role: 'alert' },
    h('div.logo', null, h('img', { src: '/icons/icon.svg', alt: '', width: 48, height: 48 }), h('h1', null, title)),
    h('p', null, text), btn, extra)));
  btn.focus();
}

// The device was signed out (account lock, sign-out from another device, a timed-out phone
// session): nothing of the old session stays on it.
export async function signedOut(root, reason, toLogin) {
  for (const d of document.querySelectorAll('dialog, .watermark')) d.remove();
  await wipe(reason === 'expired');
  document.title = t('app');
  const text = reason === 'expired' ? t('soExpired') : reason === 'pin' ? t('soPin') : t('soRevoked');
  screen(root, t('soTitle'), text, t('toLogin'), toLogin, '.signed-out');
}

// `read`, when this phone holds an offline copy of messages (R17): a way to it, behind the PIN.
export function offlineView(root, retry, read = null) {
  screen(root, t('offlineTitle'), t('offlineText'), t('tryAgain'), retry, '.offline',
    read ? h('button.btn.offline-read', { type: 'button', onclick: read }, t('offlineRead')) : null);
}

// ---- the PIN
const b64 = (u8) => btoa(String.fromCharCode(...u8));
const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const ITER = 200000;
async function derive(pin, salt, iter) {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: iter }, key, 256));
}
const pinKey = (uid) => 'kairan.pin.' + uid;
export const hasPin = (uid) => !!localStorage.getItem(pinKey(uid));
async function setPin(uid, pin) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  localStorage.setItem(pinKey(uid), JSON.stringify({ s: b64(salt), h: b64(await derive(pin, salt, ITER)), i: ITER }));
}
export async function pinOk(uid, pin) {
  let rec;
  try { rec = JSON.parse(localStorage.getItem(pinKey(uid))); } catch { return false; }
  if (!rec) return false;
  const got = await derive(pin, unb64(rec.s), rec.i), want = unb64(rec.h);
  let d = got.length ^ want.length;
  for (let i = 0; i < got.length && i < want.length; i++) d |= got[i] ^ want[i];
  return d === 0;
}
export const MAX_FAIL = 5;

export function pinInput(label, name) {
  return h('label', null, label, h('input', { type: 'password', name, inputmode: 'numeric', pattern: '[0-9]{4,8}', minLength: 4, maxLength: 8,
    required: true, autocomplete: 'off' }));
}

// ---- the phone's own screen lock (WebAuthn, a platform authenticator with user verification)
// as another way to unlock: fingerprint or face instead of the PIN. Only the credential's id is
// kept; like the PIN it guards the screen of a live session, nothing stored.
const keyKey = (uid) => 'kairan.passkey.' + uid;
export const hasDeviceLock = (uid) => !!localStorage.getItem(keyKey(uid)) && 'credentials' in navigator;
async function deviceLockAvailable() {
  try { return !!window.PublicKeyCredential && await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable(); } catch { return false; }
}
async function enrolDeviceLock(me) {
  const cred = await navigator.credentials.create({ publicKey: {
    rp: { name: t('app') }, challenge: crypto.getRandomValues(new Uint8Array(32)),
    user: { id: crypto.getRandomValues(new Uint8Array(16)), name: me.login || String(me.id), displayName: me.name || '' },
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }, { type: 'public-key', alg: -257 }],
    authenticatorSelection: { authenticatorAttachment: 'platform', userVerification: 'required', residentKey: 'discouraged' },
    timeout: 60000, attestation: 'none',
  } });
  localStorage.setItem(keyKey(me.id), b64(new Uint8Array(cred.rawId)));
}
async function deviceUnlock(uid) {
  const id = unb64(localStorage.getItem(keyKey(uid)));
  const a = await navigator.credentials.get({ publicKey: { challenge: crypto.getRandomValues(new Uint8Array(32)),
    allowCredentials: [{ type: 'public-key', id }], userVerification: 'required', timeout: 60000 } });
  return !!a && a.response.authenticatorData.byteLength >= 37 && (new Uint8Array(a.response.authenticatorData)[32] & 0x04) !== 0; // UV flag
}

// First start on a phone: choose the PIN (and, where the phone offers it, its own screen lock),
// and read the guide's rule on screenshots (R18) once.
export function pinSetup(root, me) {
  const uid = me.id;
  return new Promise((done) => {
    const err = h('p.error', { role: 'alert' });
    const dev = h('label.check', { hidden: true }, h('input', { type: 'checkbox', name: 'dev', checked: true }), t('devLockOffer'));
    const f = h('form.card.login.pin-setup', null, h('h1', null, t('pinSetTitle')),
      h('p', null, t('pinSetText')), pinInput(t('pinNew'), 'p1'), pinInput(t('pinAgain'), 'p2'), dev,
      h('p.rule', { role: 'note' }, t('ruleScreenshot')), err, h('button.btn.primary', { type: 'submit' }, t('pinSave')));
    deviceLockAvailable().then((ok) => { dev.hidden = !ok; });
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!/^[0-9]{4,8}$/.test(f.p1.value)) { err.textContent = t('pinBad'); return; }
      if (f.p1.value !== f.p2.value) { err.textContent = t('pinMismatch'); return; }
      await setPin(uid, f.p1.value);
      if (!dev.hidden && f.dev.checked) await enrolDeviceLock(me).catch(() => { /* the PIN alone, then */ });
      localStorage.setItem('kairan.seen.' + uid, String(Date.now()));
      clear(root); done(f.p1.value); // the caller may make the offline copy's key with it
    });
    clear(root, h('main.login-wrap', null, f));
    f.p1.focus();
  });
}

/*
 * The app lock. After `minutes` in the background (0: as soon as the app is left), or as long
 * in front without a touch, the app's content is taken out of the page — not covered — and
 * only the PIN brings it back. Five wrong PINs sign the device out. The time the app was left is kept in localStorage, so a
 * phone that closed the app in the background asks for the PIN at the next start too.
 */
export function appLock(root, uid, minutes, { onFail, isOpen, onPin = () => {} }) {
  const seenKey = 'kairan.seen.' + uid, failKey = 'kairan.pinfail.' + uid;
  const ms = Math.max(0, minutes) * 60000;
  let held = null;
  const stale = () => { const at = Number(localStorage.getItem(seenKey) || 0); return !at || Date.now() - at >= ms; };
  const mark = () => localStorage.setItem(seenKey, String(Date.now()));

  function lock() {
    if (held) return;
    for (const d of document.querySelectorAll('dialog')) d.remove();
    held = [...root.childNodes];
    document.documentElement.dataset.locked = '1'; // nothing counts as read while locked
    const err = h('p.error', { role: 'alert' });
    const f = h('form.card.login.pin-lock', null,
      h('div.logo', null, h('img', { src: '/icons/icon.svg', alt: '', width: 48, height: 48 }), h('h1', null, t('app'))),
      h('p', null, t('pinLocked')), pinInput(t('pin'), 'pin'), err,
      h('button.btn.primary', { type: 'submit' }, t('unlock')),
      hasDeviceLock(uid) ? h('button.btn.device-unlock', { type: 'button', onclick: async () => {
        if (await deviceUnlock(uid).catch(() => false)) { localStorage.removeItem(failKey); unlock(); } else err.textContent = t('devLockFail');
      } }, t('devLockUse')) : null,
      h('button.btn.ghost', { type: 'button', onclick: () => onFail('logout') }, t('pinForgot')));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      const btn = f.querySelector('[type=submit]');
      btn.disabled = true;
      const ok = await pinOk(uid, f.pin.value);
      btn.disabled = false;
      if (ok) { localStorage.removeItem(failKey); onPin(f.pin.value); unlock(); return; }
      const n = Number(localStorage.getItem(failKey) || 0) + 1;
      localStorage.setItem(failKey, String(n));
      if (n >= MAX_FAIL) { onFail('pin'); return; }
      err.textContent = t('pinWrong', MAX_FAIL - n);
      f.pin.value = ''; f.pin.focus();
    });
    clear(root, h('main.login-wrap.locked', null, f));
    document.title = t('app');
    f.pin.focus();
  }
  function unlock() {
    if (!held) return;
    root.replaceChildren(...held);
    held = null;
    delete document.documentElement.dataset.locked;
    mark();
    document.dispatchEvent(new Event('kairan-unlocked'));
  }
  document.addEventListener('visibilitychange', () => {
    if (!isOpen()) return;
    if (document.hidden) { if (!held) mark(); if (ms === 0) lock(); } else if (!held && stale()) lock();
  });
  addEventListener('pagehide', () => { if (!held && isOpen()) mark(); });
  // An app left open on a desk locks too: after the same time without a touch or a key.
  let touched = Date.now();
  for (const ev of ['pointerdown', 'keydown']) addEventListener(ev, () => { touched = Date.now(); }, { capture: true, passive: true });
  setInterval(() => {
    if (held || document.hidden || !isOpen()) return;
    if (ms > 0 && Date.now() - touched >= ms) { lock(); return; }
    mark(); // keep the time fresh, so a cold start after a crash still counts
  }, 15000);
  return { lock, locked: () => !!held, due: () => stale(), mark };
}

// ---- large files (R22): the size above which a download asks first, chosen by the user.
const bigKey = (uid) => 'kairan.askover.' + uid;
export function askOverBytes(uid) {
  const v = localStorage.getItem(bigKey(uid));
  if (v != null) return Number(v) * 1048576;
  return isPhone ? 1048576 : 0; // phones ask above 1 MB until the user says otherwise
}
export function setAskOver(uid, mb) { localStorage.setItem(bigKey(uid), String(mb)); }
export const askOverMb = (uid) => askOverBytes(uid) / 1048576;

// ---- Web Push (R22): when the city turned it on and the person allowed notifications, this
// device subscribes with the server's key; the subscription ends with the session.
export async function subscribePush(settings) {
  if (!settings?.web_push || !('serviceWorker' in navigator) || !('PushManager' in window)) return false;
  if (!('Notification' in window) || Notification.permission !== 'granted') return false;
  try {
    const { get, post } = await import('./api.js');
    const { public_key: key } = await get('/push/key');
    const reg = await navigator.serviceWorker.ready;
    const raw = Uint8Array.from(atob(key.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: raw });
    const j = sub.toJSON();
    await post('/me/push', { endpoint: j.endpoint, keys: { p256dh: j.keys.p256dh, auth: j.keys.auth } });
    return true;
  } catch {
    return false; // a closed network cannot reach the push service: live messages still arrive over the socket
  }
}
