// The page's own words, in Indonesian (the default) and English. The bot's words come from its gettext
// catalog; these are only the sandbox page's controls. The choice is kept in this browser.
const WORDS = {
  id: {
    title: "LAPOR! sandbox",
    subtitle: "emulator Telegram lokal; tidak ada yang keluar dari komputer ini",
    playAs: "Main sebagai",
    citizen: "Warga",
    language: "Bahasa halaman",
    waiting: "⏳ menunggu sandbox…",
    message: "Ketik pesan",
    send: "Kirim",
    attach: "Lampiran",
    attachFile: "Foto atau berkas",
    attachLocation: "Lokasi",
    attachSticker: "Stiker",
    attachVoice: "Pesan suara (contoh 3 dtk)",
    emptyTitle: "Belum ada pesan.",
    emptyHint: "Kirim /start untuk mulai mengobrol dengan bot, seperti di Telegram.",
    start: "Mulai",
    newMessages: "Pesan baru ↓",
    pickHint: "Klik peta untuk memilih titik (perbesar dengan + atau roda tetikus, geser dengan menyeret), pilih tempat contoh, atau ketik koordinat.",
    map: "Peta Indonesia",
    zoomIn: "Perbesar",
    zoomOut: "Perkecil",
    samplePlaces: "Tempat contoh…",
    outside: "di luar Indonesia",
    latitude: "lintang",
    longitude: "bujur",
    shareLocation: "Bagikan lokasi ini",
    close: "Tutup",
    typeCoordinates: "Ketik lintang dan bujur, mis. -0.9492 dan 100.3543",
    photo: "foto",
    video: "video",
    document: "dokumen",
    sticker: "stiker",
    voice: (seconds) => `pesan suara, ${seconds} dtk`,
    tapOffline: "Sandbox tidak menjawab: ketuk lagi setelah kembali.",
    filesOffline: "Tidak terkirim: sandbox tidak menjawab. Coba lagi setelah kembali.",
    citizenWhatsApp: "Warga di WhatsApp",
    sample: "contoh",
    subtitleWhatsApp: "emulator WhatsApp lokal; tidak ada yang keluar dari komputer ini",
    emptyHintWhatsApp: "Kirim pesan untuk mulai mengobrol dengan bot, seperti di WhatsApp.",
    attachVoiceWhatsApp: "Pesan suara (contoh)",
    clockLabel: "Jam emulator:",
    daysAhead: (days) => `(+${days} hari)`,
    windowOpen: "jendela 24 jam: terbuka",
    windowClosed: "jendela 24 jam: tertutup (bot hanya boleh mengirim template)",
    plusDay: "⏩ +1 hari",
    plusDayHint: "Majukan jam emulator WhatsApp satu hari (jendela 24 jam tertutup)",
    template: "Template",
    notDelivered: "tidak terkirim",
    sendLocation: "Kirim lokasi",
    voiceNote: "pesan suara",
    audio: "audio",
    status_accepted: "diterima WhatsApp",
    status_sent: "terkirim",
    status_delivered: "sampai",
    status_read: "dibaca",
    status_failed: "gagal",
  },
  en: {
    title: "LAPOR! sandbox",
    subtitle: "a local Telegram emulator; nothing leaves this machine",
    playAs: "Play as",
    citizen: "Citizen",
    language: "Page language",
    waiting: "⏳ waiting for the sandbox…",
    message: "Message",
    send: "Send",
    attach: "Attach",
    attachFile: "Photo or file",
    attachLocation: "Location",
    attachSticker: "Sticker",
    attachVoice: "Voice note (a 3 s stand-in)",
    emptyTitle: "No messages yet.",
    emptyHint: "Send /start to begin chatting with the bot, as in Telegram.",
    start: "Start",
    newMessages: "New messages ↓",
    pickHint: "Click the map to pick a point (zoom with + or the mouse wheel, drag to move), choose a sample place, or type coordinates.",
    map: "Map of Indonesia",
    zoomIn: "Zoom in",
    zoomOut: "Zoom out",
    samplePlaces: "Sample places…",
    outside: "outside Indonesia",
    latitude: "latitude",
    longitude: "longitude",
    shareLocation: "Share this location",
    close: "Close",
    typeCoordinates: "Type a latitude and a longitude, e.g. -0.9492 and 100.3543",
    photo: "photo",
    video: "video",
    document: "document",
    sticker: "sticker",
    voice: (seconds) => `voice note, ${seconds} s`,
    tapOffline: "The sandbox does not answer: tap again when it is back.",
    filesOffline: "Not sent: the sandbox does not answer. Try again when it is back.",
    citizenWhatsApp: "Citizen on WhatsApp",
    sample: "sample",
    subtitleWhatsApp: "a local WhatsApp emulator; nothing leaves this machine",
    emptyHintWhatsApp: "Send a message to begin chatting with the bot, as in WhatsApp.",
    attachVoiceWhatsApp: "Voice note (a stand-in)",
    clockLabel: "Emulator clock:",
    daysAhead: (days) => `(+${days} ${days === 1 ? "day" : "days"})`,
    windowOpen: "24-hour window: open",
    windowClosed: "24-hour window: closed (the bot may only send templates)",
    plusDay: "⏩ +1 day",
    plusDayHint: "Move the WhatsApp emulator's clock a day ahead (the 24-hour window closes)",
    template: "Template",
    notDelivered: "not delivered",
    sendLocation: "Send location",
    voiceNote: "voice note",
    audio: "audio",
    status_accepted: "accepted by WhatsApp",
    status_sent: "sent",
    status_delivered: "delivered",
    status_read: "read",
    status_failed: "failed",
  },
};

const LANGUAGE_KEY = "lapor-sandbox-language";
let language = WORDS[localStorage.getItem(LANGUAGE_KEY)] ? localStorage.getItem(LANGUAGE_KEY) : "id";

function t(key, ...args) {
  const word = WORDS[language][key];
  return typeof word === "function" ? word(...args) : word;
}

// Elements name their words: data-t (text), data-t-title, data-t-label (aria-label), data-t-placeholder.
function translatePage() {
  document.documentElement.lang = language;
  for (const element of document.querySelectorAll("[data-t]")) element.textContent = t(element.dataset.t);
  for (const element of document.querySelectorAll("[data-t-title]")) element.title = t(element.dataset.tTitle);
  for (const element of document.querySelectorAll("[data-t-label]")) element.setAttribute("aria-label", t(element.dataset.tLabel));
  for (const element of document.querySelectorAll("[data-t-placeholder]")) element.placeholder = t(element.dataset.tPlaceholder);
}

function setLanguage(code) {
  language = WORDS[code] ? code : "id";
  localStorage.setItem(LANGUAGE_KEY, language);
  translatePage();
}
