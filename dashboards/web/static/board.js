// CounterWatch live board: hall map, alert feed (server-sent events), follow-up. Plain JS, no libraries.
"use strict";
(function () {
  const root = document.getElementById("board");
  const hallSelect = document.getElementById("hall-select");
  if (hallSelect) hallSelect.addEventListener("change", () => hallSelect.form.submit());
  if (!root) return;
  const hall = root.dataset.hall;
  const canFollowUp = root.dataset.canFollowUp === "true";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const feed = document.getElementById("feed");
  const filters = document.getElementById("filters");
  const cards = new Map(); // event id → card element
  let openItems = [];

  const ACTIONS = [
    ["acknowledge", "受理 Acknowledge", ["open"]],
    ["confirm", "确认违规 Confirm", ["open", "acknowledged"]],
    ["dismiss", "误报 False alarm", ["open", "acknowledged", "confirmed"]],
    ["rectify", "已整改 Rectified", ["open", "acknowledged", "confirmed"]],
    ["reopen", "重新打开 Reopen", ["confirmed", "dismissed", "rectified"]],
  ];

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v; else if (k.startsWith("data-")) node.setAttribute(k, v); else node[k] = v;
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    return node;
  }
  const fmtTime = (t) => t ? new Date(t * 1000).toLocaleString("zh-CN", { hour12: false }) : "";
  function fmtAge(s) {
    if (s === null || s === undefined) return "";
    s = Math.max(0, Math.floor(s));
    if (s < 60) return s + " s";
    if (s < 3600) return Math.floor(s / 60) + " min " + (s % 60) + " s";
    return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
  }
  const fmtValue = (v) => typeof v === "number" ? (Number.isInteger(v) ? v : v.toFixed(1)) : JSON.stringify(v);

  // ---- filters --------------------------------------------------------------------------------
  function filterParams() {
    const p = new URLSearchParams({ hall, limit: "100" });
    for (const [k, v] of new FormData(filters)) if (v) p.set(k, v);
    return p;
  }
  function matches(ev) {
    const f = Object.fromEntries(new FormData(filters));
    if (f.counter && !f.counter.split(",").map((s) => s.trim()).includes(ev.counter_id)) return false;
    if (f.staff && ev.staff_id !== f.staff) return false;
    if (f.rule && ev.rule_id !== f.rule) return false;
    if (f.category && ev.category !== f.category) return false;
    if (f.status && !f.status.split(",").includes(ev.status)) return false;
    if (f.since && ev.start_time < new Date(f.since).getTime() / 1000) return false;
    if (f.until && ev.start_time >= new Date(f.until).getTime() / 1000) return false;
    return true;
  }
  filters.addEventListener("submit", (e) => { e.preventDefault(); loadFeed(); });
  filters.addEventListener("reset", () => setTimeout(loadFeed, 0));

  // ---- cards ----------------------------------------------------------------------------------
  function card(ev) {
    const evidence = Object.entries(ev.evidence || {}).map(([k, v]) => k + " = " + fmtValue(v)).join(" · ");
    const img = ev.snapshot_url
      ? el("img", { src: ev.snapshot_url, alt: "evidence snapshot (faces blurred)", loading: "lazy" })
      : el("div", { class: "noimg" }, "无截图 no snapshot");
    const body = el("div", {},
      // Only violations need follow-up; a passed check (a correct bow) or a measurement is a record.
      el("div", { class: "title" }, ev.rule_zh + " / " + ev.rule_en,
        ev.outcome === "violation"
          ? el("span", { class: "status " + ev.status, "data-status": ev.status }, ev.status_zh + " " + ev.status_en)
          : el("span", { class: "status record" }, ev.outcome === "pass" ? "合格 Passed" : "记录 Record")),
      el("div", { class: "meta" }, "窗口 Counter " + ev.counter_id + (ev.staff_id ? " · 人员 Staff " + ev.staff_id : "") +
        " · " + ev.category + " · " + fmtTime(ev.start_time) + (ev.end_time ? " – " + fmtTime(ev.end_time) : " (进行中 ongoing)") +
        (ev.outcome !== "violation" ? " · " + ev.outcome : "")),
      el("div", { class: "clause" }, "条款 Clause: " + ev.clause),
      evidence ? el("div", { class: "evidence" }, evidence) : null,
      ev.owner ? el("div", { class: "meta" }, "跟进 Follow-up: " + ev.owner + (ev.comment ? " — " + ev.comment : "")) : null,
    );
    if (canFollowUp && ev.outcome === "violation") body.append(actions(ev));
    const more = el("button", { type: "button", class: "link-dark", "data-role": "history" }, "记录 History");
    more.addEventListener("click", () => showHistory(ev.id, body, more));
    body.append(more);
    return el("article", { class: "card " + ev.outcome, "data-id": ev.id, "data-status": ev.status }, img, body);
  }
  function actions(ev) {
    const comment = el("input", { placeholder: "说明 Comment", class: "comment", maxLength: 2000 });
    const box = el("div", { class: "actions" }, comment);
    for (const [action, label, from] of ACTIONS) {
      if (!from.includes(ev.status)) continue;
      const b = el("button", { type: "button", "data-action": action }, label);
      b.addEventListener("click", () => followUp(ev.id, action, comment.value, box));
      box.append(b);
    }
    return box;
  }
  async function showHistory(id, body, button) {
    const res = await fetch("/api/events/" + encodeURIComponent(id));  // logged: who saw this alert
    if (!res.ok) return;
    const d = await res.json();
    body.querySelector("ul.history")?.remove();
    const items = d.history.map((h) => el("li", {}, fmtTime(h.at) + " " + h.actor + ": " + h.action + " → " + h.to +
      (h.comment ? " — " + h.comment : "")));
    const seen = [...new Set(d.seen_by.map((s) => s.username))].join(", ");
    items.push(el("li", { class: "meta" }, "查看人 Seen by: " + (seen || "—")));
    body.append(el("ul", { class: "history" }, ...items));
    button.remove();
  }
  async function followUp(id, action, comment, box) {
    box.querySelectorAll("button").forEach((b) => (b.disabled = true));
    // Clear the comment before the request: the live feed may redraw this card with the new status before the
    // response comes back, and a redraw keeps whatever the input still holds.
    box.querySelector("input.comment").value = "";
    const res = await fetch("/api/events/" + encodeURIComponent(id) + "/followup", {
      method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ action, comment: comment || null }),
    });
    if (!res.ok) {
      const msg = await res.json().catch(() => ({ detail: res.statusText }));
      alert("操作失败 Failed: " + msg.detail);
      box.querySelectorAll("button").forEach((b) => (b.disabled = false));
      const input = (cards.get(id) || box).querySelector("input.comment");  // the card may have been redrawn
      if (input && !input.value) input.value = comment || "";
      return;
    }
    upsert(await res.json(), false);
    refreshState();
  }
  function upsert(ev, fresh) {
    const old = cards.get(ev.id);
    if (!matches(ev)) { if (old) { old.remove(); cards.delete(ev.id); } return; }
    const node = card(ev);
    if (fresh) node.classList.add("fresh");
    // Keep a comment being typed when a live update redraws the card.
    const typed = old && old.querySelector("input.comment"), input = node.querySelector("input.comment");
    const focused = typed && document.activeElement === typed;
    if (typed && input) input.value = typed.value;
    if (old) old.replaceWith(node); else { feed.querySelector("p.empty")?.remove(); feed.prepend(node); }
    if (focused && input) input.focus();
    cards.set(ev.id, node);
  }
  async function loadFeed() {
    const res = await fetch("/api/events?" + filterParams());
    if (!res.ok) return;
    const events = await res.json();
    feed.replaceChildren();
    cards.clear();
    for (const ev of events.reverse()) upsert(ev, false);
    if (!events.length) feed.append(el("p", { class: "empty" }, "没有符合条件的告警 No alerts match."));
  }

  // ---- hall map and open list -----------------------------------------------------------------
  function renderState(s) {
    const map = document.getElementById("hall-map");
    map.replaceChildren(...s.counters.map((c) => el("div", {
      class: "tile " + c.state + (c.open_alerts ? " alert" : ""), "data-counter": c.counter_id, "data-state": c.state },
      el("div", { class: "cid" }, c.counter_id),
      c.open_alerts ? el("span", { class: "alerts", title: "open alerts" }, c.open_alerts) : null,
      el("div", { class: "state" }, c.state_zh + " " + c.state_en),
      el("div", { class: "meta" }, c.since ? "自 since " + fmtTime(c.since).slice(-8) : ""),
      el("div", { class: "meta" }, c.staff_id ? "人员 " + c.staff_id : "未排班 no roster"),
    )));
    if (!s.counters.length) map.append(el("p", { class: "empty" }, "尚无窗口状态 No counter has reported."));
    openItems = s.open;
    const count = document.getElementById("open-count");
    count.textContent = s.open.length;
    count.classList.toggle("done", s.open.length === 0);
    renderOpen();
    const fa = document.getElementById("false-alarms");
    const rows = Object.entries(s.false_alarms);
    fa.replaceChildren(...(rows.length ? rows.map(([r, n]) => el("tr", {}, el("td", {}, r), el("td", {}, n)))
      : [el("tr", {}, el("td", {}, "暂无 none yet"))]));
    const rate = s.followup_rate_24h;
    document.getElementById("followup-rate").textContent = rate.rate === null ? "" :
      "24 h 跟进率 follow-up rate: " + Math.round(rate.rate * 100) + "% (" + rate.closed + "/" + rate.violations + ")";
  }
  function renderOpen() {
    const now = Date.now() / 1000;
    const list = document.getElementById("open-list");
    list.replaceChildren(...openItems.slice(0, 50).map((e) => el("li", { "data-id": e.id },
      el("span", { class: "age" }, fmtAge(now - e.received_at)), " ", e.counter_id + " " + e.rule_zh + " / " + e.rule_en,
      " ", el("span", { class: "status " + e.status }, e.status_en))));
  }
  let stateTimer = null;
  function refreshState() {
    clearTimeout(stateTimer);
    stateTimer = setTimeout(async () => {
      const res = await fetch("/api/board?hall=" + encodeURIComponent(hall));
      if (res.ok) renderState(await res.json());
    }, 150);
  }
  setInterval(renderOpen, 1000);

  // ---- live -----------------------------------------------------------------------------------
  function connect() {
    const live = document.getElementById("live-state");
    const source = new EventSource("/api/stream?hall=" + encodeURIComponent(hall));
    source.onopen = () => { live.textContent = "实时 live"; live.className = "live on"; };
    source.onerror = () => { live.textContent = "重连中 reconnecting…"; live.className = "live off"; };
    source.addEventListener("event", (m) => { upsert(JSON.parse(m.data), true); refreshState(); });
    source.addEventListener("followup", (m) => { upsert(JSON.parse(m.data), false); refreshState(); });
    source.addEventListener("status", refreshState);
    source.addEventListener("availability", refreshState);
  }

  const today = new Date();
  const iso = today.getFullYear() + "-" + String(today.getMonth() + 1).padStart(2, "0") + "-" + String(today.getDate()).padStart(2, "0");
  document.getElementById("today-report").href = "/reports/" + encodeURIComponent(hall) + "/day/" + iso + ".html";

  refreshState();
  connect();  // subscribe first, then load: nothing slips between the two
  loadFeed();
})();
