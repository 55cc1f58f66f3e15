// The location picker: a map of Indonesia drawn from the shipped boundaries (no tiles: nothing is fetched
// from the internet). It zooms (buttons, mouse wheel) and pans (drag), so that a click can be placed to
// within a few tens of metres; regencies and their names appear once zoomed in to a region.
const INDONESIA = { west: 94.5, east: 141.5, north: 6.5, south: -11.5 };
const MAX_SCALE = 40000;  // CSS pixels per degree: one pixel is about 3 m
const REGENCY_SCALE = 60, LABEL_SCALE = 250, PLACE_SCALE = 800;
const PLACES = [
  ["Kota Padang", -0.9492, 100.3543],
  ["Tenggarong, Kutai Kartanegara", -0.4231, 116.9853],
  ["Kota Denpasar", -8.6525, 115.2192],
  ["Baturaja, Ogan Komering Ulu", -4.1297, 104.1664],
  ["Kota Dumai", 1.6656, 101.4474],
  ["Monas, Jakarta", -6.1754, 106.8272],
  ["Singapore", 1.3521, 103.8198, "outside"],
];
const picker = { view: null, mark: null, provinces: null, regencies: null, loadingRegencies: false };

function canvasSize() {
  const canvas = $("map"), box = canvas.getBoundingClientRect(), ratio = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(box.width * ratio) || canvas.height !== Math.round(box.height * ratio)) {
    canvas.width = Math.round(box.width * ratio);
    canvas.height = Math.round(box.height * ratio);
  }
  return { width: box.width, height: box.height, ratio };
}

function fitIndonesia() {
  const { width, height } = canvasSize();
  const scale = Math.min(width / (INDONESIA.east - INDONESIA.west), height / (INDONESIA.north - INDONESIA.south));
  picker.view = { lng: (INDONESIA.west + INDONESIA.east) / 2, lat: (INDONESIA.north + INDONESIA.south) / 2, scale, min: scale / 2 };
}

const toScreen = (lng, lat, size) => [(lng - picker.view.lng) * picker.view.scale + size.width / 2, (picker.view.lat - lat) * picker.view.scale + size.height / 2];
const toMap = (x, y, size) => [picker.view.lng + (x - size.width / 2) / picker.view.scale, picker.view.lat - (y - size.height / 2) / picker.view.scale];

async function openPicker() {
  $("picker").hidden = false;
  if (!picker.view) fitIndonesia();
  drawMap();
  if (!picker.provinces) picker.provinces = await (await fetch("/sandbox/api/outline?level=provinces")).json();
  drawMap();
}

function zoomAt(factor, x, y) {
  const size = canvasSize(), [lng, lat] = toMap(x, y, size), view = picker.view;
  view.scale = Math.min(MAX_SCALE, Math.max(view.min, view.scale * factor));
  view.lng = lng - (x - size.width / 2) / view.scale;
  view.lat = lat + (y - size.height / 2) / view.scale;
  drawMap();
}

function centreOn(lat, lng, scale) {
  picker.view.lng = lng;
  picker.view.lat = lat;
  picker.view.scale = Math.max(picker.view.scale, scale);
  picker.mark = [lat, lng];
  drawMap();
}

async function loadRegencies() {
  if (picker.regencies || picker.loadingRegencies) return;
  picker.loadingRegencies = true;
  try {
    picker.regencies = await (await fetch("/sandbox/api/outline?level=regencies")).json();
    drawMap();
  } finally {
    picker.loadingRegencies = false;
  }
}

function drawOutlines(ctx, size, outline, fill, stroke) {
  if (!outline) return;
  const [west, north] = toMap(0, 0, size), [east, south] = toMap(size.width, size.height, size);
  ctx.fillStyle = fill; ctx.strokeStyle = stroke;
  for (const [, ring] of outline.rings) {
    if (!overlaps(ring, west, east, south, north)) continue;
    ctx.beginPath();
    ring.forEach(([lng, lat], i) => { const [x, y] = toScreen(lng, lat, size); i ? ctx.lineTo(x, y) : ctx.moveTo(x, y); });
    ctx.closePath();
    if (fill) ctx.fill();
    ctx.stroke();
  }
}

// Whether a ring's bounding box (worked out once) meets the view: only those are drawn.
function overlaps(ring, west, east, south, north) {
  if (!ring.box) {
    const lngs = ring.map(([lng]) => lng), lats = ring.map(([, lat]) => lat);
    ring.box = [Math.min(...lngs), Math.max(...lngs), Math.min(...lats), Math.max(...lats)];
  }
  const [minLng, maxLng, minLat, maxLat] = ring.box;
  return minLng <= east && maxLng >= west && minLat <= north && maxLat >= south;
}

function drawLabel(ctx, size, lng, lat, text, dot) {
  const [x, y] = toScreen(lng, lat, size);
  if (x < -200 || y < -20 || x > size.width + 200 || y > size.height + 20) return;
  if (dot) { ctx.fillStyle = "#2481cc"; ctx.beginPath(); ctx.arc(x, y, 3.5, 0, 7); ctx.fill(); }
  ctx.fillStyle = "#333";
  ctx.fillText(text, x + (dot ? 6 : 0), y + (dot ? 4 : 0));
}

