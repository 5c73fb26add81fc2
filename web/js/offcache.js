// R17: the offline copy of recent messages on a staff phone. Off unless the city allows it
// (phone_offline_cache_hours > 0); then the phone keeps, encrypted in IndexedDB, the recent
// messages of the rooms the user opened and the room list's summaries, so they can be read
// where there is no signal.
//
// The copy is written while the app runs, also without the PIN (a start within the lock time
// does not ask for it), yet only the PIN opens it:
//  - a device key pair (ECDH P-256) is made when the PIN is chosen or entered; its private
//    key is wrapped (AES-GCM) under a key derived from the PIN (PBKDF2-SHA-256, its own salt,
//    600,000 rounds) and then forgotten. Only the public key and the wrapped private key are
//    stored.
//  - each run of the app makes a one-time ECDH key pair; ECDH with the device's public key,
//    then HKDF-SHA-256, gives the run's AES-GCM key (non-extractable, in memory only). Each
//    record holds the run's public key, a fresh IV and the ciphertext; the record's name and
//    the user id are bound to it as additional data.
//  - reading unwraps the private key with the PIN (non-extractable), derives each run's key
//    again and decrypts.
// In clear in IndexedDB: record names (rooms, room:ID), the time each was written, public
// keys, salts and IVs. No message text, room name or person's name.
import { S, on, roomName } from './store.js';

const DB = 'kairan-offline';
const INFO = new TextEncoder().encode('kairan offline copy 1');
const ITER = 600000;
const MAX_ROOMS = 100; // summaries kept for the room list
const SAVE_AFTER = 1500; // ms: changes in a burst are written once
const mark = (uid) => 'kairan.offline.' + uid;
const enc = (s) => new TextEncoder().encode(s);
const rand = (n) => crypto.getRandomValues(new Uint8Array(n));

let db = null, cfg = null, seal = null, stopped = true, running = false;
const timers = new Map(), unsub = [];

