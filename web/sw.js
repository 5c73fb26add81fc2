// The installed app's service worker. It keeps the application shell — code, styles, icons,
// stamps and fonts — so the app opens at once and can say that it is offline. It never keeps
// an API answer, a file or any message (R17): everything under /api/ goes to the network only.
//
// Shell files are served from the cache without asking the network (on a slow line every
// request costs a round trip). At each start the page reports the files it loaded, and the
// worker keeps any it lacks at once (so the next start works offline); at most once an hour,
// a few seconds later, it revalidates the whole shell, and the server answers an
// unchanged file with 304, so keeping current costs only headers (R22). A new version of
// Kairan is therefore in use from the second start after it was installed.
const CACHE = 'kairan-shell-1';
const CORE = ['/', '/app.css', '/js/app.js', '/manifest.webmanifest', '/icons/icon.svg', '/icons/icon-192.png', '/favicon.svg'];
const SHELL = /\.(js|css|svg|png|woff2|webmanifest)$/;
const CHECK_EVERY = 60 * 60 * 1000;
const CHECKED = '/.shell-checked'; // a note in the cache: when the shell was last revalidated
let wiped = false; // the device was signed out: keep nothing more until the next install

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then(async (c) => {
    await c.addAll(CORE);
    await c.put(CHECKED, new Response(String(Date.now())));
  }).then(() => self.skipWaiting()));
});
self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys().then((ks) => Promise.all(ks.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

function isShell(url) {
  return url.origin === self.location.origin && !url.pathname.startsWith('/api/') && url.pathname !== '/sw.js' &&
    (url.pathname === '/' || SHELL.test(url.pathname));
}

async function fromCache(key) {
  if (!wiped) {
    const hit = await caches.match(key, { cacheName: CACHE });
    if (hit) return hit;
  }
  const res = await fetch(key, { credentials: 'same-origin' });
  if (res.ok && res.type === 'basic' && !wiped) {
    const copy = res.clone();
    caches.open(CACHE).then((c) => c.put(key, copy)).catch(() => {});
  }
  return res;
}

self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  // Every page of the single-page client is index.html (deep links); nothing else is kept.
  const app = !url.pathname.startsWith('/api/') && url.pathname !== '/healthz' && url.pathname !== '/metrics';
  if (req.mode === 'navigate' && url.origin === self.location.origin && app) {
    e.respondWith(fromCache('/'));
    return;
  }
  if (isShell(url)) e.respondWith(fromCache(url.pathname));
});

// The page reports the shell files it loaded (its modules), so they are kept without a list
// here that would have to follow every new module; then the shell is revalidated if due.
async function keepShell(urls) {
  const c = await caches.open(CACHE);
  for (const u of urls) if (!wiped && !await c.match(u)) await c.add(u).catch(() => {});
  const at = Number(await (await c.match(CHECKED))?.text() || 0);
  if (wiped || Date.now() - at < CHECK_EVERY) return;
  await c.put(CHECKED, new Response(String(Date.now())));
  await new Promise((r) => setTimeout(r, 3000)); // after the start's own requests
  for (const req of await c.keys()) {
    const path = new URL(req.url).pathname;
    if (path === CHECKED || wiped) continue;
    const res = await fetch(path, { cache: 'no-cache', credentials: 'same-origin' }).catch(() => null);
    if (res?.ok && res.type === 'basic' && !wiped) await c.put(path, res);
  }
}

self.addEventListener('message', (e) => {
  if (e.data?.type === 'wipe') {
    wiped = true;
    e.waitUntil(caches.keys().then((ks) => Promise.all(ks.map((k) => caches.delete(k)))));
    return;
  }
  if (wiped || e.data?.type !== 'shell' || !Array.isArray(e.data.urls)) return;
  const urls = e.data.urls.map((u) => new URL(u, self.location.origin)).filter(isShell).map((u) => u.pathname).slice(0, 200);
  e.waitUntil(keepShell(urls));
});

// Web Push (R22, only when the city turns it on): the payload never holds message text, only
// 「新着メッセージがあります」; tapping the notification opens the app.
self.addEventListener('push', (e) => {
  let p = { title: '回覧', body: '新着メッセージがあります' };
  try { p = { ...p, ...e.data.json() }; } catch { /* the default text */ }
  e.waitUntil(self.clients.matchAll({ type: 'window' }).then((wins) => {
    // An app on screen shows new messages itself.
    if (wins.some((w) => w.visibilityState === 'visible')) return undefined;
    return self.registration.showNotification(p.title, { body: p.body, icon: '/icons/icon-192.png', tag: 'kairan-new' });
  }));
});

self.addEventListener('notificationclick', (e) => {
  e.notification.close();
  e.waitUntil(self.clients.matchAll({ type: 'window' }).then((wins) => (wins[0] ? wins[0].focus() : self.clients.openWindow('/'))));
});