function drawScale(ctx, size) {
  const metresPerPixel = 111320 / picker.view.scale;
  const target = metresPerPixel * 90, power = 10 ** Math.floor(Math.log10(target));
  const metres = [5, 2, 1].map((step) => step * power).find((length) => length <= target);
  const pixels = metres / metresPerPixel, x = 10, y = size.height - 12;
  ctx.strokeStyle = "#333"; ctx.lineWidth = 2;
  ctx.beginPath(); ctx.moveTo(x, y - 5); ctx.lineTo(x, y); ctx.lineTo(x + pixels, y); ctx.lineTo(x + pixels, y - 5); ctx.stroke();
  ctx.lineWidth = 1; ctx.fillStyle = "#333";
  ctx.fillText(metres >= 1000 ? `${metres / 1000} km` : `${metres} m`, x + 4, y - 6);
}

function drawMap() {
  const size = canvasSize(), ctx = $("map").getContext("2d"), view = picker.view;
  ctx.setTransform(size.ratio, 0, 0, size.ratio, 0, 0);
  ctx.clearRect(0, 0, size.width, size.height);
  ctx.font = "12px system-ui, sans-serif"; ctx.lineWidth = 1;
  // Zoomed in, the regencies' finer outlines (about 500 m) replace the provinces' (about 5 km), coasts included.
  const regencies = view.scale >= REGENCY_SCALE && picker.regencies;
  if (view.scale >= REGENCY_SCALE) loadRegencies();
  drawOutlines(ctx, size, regencies || picker.provinces, "#f4efe1", regencies ? "#b5aa86" : "#9a8f73");
  if (regencies) {
    if (view.scale >= LABEL_SCALE) {
      for (const area of regencies.areas) if (area.label) drawLabel(ctx, size, area.label[0], area.label[1], area.name, false);
    }
  }
  for (const [name, lat, lng] of PLACES) drawLabel(ctx, size, lng, lat, name, true);
  if (picker.mark) {
    const [x, y] = toScreen(picker.mark[1], picker.mark[0], size);
    ctx.fillStyle = "#d33"; ctx.beginPath(); ctx.arc(x, y, 6, 0, 7); ctx.fill();
    ctx.strokeStyle = "#fff"; ctx.lineWidth = 2; ctx.stroke();
  }
  drawScale(ctx, size);
}

function pick(x, y) {
  const [lng, lat] = toMap(x, y, canvasSize());
  $("lat").value = lat.toFixed(5); $("lng").value = lng.toFixed(5);
  picker.mark = [lat, lng];
  drawMap();
}

// A press and release on the same spot picks it; a press that moves drags the map.
let press = null;
$("map").addEventListener("pointerdown", (event) => {
  press = { x: event.offsetX, y: event.offsetY, lng: picker.view.lng, lat: picker.view.lat, dragged: false };
  $("map").setPointerCapture(event.pointerId);
});
$("map").addEventListener("pointermove", (event) => {
  if (!press) return;
  const dx = event.offsetX - press.x, dy = event.offsetY - press.y;
  if (!press.dragged && Math.hypot(dx, dy) < 4) return;
  press.dragged = true;
  picker.view.lng = press.lng - dx / picker.view.scale;
  picker.view.lat = press.lat + dy / picker.view.scale;
  drawMap();
});
$("map").addEventListener("pointerup", (event) => {
  if (press && !press.dragged) pick(event.offsetX, event.offsetY);
  press = null;
});
$("map").addEventListener("pointercancel", () => (press = null));
$("map").addEventListener("wheel", (event) => {
  event.preventDefault();
  zoomAt(Math.exp(-event.deltaY * 0.002), event.offsetX, event.offsetY);
}, { passive: false });
$("zoomin").onclick = () => { const size = canvasSize(); zoomAt(2, size.width / 2, size.height / 2); };
$("zoomout").onclick = () => { const size = canvasSize(); zoomAt(0.5, size.width / 2, size.height / 2); };
window.addEventListener("resize", () => { if (!$("picker").hidden) drawMap(); });

function listPlaces() {
  const placeholder = new Option(t("samplePlaces"), "");
  $("preset").replaceChildren(placeholder, ...PLACES.map(([name, lat, lng, note]) => new Option(note ? `${name} (${t(note)})` : name, `${lat},${lng}`)));
}
listPlaces();

$("preset").onchange = () => {
  const [lat, lng] = $("preset").value.split(",");
  if (!lat) return;
  $("lat").value = lat; $("lng").value = lng;
  centreOn(+lat, +lng, PLACE_SCALE);
};
const typedPoint = () => [parseFloat($("lat").value.replace(",", ".")), parseFloat($("lng").value.replace(",", "."))];
for (const id of ["lat", "lng"]) {
  $(id).addEventListener("change", () => { const [lat, lng] = typedPoint(); if (!Number.isNaN(lat) && !Number.isNaN(lng)) centreOn(lat, lng, PLACE_SCALE); });
}
$("sendloc").onclick = () => {
  const [lat, lng] = typedPoint();
  if (Number.isNaN(lat) || Number.isNaN(lng)) return showToast(t("typeCoordinates"));
  $("picker").hidden = true;
  queue("/sandbox/api/location", { latitude: lat, longitude: lng }, `📍 ${lat.toFixed(5)}, ${lng.toFixed(5)}`);
};
$("closeloc").onclick = () => ($("picker").hidden = true);
