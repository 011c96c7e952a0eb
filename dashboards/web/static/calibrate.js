// Zone drawing: click points on the counter's reference image; saved into the calibration YAML.
"use strict";
(function () {
  const root = document.getElementById("calibrate");
  if (!root) return;
  const hall = root.dataset.hall, counter = root.dataset.counter;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const canvas = document.getElementById("canvas"), ctx = canvas.getContext("2d");
  const target = document.getElementById("target"), status = document.getElementById("cal-status");
  const errors = document.getElementById("cal-errors"), dump = document.getElementById("cal-json");
  const api = "/api/calibration/" + encodeURIComponent(hall) + "/" + encodeURIComponent(counter);
  const COLORS = { post: "#3fa7ff", desk: "#ffb020", client: "#5ad17a", sign: "#e05dd6" };
  let drawing = { zones: {}, slots: [] };
  const image = new Image();
  let imageOk = false;

  function points() {
    const [kind, name] = target.value.split(":");
    if (kind === "zone") return (drawing.zones[name] = drawing.zones[name] || []);
    let slot = drawing.slots.find((s) => s.name === name);
    if (!slot) { slot = { name, polygon: [], label: "" }; drawing.slots.push(slot); }
    return slot.polygon;
  }
  function poly(pts, color, label, active) {
    if (!pts || !pts.length) return;
    ctx.strokeStyle = color; ctx.fillStyle = color + "33"; ctx.lineWidth = active ? 4 : 2;
    ctx.beginPath(); pts.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    if (pts.length > 2) { ctx.closePath(); ctx.fill(); }
    ctx.stroke();
    ctx.fillStyle = color;
    for (const [x, y] of pts) { ctx.beginPath(); ctx.arc(x, y, active ? 6 : 4, 0, 7); ctx.fill(); }
    ctx.font = "bold 22px sans-serif"; ctx.fillText(label, pts[0][0] + 8, pts[0][1] + 24);
  }
  function render() {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (imageOk) ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    else { ctx.fillStyle = "#333"; ctx.fillRect(0, 0, canvas.width, canvas.height); ctx.fillStyle = "#aaa";
      ctx.font = "24px sans-serif"; ctx.fillText("无参考图 no reference image yet", 30, 50); }
    const [kind, name] = target.value.split(":");
    for (const [z, pts] of Object.entries(drawing.zones)) poly(pts, COLORS[z] || "#fff", z, kind === "zone" && name === z);
    for (const s of drawing.slots) poly(s.polygon, "#ff4d4d", s.name, kind === "slot" && name === s.name);
    const clean = { zones: Object.fromEntries(Object.entries(drawing.zones).filter(([, p]) => p && p.length)),
                    slots: drawing.slots.filter((s) => s.polygon.length) };
    const line = (pts) => JSON.stringify(pts);
    dump.textContent = Object.entries(clean.zones).map(([z, p]) => "zone " + z + ": " + line(p))
      .concat(clean.slots.map((s) => "slot " + s.name + ": " + line(s.polygon))).join("\n");
  }
  canvas.addEventListener("click", (e) => {
    const r = canvas.getBoundingClientRect();
    const x = (e.clientX - r.left) * (canvas.width / r.width), y = (e.clientY - r.top) * (canvas.height / r.height);
    points().push([Math.round(x * 10) / 10, Math.round(y * 10) / 10]);
    status.textContent = "未保存 unsaved";
    render();
  });
  target.addEventListener("change", render);
  document.getElementById("undo").addEventListener("click", () => { points().pop(); render(); });
  document.getElementById("clear-target").addEventListener("click", () => { points().length = 0; render(); });
  document.getElementById("save").addEventListener("click", async () => {
    const body = { zones: {}, slots: drawing.slots.filter((s) => s.polygon.length) };
    for (const [z, pts] of Object.entries(drawing.zones)) body.zones[z] = pts && pts.length ? pts : null;
    const res = await fetch(api, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
                                   body: JSON.stringify(body) });
    const data = await res.json().catch(() => ({ detail: res.statusText }));
    if (res.ok) { errors.hidden = true; status.textContent = "已保存 saved to " + data.saved; load(data); }
    else { errors.hidden = false; errors.textContent = typeof data.detail === "string" ? data.detail : JSON.stringify(data.detail, null, 1);
           status.textContent = "未保存: 校验失败 not saved: invalid"; }
  });
  function load(data) {
    canvas.width = data.width; canvas.height = data.height;
    drawing = { zones: {}, slots: data.slots.map((s) => ({ name: s.name, polygon: s.polygon, label: s.label || "" })) };
    for (const [z, pts] of Object.entries(data.zones)) if (pts) drawing.zones[z] = pts;
    render();
  }
  fetch(api).then((r) => r.json()).then((data) => {
    load(data);
    image.onload = () => { imageOk = true; render(); };
    image.src = api + "/reference";
  });
})();
