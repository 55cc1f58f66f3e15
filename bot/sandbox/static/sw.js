// The sandbox page's service worker: it keeps a copy of the page and its scripts, so that a reload while
// lapor-bot is down still shows the chat (history and outbox come from localStorage) instead of a browser
// error. Only the page itself is cached; the chat API always goes to the network.
const CACHE = "lapor-sandbox-page";
const PAGE = ["/", "/sandbox/static/i18n.js", "/sandbox/static/chat.js", "/sandbox/static/map.js", "/sandbox/static/whatsapp.js", "/sandbox/static/controls.js"];

self.addEventListener("install", (event) => {
  self.skipWaiting();
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PAGE)));
});

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || !PAGE.includes(url.pathname)) return;
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
        return response;
      })
      .catch(() => caches.match(url.pathname)),
  );
});
