// The sandbox's chat page: the citizen (or a sample staff member) chatting with the bot through the emulator.
const ALLOWED = new Set(["B","STRONG","I","EM","U","INS","S","STRIKE","DEL","CODE","PRE","A","BLOCKQUOTE"]);
const stored = JSON.parse(localStorage.getItem("lapor-sandbox-user") || "null");
const citizen = stored || { user_id: 100000 + Math.floor(Math.random() * 900000), first_name: "Warga Sandbox" };
localStorage.setItem("lapor-sandbox-user", JSON.stringify(citizen));
// The page plays the citizen, or one of the sandbox's sample staff (each its own Telegram user).
const me = JSON.parse(localStorage.getItem("lapor-sandbox-persona") || "null") || citizen;
// What the page keeps in localStorage, per user: the history last seen (shown at once after a reload,
// even while the sandbox is down), the outbox (messages typed while it did not answer), and the buttons
// tapped (so that an answered question shows which answer was given).
const HISTORY = `lapor-sandbox-history-${me.user_id}`, OUTBOX = `lapor-sandbox-outbox-${me.user_id}`, TAPS = `lapor-sandbox-taps-${me.user_id}`;
let version = -1, toasts = 0, online = false, flushing = false;
let messages = JSON.parse(localStorage.getItem(HISTORY) || "[]");
let outbox = JSON.parse(localStorage.getItem(OUTBOX) || "[]");
let taps = JSON.parse(localStorage.getItem(TAPS) || "{}");
const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function icon(name) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg"), use = document.createElementNS("http://www.w3.org/2000/svg", "use");
  svg.setAttribute("class", "icon");
  use.setAttribute("href", `#i-${name}`);
  svg.appendChild(use);
  return svg;
}

async function post(path, body) {
  const response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user_id: me.user_id, ...body }) });
  if (!response.ok) showToast(await response.text());
  return response;
}

