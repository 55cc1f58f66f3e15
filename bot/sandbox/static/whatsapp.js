// The page playing a citizen on WhatsApp ("Warga di WhatsApp"): the sandbox's sample WhatsApp person chatting
// with the bot through the WhatsApp emulator (/sandbox/whatsapp/api), drawn as WhatsApp draws it: *bold*
// _italic_ ~strike~ ```mono```, reply buttons under the bubble, a list behind a button, a location request,
// media, templates shown as templates, ticks, day separators, and a clock that jumps a day ahead (the
// 24-hour window closes: what the bot sends later arrives as a template). Loaded before controls.js, which
// calls playWhatsApp() when the page plays that person; the Telegram page does not use anything here.
const WA_API = "/sandbox/whatsapp/api";
const wa = { clock: null, windowOpen: false, readTimer: null };

function playWhatsApp() {
  document.body.classList.add("wa");
  document.querySelector(".subtitle [data-t]").dataset.t = "subtitleWhatsApp";
  document.querySelector("#empty [data-t=emptyHint]").dataset.t = "emptyHintWhatsApp";
  $("stickerbtn").hidden = true;  // the Telegram sticker stand-in
  $("voicebtn").querySelector("span").dataset.t = "attachVoiceWhatsApp";
  $("clockbar").hidden = false;
  // The chat's plumbing (chat.js) talks to the WhatsApp emulator instead: the same outbox, the same long poll.
  post = waPost;
  join = waJoin;
  poll = waPoll;
  render = waRender;
  $("startbtn").onclick = () => queue("/sandbox/api/text", { text: "Halo" }, "Halo");
  $("file").onchange = waSendFiles;
  $("advance").onclick = advanceDay;
  const showLanguageTelegram = showLanguage;
  showLanguage = () => {
    showLanguageTelegram();
    $("who").textContent = `${me.first_name} · +${me.whatsapp}`;
    drawClock();
  };
  setInterval(drawClock, 15000);
  document.addEventListener("visibilitychange", readSoon);
}

async function waPost(path, body) {
  const response = await fetch(path.replace("/sandbox/api/", `${WA_API}/`), { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (!response.ok) showToast(await response.text());
  return response;
}

async function waJoin() {
  const response = await fetch(`${WA_API}/person`);
  if (!response.ok) throw new Error(`person: ${response.status}`);
}

async function waPoll() {
  for (;;) {
    try {
      if (!online) {
        await join();
        version = -1;
        setOnline(true);
        flush();
      }
      const response = await fetch(`${WA_API}/chat?version=${version}`);
      if (!response.ok) throw new Error(`chat: ${response.status}`);
      const state = await response.json();
      version = state.version;
      messages = state.messages;
      wa.clock = { ...state.clock, fetched: Date.now() / 1000 };
      wa.windowOpen = state.window_open;
      localStorage.setItem(HISTORY, JSON.stringify(messages.slice(-500)));
      draw();
      drawClock();
      readSoon();
    } catch (error) {
      setOnline(false);
      await sleep(1000);
    }
  }
}

async function waSendFiles() {
  showAttachMenu(false);
  const form = new FormData();
  for (const file of $("file").files) form.append("file", file, file.name);
  $("file").value = "";
  follow.toBottom();
  try {
    const response = await fetch(`${WA_API}/files`, { method: "POST", body: form });
    if (!response.ok) showToast(await response.text());
  } catch (error) {
    showToast(t("filesOffline"));
  }
}

// The person has the chat open: what the bot sent is read a moment after it arrives (blue ticks, and a
// "read" status for the bot), as long as the page is in view.
function readSoon() {
  const unread = messages.some((m) => m.from.is_bot && ["sent", "delivered"].includes(m.wa.status));
  if (!unread || wa.readTimer || document.visibilityState !== "visible") return;
  wa.readTimer = setTimeout(async () => {
    wa.readTimer = null;
    if (document.visibilityState === "visible") await fetch(`${WA_API}/read`, { method: "POST" }).catch(() => {});
  }, 1200);
}

// The emulator's clock (it runs ahead of this computer's by the days jumped), and the 24-hour window.
function emulatorNow() {
  return wa.clock ? wa.clock.now + (Date.now() / 1000 - wa.clock.fetched) : Date.now() / 1000;
}
const locale = () => (language === "id" ? "id-ID" : "en-GB");
const timeOf = (seconds) => new Date(seconds * 1000).toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit" });
const dayOf = (seconds) => new Date(seconds * 1000).toLocaleDateString(locale(), { weekday: "long", day: "numeric", month: "long", year: "numeric" });

function drawClock() {
  if (!document.body.classList.contains("wa")) return;
  const now = emulatorNow();
  $("waclock").textContent = `${new Date(now * 1000).toLocaleDateString(locale(), { weekday: "short", day: "numeric", month: "short" })} ${timeOf(now)}`;
  const ahead = wa.clock ? Math.round(wa.clock.offset_hours / 24 * 10) / 10 : 0;
  $("waahead").textContent = ahead > 0 ? t("daysAhead", ahead) : "";
  $("wawindow").textContent = wa.windowOpen ? t("windowOpen") : t("windowClosed");
  $("wawindow").className = wa.windowOpen ? "open" : "closed";
}

async function advanceDay() {
  try {
    const response = await fetch(`${WA_API}/advance`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ hours: 24 }) });
    if (!response.ok) return showToast(await response.text());
    wa.clock = { ...(await response.json()).clock, fetched: Date.now() / 1000 };
    drawClock();
  } catch (error) {
    showToast(t("tapOffline"));
  }
}