// ---- IndexedDB, two object stores: meta (the device key) and rec (the sealed records).
function openDb() {
  if (db) return Promise.resolve(db);
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => { r.result.createObjectStore('meta'); r.result.createObjectStore('rec'); };
    r.onsuccess = () => {
      db = r.result;
      // A wipe (deleteDatabase) must not wait for this connection.
      db.onversionchange = () => { db?.close(); db = null; };
      resolve(db);
    };
    r.onerror = () => reject(r.error);
  });
}
async function req(store, mode, fn) {
  const d = await openDb();
  return new Promise((resolve, reject) => {
    const tx = d.transaction(store, mode);
    const r = fn(tx.objectStore(store));
    tx.oncomplete = () => resolve(r?.result);
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

// ---- keys
async function pinKey(pin, salt, iter) {
  const base = await crypto.subtle.importKey('raw', enc(pin), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: iter }, base,
    { name: 'AES-GCM', length: 256 }, false, ['wrapKey', 'unwrapKey']);
}
async function runKey(bits, epk) {
  const ikm = await crypto.subtle.importKey('raw', bits, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: epk, info: INFO }, ikm,
    { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}
const importPub = (raw) => crypto.subtle.importKey('raw', raw, { name: 'ECDH', namedCurve: 'P-256' }, false, []);

async function makeDevice(uid, pin) {
  const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
  const salt = rand(16), iv = rand(12);
  const wrapped = await crypto.subtle.wrapKey('pkcs8', pair.privateKey, await pinKey(pin, salt, ITER),
    { name: 'AES-GCM', iv, additionalData: enc('device ' + uid) });
  return { uid, salt, iter: ITER, iv, wrapped, pub: await crypto.subtle.exportKey('raw', pair.publicKey) };
}
async function sealer(dev) {
  const eph = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
  const epk = new Uint8Array(await crypto.subtle.exportKey('raw', eph.publicKey));
  const bits = await crypto.subtle.deriveBits({ name: 'ECDH', public: await importPub(dev.pub) }, eph.privateKey, 256);
  return { key: await runKey(bits, epk), epk };
}

// ---- what is kept: recent messages only, at most cfg.max a room.
const cutoff = (hours) => Date.now() - hours * 3600000;
const recent = (m, hours) => m && !m.deleted && Date.parse(m.created_at) >= cutoff(hours);
function slim(m) {
  return { seq: m.seq, sender: { id: m.sender.id, name: m.sender.name }, created_at: m.created_at, text: m.text ?? null,
    stamp: !!m.stamp, files: (m.files || []).map((f) => ({ name: f.name, size: f.size })), urgent: !!m.urgent };
}
function roomSummary(r) {
  const last = recent(r.last_message, cfg.hours) ? slim(r.last_message) : null;
  return { id: r.id, kind: r.kind, name: roomName(r), at: r.last_activity_at || r.created_at || '', unread: r.unread || 0, last };
}
function snapshot(k) {
  if (k === 'rooms') {
    return [...S.rooms.values()].filter((r) => !r.archived).map(roomSummary)
      .sort((a, b) => b.at.localeCompare(a.at)).slice(0, MAX_ROOMS);
  }
  const id = Number(k.slice(5)), r = S.rooms.get(id), t = S.tl.get(id);
  if (!r || !t?.loaded) return null;
  return { room: roomSummary(r), msgs: t.msgs.filter((m) => recent(m, cfg.hours)).slice(-cfg.max).map(slim) };
}

async function save(k) {
  timers.delete(k);
  if (stopped || !seal) return;
  if (k === 'rooms' && S.rooms.size === 0) return; // the list did not load: keep the last copy
  const v = snapshot(k);
  if (v == null) { // a room left or gone: its copy goes too
    if (k.startsWith('room:') && !S.rooms.has(Number(k.slice(5)))) await req('rec', 'readwrite', (s) => s.delete(k));
    return;
  }
  if (k === 'rooms') { // and so do the copies of rooms no longer in the list
    const gone = (await req('rec', 'readonly', (s) => s.getAllKeys())).filter((x) => x.startsWith('room:') && !S.rooms.has(Number(x.slice(5))));
    if (gone.length && !stopped) await req('rec', 'readwrite', (s) => { for (const x of gone) s.delete(x); });
  }
  const iv = rand(12), uid = cfg.uid;
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: enc(uid + '/' + k) }, seal.key, enc(JSON.stringify(v)));
  if (stopped || !seal) return; // wiped meanwhile: write nothing
  await req('rec', 'readwrite', (s) => s.put({ at: Date.now(), epk: seal.epk, iv, ct }, k));
}
function later(k) {
  if (stopped || timers.has(k)) return;
  timers.set(k, setTimeout(() => save(k).catch(() => {}), SAVE_AFTER));
}
// Records not written for longer than the city allows are dropped.
async function prune(hours) {
  const old = cutoff(hours);
  await req('rec', 'readwrite', (s) => {
    const c = s.openCursor();
    c.onsuccess = () => { const cur = c.result; if (!cur) return; if (!(cur.value.at >= old)) cur.delete(); cur.continue(); };
    return c;
  });
}

async function start(dev) {
  if (running || stopped) return;
  running = true;
  const run = await sealer(dev);
  if (stopped) return; // wiped while the key was being made
  seal = run;
  localStorage.setItem(mark(cfg.uid), JSON.stringify({ h: cfg.hours, m: cfg.max }));
  unsub.push(on('rooms', () => later('rooms')), on('tl', (id) => { if (S.tl.get(id)?.loaded) later('room:' + id); }));
  const tick = setInterval(() => prune(cfg.hours).catch(() => {}), 10 * 60000);
  unsub.push(() => clearInterval(tick));
  await prune(cfg.hours);
  later('rooms');
  for (const [id, t] of S.tl) if (t.loaded) later('room:' + id);
}

/*
 * At each start, with the city's settings (the app sees them only at start): off deletes the
 * copy; on keeps it, and starts writing once a device key exists. `pin` is the PIN when this
 * start asked for it (setup or unlock); without it, the key is made at the next unlock.
 */
export async function configure(uid, settings, pin) {
  const hours = Number(settings.phone_offline_cache_hours) || 0;
  if (hours <= 0) return dropCopy();
  stopped = false;
  cfg = { uid, hours: Math.min(72, hours), max: Math.min(200, Math.max(10, Number(settings.phone_offline_cache_messages) || 50)) };
  let dev = await req('meta', 'readonly', (s) => s.get('device'));
  if (dev && dev.uid !== uid) { await dropCopy(); stopped = false; dev = null; }
  if (!dev) return pin ? pinEntered(pin) : undefined;
  await start(dev);
}

// The PIN was entered (setup or unlock): the device key is made if the copy is allowed and
// there is none yet.
export async function pinEntered(pin) {
  if (stopped || running || !cfg) return;
  let dev = await req('meta', 'readonly', (s) => s.get('device'));
  if (!dev) {
    dev = await makeDevice(cfg.uid, pin);
    if (stopped) return;
    await req('meta', 'readwrite', (s) => s.put(dev, 'device'));
  }
  await start(dev);
}

// The user whose copy this phone holds, if any (known without the network).
export function copyOwner() {
  for (const k of Object.keys(localStorage)) if (k.startsWith('kairan.offline.')) return Number(k.slice(15)) || null;
  return null;
}

/*
 * Opens the copy with the PIN: { at, rooms: [summary], room(id) → { room, msgs } } or null
 * when the PIN does not open it. Records and messages past the allowed hours are left out
 * (and records deleted). The decrypted data live only in what is returned.
 */
export async function openCopy(uid, pin) {
  let set;
  try { set = JSON.parse(localStorage.getItem(mark(uid))); } catch { return null; }
  if (!set) return null;
  const dev = await req('meta', 'readonly', (s) => s.get('device')).catch(() => null);
  if (!dev || dev.uid !== uid) return null;
  let priv;
  try {
    priv = await crypto.subtle.unwrapKey('pkcs8', dev.wrapped, await pinKey(pin, dev.salt, dev.iter),
      { name: 'AES-GCM', iv: dev.iv, additionalData: enc('device ' + uid) }, { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
  } catch { return null; }
  await prune(set.h).catch(() => {});
  const keys = await req('rec', 'readonly', (s) => s.getAllKeys());
  const vals = await req('rec', 'readonly', (s) => s.getAll());
  const runs = new Map(), out = { at: 0, rooms: [], rooms_of: new Map() };
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i], r = vals[i], id = [...r.epk].join(',');
    try {
      if (!runs.has(id)) runs.set(id, await runKey(await crypto.subtle.deriveBits({ name: 'ECDH', public: await importPub(r.epk) }, priv, 256), r.epk));
      const v = JSON.parse(new TextDecoder().decode(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: r.iv, additionalData: enc(uid + '/' + k) }, runs.get(id), r.ct)));
      out.at = Math.max(out.at, r.at);
      if (k === 'rooms') out.rooms = v;
      else out.rooms_of.set(v.room.id, v);
    } catch { /* a damaged record is skipped */ }
  }
  const keep = (m) => m && Date.parse(m.created_at) >= cutoff(set.h);
  for (const r of out.rooms) if (!keep(r.last)) r.last = null;
  for (const v of out.rooms_of.values()) v.msgs = v.msgs.filter(keep);
  // Rooms opened but missing from the summaries (written in another order) still show.
  for (const v of out.rooms_of.values()) if (!out.rooms.some((r) => r.id === v.room.id)) out.rooms.push(v.room);
  return out;
}

// Stops writing at once (before a wipe deletes the database).
export function stopCopy() {
  stopped = true; running = false; seal = null;
  for (const t of timers.values()) clearTimeout(t);
  timers.clear();
  while (unsub.length) unsub.pop()();
  db?.close(); db = null;
}

// Deletes the whole copy: on sign-out, account lock, a new or forgotten PIN, the setting off.
export async function dropCopy() {
  stopCopy();
  for (const k of Object.keys(localStorage)) if (k.startsWith('kairan.offline.')) localStorage.removeItem(k);
  await new Promise((resolve) => {
    const r = indexedDB.deleteDatabase(DB);
    r.onsuccess = r.onerror = r.onblocked = () => resolve();
  });
}
