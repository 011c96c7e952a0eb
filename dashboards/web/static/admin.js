"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const post = (url, body) => fetch(url, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
                                           body: JSON.stringify(body) });
  const form = document.getElementById("new-user");
  if (form) {
    const status = document.getElementById("users-status");
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const res = await post("/api/users", Object.fromEntries(new FormData(form)));
      const data = await res.json();
      if (res.ok) location.reload(); else status.textContent = data.detail;
    });
    document.querySelectorAll("#users tr[data-user]").forEach((row) => {
      const name = row.dataset.user;
      row.querySelector(".toggle").addEventListener("click", async (e) => {
        const res = await post("/api/users/" + encodeURIComponent(name), { disabled: e.target.dataset.disabled !== "true" });
        if (res.ok) location.reload(); else status.textContent = (await res.json()).detail;
      });
      row.querySelector(".reset").addEventListener("click", async () => {
        const password = prompt("新密码 New password for " + name + " (≥ 8 characters)");
        if (!password) return;
        const res = await post("/api/users/" + encodeURIComponent(name), { password });
        status.textContent = res.ok ? "密码已更新 password changed" : (await res.json()).detail;
      });
    });
  }
  const save = document.getElementById("policy-save");
  if (save) {
    save.addEventListener("click", async () => {
      const res = await post("/api/policy", { text: document.getElementById("policy-text").value });
      const data = await res.json();
      const errors = document.getElementById("policy-errors");
      if (res.ok) { errors.hidden = true; document.getElementById("policy-status").textContent = "已保存 saved, version " + data.version; }
      else { errors.hidden = false; errors.textContent = data.detail; }
    });
  }
})();
