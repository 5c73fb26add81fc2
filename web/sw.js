// The installed app's service worker. It keeps the application shell — code, styles, icons,
// stamps and fonts — so the app opens at once and can say that it is offline. It never keeps
// an API answer, a file or any message (R17): everything under /api/ goes to the network only.
//
// Shell files are served from the cache and refreshed in the background; the server answers
// an unchanged file with 304, so a start with a current shell costs only headers (R22).
const CACHE = 'kairan-shell-1';
const CORE = ['/', '/app.css', '/js/app.js', '/manifest.webmanifest', '/icons/icon.svg', '/icons/icon-192.png', '/favicon.svg'];
const SHELL = /\.(js|css|svg|png|woff2|webmanifest)$/;
let wiped = false; // the device was signed out: keep nothing more until the next install

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(CORE)).then(() => self.skipWaiting()));
});
self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys().then((ks) => Promise.all(ks.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

function isShell(url) {
  return url.origin === self.location.origin && !url.pathname.startsWith('/api/') && url.pathname !== '/sw.js' &&
    (url.pathname === '/' || SHELL.test(url.pathname));
}

// Cached answer first; the network refreshes the cache for the next start.
async function fromCache(e, key) {
  if (wiped) return fetch(key);
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key);
  const refresh = fetch(key, { cache: 'no-cache', credentials: 'same-origin' }).then((res) => {
    if (res.ok && res.type === 'basic' && !wiped) return cache.put(key, res.clone()).then(() => res);
    return res;
  });
  if (hit) { e.waitUntil(refresh.catch(() => {})); return hit; }
  return refresh;
}

self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  // Every page of the single-page client is index.html (deep links); nothing else is kept.
  if (req.mode === 'navigate' && url.origin === self.location.origin && !url.pathname.startsWith('/api/')) {
    e.respondWith(fromCache(e, '/'));
    return;
  }
  if (isShell(url)) e.respondWith(fromCache(e, url.pathname));
});

// The page reports the shell files it loaded (its modules), so they are kept without a list
// here that would have to follow every new module.
self.addEventListener('message', (e) => {
  if (e.data?.type === 'wipe') {
    wiped = true;
    e.waitUntil(caches.keys().then((ks) => Promise.all(ks.map((k) => caches.delete(k)))));
    return;
  }
  if (wiped || e.data?.type !== 'shell' || !Array.isArray(e.data.urls)) return;
  const urls = e.data.urls.map((u) => new URL(u, self.location.origin)).filter(isShell).map((u) => u.pathname).slice(0, 200);
  e.waitUntil(caches.open(CACHE).then(async (c) => {
    for (const u of urls) if (!wiped && !await c.match(u)) await c.add(u).catch(() => {});
  }));
});
