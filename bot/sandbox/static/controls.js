// The page's controls around the chat: the composer, the attach menu, who the page plays, and its language;
// then the page starts. Loaded last: it uses chat.js and map.js.

// The composer: Enter sends, Shift+Enter starts a new line, and the box grows with what is typed.
function fitText() {
  const box = $("text");
  box.style.height = "auto";
  box.style.height = `${box.scrollHeight + 2}px`;
}
$("text").addEventListener("input", fitText);
$("text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
});
$("composer").onsubmit = (event) => {
  event.preventDefault();
  const text = $("text").value;
  if (!text.trim()) return;
  $("text").value = "";
  fitText();
  queue("/sandbox/api/text", { text }, text);
};
$("startbtn").onclick = () => queue("/sandbox/api/text", { text: "/start" }, "/start");

// The attach menu (📎), as in Telegram: a photo or file, a location, and the sandbox's sticker and voice note.
function showAttachMenu(open) {
  $("attachmenu").hidden = !open;
  $("attachbtn").setAttribute("aria-expanded", String(open));
}
$("attachbtn").onclick = () => showAttachMenu($("attachmenu").hidden);
document.addEventListener("click", (event) => { if (!event.target.closest("#attachmenu, #attachbtn")) showAttachMenu(false); });
$("filebtn").onkeydown = (event) => { if (event.key === "Enter" || event.key === " ") $("file").click(); };
$("locbtn").onclick = () => { showAttachMenu(false); openPicker(); };
$("stickerbtn").onclick = () => { showAttachMenu(false); queue("/sandbox/api/sticker", { emoji: "👍" }, `👍 ${t("sticker")}`); };
$("voicebtn").onclick = () => { showAttachMenu(false); queue("/sandbox/api/voice", { duration: 3 }, t("voice", 3)); };
$("file").onchange = async () => {
  showAttachMenu(false);
  const form = new FormData();
  form.append("user_id", me.user_id);
  for (const file of $("file").files) form.append("file", file, file.name);
  $("file").value = "";
  follow.toBottom();
  try {
    const response = await fetch("/sandbox/api/files", { method: "POST", body: form });
    if (!response.ok) showToast(await response.text());
  } catch (error) {
    showToast(t("filesOffline"));  // files are too big to keep
  }
};

let people = [{ ...citizen, role: "citizen" }, ...(me.whatsapp ? [{ ...me, role: "whatsapp" }] : [])];
function personaLabel(person) {
  if (person.role === "citizen") return `${t("citizen")}: ${person.first_name}`;
  if (person.role === "whatsapp") return `${t("citizenWhatsApp")}: ${person.first_name} (${t("sample")})`;
  return person.first_name;
}
function listPersonas() {
  const select = $("persona");
  select.replaceChildren(...people.map((person) => {
    const option = new Option(personaLabel(person), person.user_id);
    option.selected = person.user_id === me.user_id;
    return option;
  }));
}
$("persona").onchange = () => {
  const chosen = people.find((person) => String(person.user_id) === $("persona").value);
  if (chosen.role === "citizen") localStorage.removeItem("lapor-sandbox-persona");
  else if (chosen.role === "whatsapp") localStorage.setItem("lapor-sandbox-persona", JSON.stringify({ user_id: chosen.user_id, first_name: chosen.first_name, whatsapp: chosen.whatsapp }));
  else localStorage.setItem("lapor-sandbox-persona", JSON.stringify({ user_id: chosen.user_id, first_name: chosen.first_name }));
  location.reload();
};
async function loadPersonas() {
  const listed = await (await fetch("/sandbox/api/personas")).json();
  const keep = me.whatsapp && !listed.some((person) => person.user_id === me.user_id) ? [{ ...me, role: "whatsapp" }] : [];
  people = [people[0], ...keep, ...listed];
  listPersonas();
}

function showLanguage() {
  translatePage();
  $("language").value = language;
  $("who").textContent = `${me.first_name} · id ${me.user_id}`;
  if ($("status").textContent) setOnline(online);
  listPersonas();
  draw();
}
$("language").onchange = () => { setLanguage($("language").value); showLanguage(); listPlaces(); };

if (me.whatsapp) playWhatsApp();  // the citizen on WhatsApp (whatsapp.js)
showLanguage();  // the history and the outbox kept in this browser, before the sandbox answers
loadPersonas().catch(() => {});  // the sandbox may be down: the page still shows what it kept
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sandbox-sw.js").catch(() => {});  // reloads work offline
poll();