// WhatsApp's text formatting: *bold*, _italic_, ~strike~, ```monospace``` and `code`, built as elements
// (never as HTML: what the bot sends is text).
const WA_MARKS = [
  ["```", "CODE", /^```([\s\S]+?)```/],
  ["`", "CODE", /^`([^`\n]+)`/],
  ["*", "STRONG", /^\*(\S(?:[^*\n]*?\S)?)\*/],
  ["_", "EM", /^_(\S(?:[^_\n]*?\S)?)_/],
  ["~", "DEL", /^~(\S(?:[^~\n]*?\S)?)~/],
];
const WA_BEFORE = /[\s([{"'.,!?:;-]/, WA_AFTER = /[\s)\]}"'.,!?:;-]/;

function waFormat(text, parent = document.createElement("div")) {
  let plain = "", index = 0;
  const flush = () => { if (plain) parent.appendChild(document.createTextNode(plain)); plain = ""; };
  while (index < text.length) {
    const rest = text.slice(index), before = index === 0 ? " " : text[index - 1];
    const mark = WA_BEFORE.test(before) && WA_MARKS.find(([start, , pattern]) => {
      if (!rest.startsWith(start)) return false;
      const found = rest.match(pattern), after = found && text[index + found[0].length];
      return found && (after === undefined || WA_AFTER.test(after));
    });
    if (!mark) {
      plain += text[index++];
      continue;
    }
    const found = rest.match(mark[2]);
    flush();
    const element = document.createElement(mark[1]);
    if (mark[1] === "CODE") element.textContent = found[1];
    else waFormat(found[1], element);
    parent.appendChild(element);
    index += found[0].length;
  }
  flush();
  return parent;
}

function waRender(all) {
  const chosen = {};  // a bot message's wamid -> the id of the button or row the person answered it with
  let lastMine = -1;
  all.forEach((m, index) => {
    if (m.from.is_bot) return;
    lastMine = index;
    if (m.wa && m.wa.reply_to) chosen[m.wa.reply_to] = m.wa.reply_id;
  });
  const nodes = [], keys = [];
  let lastDay = null;
  all.forEach((m, index) => {
    const day = dayOf(m.wa ? m.wa.timestamp : emulatorNow());
    if (day !== lastDay) {
      const chip = document.createElement("div");
      chip.className = "wa-day";
      chip.textContent = day;
      nodes.push(chip);
      lastDay = day;
    }
    const key = m.pending ? `pending-${m.client_id}` : `message-${m.message_id}`;
    const answered = m.from.is_bot && index < lastMine;
    const signature = JSON.stringify([m, answered, chosen[m.message_id], language]);
    let cached = bubbles.get(key);
    if (!cached || cached.signature !== signature) bubbles.set(key, (cached = { signature, node: waItem(m, answered, chosen[m.message_id]) }));
    nodes.push(cached.node);
    keys.push(key);
  });
  for (const key of bubbles.keys()) if (!keys.includes(key)) bubbles.delete(key);
  $("thread").replaceChildren(...nodes);
  $("empty").hidden = all.length > 0;
  $("replykb").innerHTML = "";
  $("text").placeholder = t("message");
  follow.rendered(keys.length ? keys[keys.length - 1] : null);
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// One message: its bubble, and under a bot's bubble its reply buttons (or a template's quick replies).
function waItem(m, answered, chosenId) {
  const item = element("div", `wa-item ${m.from.is_bot ? "bot" : "me"}`);
  const bubble = element("div", `msg ${m.from.is_bot ? "bot" : "me"}${m.pending ? " pending" : ""}`);
  bubble.dataset.messageId = m.message_id || "";
  item.appendChild(bubble);
  if (m.pending) {
    bubble.appendChild(waFormat(m.text || "")).className = "wa-text";
    return item;
  }
  const w = m.wa;
  item.dataset.type = w.type === "interactive" ? w.interactive : w.type;
  if (w.type === "template") {
    const tag = element("div", "wa-template-tag");
    tag.append(element("b", "", `${t("template")}: ${w.template.name}`), element("span", "", `${w.template.category.toLowerCase()} · ${w.template.language}`));
    bubble.appendChild(tag);
  }
  if (w.quoted) bubble.appendChild(waFormat(w.quoted, element("div", "wa-quoted")));
  if (w.header && w.header.type === "text") bubble.appendChild(element("div", "wa-header", w.header.text));
  const file = w.media ? waMedia(w) : null;
  if (file) bubble.appendChild(file);
  if (w.type === "location" && w.location) {
    const place = [w.location.name, w.location.address].filter(Boolean).join(", ");
    bubble.appendChild(mediaLabel("pin", `${Number(w.location.latitude).toFixed(5)}, ${Number(w.location.longitude).toFixed(5)}${place ? ` — ${place}` : ""}`));
  } else if (w.text) {
    bubble.appendChild(waFormat(w.text)).className = "wa-text";
  }
  if (w.footer) bubble.appendChild(element("div", "wa-footer", w.footer));
  bubble.appendChild(waMeta(m));
  if (w.error) bubble.appendChild(element("div", "wa-error", `⚠ ${t("notDelivered")} (${w.error.code}: ${w.error.title || ""})`));
  if (w.interactive === "list") {
    const open = element("button", "wa-action");
    open.type = "button";
    open.append(element("span", "wa-glyph", "☰"), w.list_button);
    open.onclick = () => openList(m, chosenId);
    bubble.appendChild(open);
  }
  if (w.interactive === "location_request_message") {
    const share = element("button", "wa-action");
    share.type = "button";
    share.append(icon("pin"), t("sendLocation"));
    share.onclick = () => openPicker();
    bubble.appendChild(share);
  }
  const choices = w.type === "template" ? (w.template.quick_replies || []).map((title) => ({ id: title, title })) : (w.interactive === "button" ? w.buttons : []);
  if (choices && choices.length) {
    const box = element("div", `wa-buttons${answered ? " answered" : ""}`);
    for (const choice of choices) {
      const button = element("button", chosenId === choice.id || (w.type === "template" && chosenId === choice.title) ? "chosen" : "");
      button.type = "button";
      button.append(element("span", "wa-glyph", "↩"), choice.title);
      button.onclick = () => waTap(m, choice);
      box.appendChild(button);
    }
    item.appendChild(box);
  }
  return item;
}

function waMedia(w) {
  const media = w.media;
  if (w.type === "image" || w.type === "sticker") {
    if (!media.url) return mediaLabel("image", t("photo"));
    const image = element("img", "picture");
    image.src = media.url;
    image.alt = t("photo");
    return image;
  }
  if (w.type === "audio") return mediaLabel("mic", media.voice ? t("voiceNote") : t("audio"));
  if (w.type === "video") return mediaLabel("file", t("video"));
  const link = element("a", "photo");
  if (media.url) { link.href = media.url; link.download = media.filename || "document"; }
  link.append(icon("file"), media.filename || t("document"));
  return link;
}

const TICKS = { accepted: "◷", sent: "✓", delivered: "✓✓", read: "✓✓", failed: "⚠" };
function waMeta(m) {
  const meta = element("span", "wa-meta", timeOf(m.wa.timestamp));
  // The bot's messages carry the statuses WhatsApp reported to the bot; the person's, whether the bot read them.
  const status = m.from.is_bot ? m.wa.status : (m.wa.read_by_bot ? "read" : "delivered");
  const ticks = element("span", `wa-ticks ${status}`, ` ${TICKS[status] || ""}`);
  ticks.title = t(`status_${status}`) || status;
  ticks.dataset.status = status;
  meta.appendChild(ticks);
  return meta;
}

function waTap(m, choice) {
  queue("/sandbox/api/tap", { id: choice.id, wamid: m.message_id }, choice.title);
}

// A list message opens as WhatsApp's sheet: the rows (title and description) by section, one to pick, then send.
function openList(m, chosenId) {
  closeList();
  const overlay = element("div", "");
  overlay.id = "washeet";
  const sheet = element("div", "sheet");
  sheet.setAttribute("role", "dialog");
  sheet.setAttribute("aria-label", m.wa.list_button);
  const head = element("div", "head");
  const close = element("button", "close", "✕");
  close.type = "button";
  close.setAttribute("aria-label", t("close"));
  close.onclick = closeList;
  head.append(close, element("h2", "", m.wa.list_button));
  sheet.appendChild(head);
  let section = null, picked = null;
  const send = element("button", "send", t("send"));
  send.type = "button";
  send.disabled = true;
  for (const row of m.wa.rows) {
    if (row.section && row.section !== section) sheet.appendChild(element("div", "section", (section = row.section)));
    const label = element("label", "row");
    const radio = element("input");
    radio.type = "radio";
    radio.name = "wa-row";
    radio.checked = chosenId === row.id;
    radio.onchange = () => { picked = row; send.disabled = false; };
    const words = element("span", "", row.title);
    if (row.description) words.appendChild(element("small", "", row.description));
    label.append(words, radio);
    sheet.appendChild(label);
  }
  send.onclick = () => { if (picked) { closeList(); waTap(m, picked); } };
  sheet.appendChild(send);
  overlay.appendChild(sheet);
  overlay.onclick = (event) => { if (event.target === overlay) closeList(); };
  document.body.appendChild(overlay);
}

function closeList() {
  const open = $("washeet");
  if (open) open.remove();
}
