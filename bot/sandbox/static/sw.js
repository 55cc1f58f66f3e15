// The sandbox page's service worker: it keeps a copy of the page, so that a reload while lapor-bot is
// down still shows the chat (history and outbox come from localStorage) instead of a browser error.
// Only the page itself is cached; the chat API always goes to the network.
const CACHE = "lapor-sandbox-page";

self.addEventListener("install", (event) => {
  self.skipWaiting();
  event.waitUntil(caches.open(CACHE).then((cache) => cache.add("/")));
});

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.pathname !== "/") return;
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put("/", copy));
        return response;
      })
      .catch(() => caches.match("/")),
  );
});