// Like Telegram's clients: a message goes to the outbox first, shows greyed with ⏳ until the sandbox
// takes it, and is sent again, in order, whenever the sandbox answers again. Its client_id lets the
// sandbox ignore a resend of something it already has.
function queue(path, body, label) {
  outbox.push({ client_id: crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`, path, body, label });
  localStorage.setItem(OUTBOX, JSON.stringify(outbox));
  follow.toBottom();  // what one sends is shown, as in Telegram
  draw();
  flush();
}

async function flush() {
  if (flushing) return;
  flushing = true;
  try {
    while (outbox.length) {
      const item = outbox[0];
      const response = await post(item.path, { ...item.body, client_id: item.client_id });
      if (response.status >= 500) break;  // not taken: keep it for the next try
      outbox.shift();  // taken, or refused for good (the toast said why)
      localStorage.setItem(OUTBOX, JSON.stringify(outbox));
    }
  } catch (error) {
    setOnline(false);  // no answer: the outbox waits for the sandbox
  } finally {
    flushing = false;
    draw();
  }
}

function setOnline(value) {
  online = value;
  $("status").textContent = online ? "" : t("waiting");
}

function safeHtml(html) {
  // Telegram's HTML subset only: everything else becomes plain text.
  const source = new DOMParser().parseFromString(`<div>${html}</div>`, "text/html").body.firstChild;
  const copy = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return document.createTextNode(node.textContent);
    const wrapper = ALLOWED.has(node.nodeName) ? document.createElement(node.nodeName) : document.createDocumentFragment();
    node.childNodes.forEach((child) => wrapper.appendChild(copy(child)));
    return wrapper;
  };
  const result = document.createElement("div");
  source.childNodes.forEach((child) => result.appendChild(copy(child)));
  return result;
}

function mediaLabel(iconName, text) {
  const label = document.createElement("div");
  label.className = "photo";
  label.append(icon(iconName), text);
  return label;
}

// A file in the chat is shown as a Telegram client shows it: a photo (a chart, or the citizen's own) as an
// image, a document as a file to save.
function media(m) {
  if (m.photo) return picture(m.photo[m.photo.length - 1]);
  if (m.document) return download(m.document);
  if (m.video) return mediaLabel("file", t("video"));
  if (m.sticker) return mediaLabel("smile", `${m.sticker.emoji || ""} ${t("sticker")}`);
  if (m.voice) return mediaLabel("mic", t("voice", m.voice.duration));
  if (m.location) return mediaLabel("pin", `${m.location.latitude.toFixed(5)}, ${m.location.longitude.toFixed(5)}`);
  return null;
}

function picture(size) {
  const image = document.createElement("img");
  image.src = `/sandbox/api/file/${encodeURIComponent(size.file_id)}`;
  image.alt = t("photo");
  image.className = "picture";
  if (size.width && size.height) { image.width = size.width; image.height = size.height; }  // its room is kept before it loads
  return image;
}

function download(documentInfo) {
  const link = document.createElement("a");
  link.href = `/sandbox/api/file/${encodeURIComponent(documentInfo.file_id)}`;
  link.download = documentInfo.file_name || "document";
  link.className = "photo";
  link.append(icon("file"), documentInfo.file_name || t("document"));
  return link;
}

function draw() {
  const pending = outbox.map((item) => ({ pending: true, client_id: item.client_id, from: { is_bot: false }, text: item.label }));
  render([...messages, ...pending]);
}

// An inline keyboard is answered once the person has written after it or tapped it or a later one;
// a message the bot edited after the tap (a new page, a toggled filter) is live again.
function answeredUpTo(shown) {
  let last = -1;
  shown.forEach((m, index) => {
    const tap = taps[m.message_id];
    if (!m.from.is_bot || (tap && tap.markup === JSON.stringify(m.reply_markup))) last = index;
  });
  return last;
}

const bubbles = new Map();  // key -> { signature, node }: an unchanged message keeps its element (and its loaded image)

function render(all) {
  const shown = all.filter((m) => !m.deleted);
  const answered = answeredUpTo(shown);
  let keyboard = null;
  const nodes = shown.map((m, index) => {
    const key = m.pending ? `pending-${m.client_id}` : `message-${m.message_id}`;
    const done = m.from.is_bot && index <= answered;
    const signature = JSON.stringify([m, done, taps[m.message_id], language]);
    let cached = bubbles.get(key);
    if (!cached || cached.signature !== signature) bubbles.set(key, (cached = { signature, node: bubble(m, done) }));
    if (m.from.is_bot && m.chat_keyboard) keyboard = m.chat_keyboard;
    else if (!m.from.is_bot && keyboard && keyboard.one_time_keyboard) keyboard = null;
    return cached.node;
  });
  const keys = new Set(shown.map((m) => (m.pending ? `pending-${m.client_id}` : `message-${m.message_id}`)));
  for (const key of bubbles.keys()) if (!keys.has(key)) bubbles.delete(key);
  $("thread").replaceChildren(...nodes);
  $("empty").hidden = shown.length > 0;
  replyKeyboard(keyboard && !keyboard.remove_keyboard ? keyboard : null);
  follow.rendered(keys.size ? [...keys].pop() : null);
}

function bubble(m, answered) {
  const node = document.createElement("div");
  node.className = "msg " + (m.from.is_bot ? "bot" : "me") + (m.pending ? " pending" : "");
  node.dataset.messageId = m.message_id;
  if (m.text) node.appendChild(m.from.is_bot ? safeHtml(m.text) : document.createTextNode(m.text));
  const file = media(m);
  if (file) node.appendChild(file);
  if (m.caption) node.appendChild(m.from.is_bot ? safeHtml(m.caption) : document.createTextNode(m.caption));
  if (m.reply_markup && m.reply_markup.inline_keyboard) node.appendChild(inlineKeyboard(m, answered));
  return node;
}

function inlineKeyboard(message, answered) {
  const box = document.createElement("div");
  box.className = "inline" + (answered ? " answered" : "");
  const tap = taps[message.message_id];
  for (const row of message.reply_markup.inline_keyboard) {
    const line = document.createElement("div");
    line.className = "row";
    for (const key of row) {
      const button = document.createElement("button");
      button.textContent = key.text;
      if (answered && tap && tap.data === key.callback_data) button.classList.add("chosen");
      button.onclick = () => tapButton(message, key);
      line.appendChild(button);
    }
    box.appendChild(line);
  }
  return box;
}

function tapButton(message, key) {
  taps[message.message_id] = { data: key.callback_data, markup: JSON.stringify(message.reply_markup) };
  const recent = Object.keys(taps).map(Number).sort((a, b) => b - a).slice(0, 200);
  taps = Object.fromEntries(recent.map((id) => [id, taps[id]]));
  localStorage.setItem(TAPS, JSON.stringify(taps));
  draw();
  post("/sandbox/api/tap", { message_id: message.message_id, data: key.callback_data }).catch(() => showToast(t("tapOffline")));
}

function replyKeyboard(keyboard) {
  const box = $("replykb");
  box.innerHTML = "";
  $("text").placeholder = (keyboard && keyboard.input_field_placeholder) || t("message");
  if (!keyboard) return;
  for (const row of keyboard.keyboard) {
    const line = document.createElement("div");
    line.className = "row";
    for (const key of row) {
      const label = typeof key === "string" ? key : key.text;
      const button = document.createElement("button");
      button.textContent = label;
      button.onclick = () => (key.request_location ? openPicker() : queue("/sandbox/api/text", { text: label }, label));
      line.appendChild(button);
    }
    box.appendChild(line);
  }
}

// The view follows the newest message, as a chat does, also when a picture or chart loads and grows it;
// once the person scrolls up it stays where they are, and "new messages" offers the way down.
const follow = {
  stuck: true, lastKey: null, ownTop: 0,
  distance() { const log = $("log"); return log.scrollHeight - log.scrollTop - log.clientHeight; },
  toBottom() {
    const log = $("log");
    log.scrollTop = log.scrollHeight;
    this.ownTop = log.scrollTop;
    this.stuck = true;
    $("newer").hidden = true;
  },
  rendered(lastKey) {
    const arrived = lastKey !== this.lastKey && this.lastKey !== null;
    this.lastKey = lastKey;
    if (this.stuck) this.toBottom();
    else if (arrived) $("newer").hidden = false;
  },
  scrolled() {
    // Only the person moves the view up: a scroll the page made, or content growing under it, changes nothing.
    const log = $("log");
    if (this.distance() < 40) this.toBottom();
    else if (log.scrollTop < this.ownTop - 2) this.stuck = false;
  },
};
$("log").addEventListener("scroll", () => follow.scrolled());
new ResizeObserver(() => follow.stuck && follow.toBottom()).observe($("thread"));
new ResizeObserver(() => follow.stuck && follow.toBottom()).observe($("log"));
$("newer").onclick = () => follow.toBottom();

function showToast(text) {
  const toast = $("toast");
  toast.textContent = text;
  toast.style.display = "block";
  setTimeout(() => (toast.style.display = "none"), 2500);
}

async function join() {
  const response = await post("/sandbox/api/join", { first_name: me.first_name, language_code: language });
  if (!response.ok) throw new Error(`join: ${response.status}`);
}

async function poll() {
  for (;;) {
    try {
      if (!online) {
        await join();  // again after every outage: the sandbox may have restarted
        version = -1;
        setOnline(true);
        flush();
      }
      const response = await fetch(`/sandbox/api/chat?user_id=${me.user_id}&version=${version}`);
      if (!response.ok) throw new Error(`chat: ${response.status}`);
      const state = await response.json();
      if (state.toasts > toasts && version >= 0 && state.toast) showToast(state.toast);
      toasts = state.toasts;
      version = state.version;
      messages = state.messages;
      localStorage.setItem(HISTORY, JSON.stringify(messages.slice(-500)));
      draw();
    } catch (error) {
      setOnline(false);
      await sleep(1000);
    }
  }
}
