// The redaction mode: proposals laid over the page (click to remove or restore), boxes drawn by dragging,
// a preview that follows the form. The form works without this script (tick boxes, type a box).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const fig = document.getElementById("redact-page");
  const form = document.getElementById("redact-form");
  if (!fig || !form) return;
  const W = parseFloat(fig.dataset.width), H = parseFloat(fig.dataset.height);
  const place = (el, [x0, y0, x1, y1]) => {
    el.style.left = (100 * x0 / W) + "%"; el.style.top = (100 * y0 / H) + "%";
    el.style.width = (100 * (x1 - x0) / W) + "%"; el.style.height = (100 * (y1 - y0) / H) + "%";
  };
  const box = (el) => el.dataset.box.split(",").map(Number);
  const checkbox = (key) => form.querySelector(`input[type=checkbox][name=keep][value="${CSS.escape(key)}"]`);
  for (const el of fig.querySelectorAll(".region.proposal")) {
    place(el, box(el));
    el.addEventListener("click", (ev) => {
      ev.preventDefault();
      const cb = checkbox(el.dataset.key);
      if (!cb || cb.disabled) return;
      cb.checked = !cb.checked;
      cb.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }
  form.addEventListener("change", (ev) => {
    const cb = ev.target;
    if (cb.name !== "keep") return;
    const el = fig.querySelector(`.region.proposal[data-key="${CSS.escape(cb.value)}"]`);
    if (el) el.classList.toggle("removed", !cb.checked);
  });
  // drawing: drag on the page; each box becomes a hidden `box` field and an entry in the list
  const list = document.getElementById("drawn-boxes");
  let start = null, ghost = null;
  const at = (ev) => {
    const r = fig.getBoundingClientRect();
    return [Math.min(Math.max(ev.clientX - r.left, 0), r.width) * W / r.width,
            Math.min(Math.max(ev.clientY - r.top, 0), r.height) * H / r.height];
  };
  const rect = (a, b) => [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1])];
  fig.addEventListener("mousedown", (ev) => {
    if (ev.target.closest(".region") || ev.button !== 0) return;
    ev.preventDefault();
    start = at(ev);
    ghost = document.createElement("div");
    ghost.className = "region drawn";
    fig.appendChild(ghost);
    place(ghost, [...start, ...start]);
  });
  document.addEventListener("mousemove", (ev) => { if (start) place(ghost, rect(start, at(ev))); });
  document.addEventListener("mouseup", (ev) => {
    if (!start) return;
    const b = rect(start, at(ev)).map((v) => Math.round(v * 10) / 10);
    start = null;
    if (b[2] - b[0] < 2 || b[3] - b[1] < 2) { ghost.remove(); return; }
    const input = document.createElement("input");
    input.type = "hidden"; input.name = "box"; input.value = b.join(",");
    form.appendChild(input);
    const li = document.createElement("li");
    li.textContent = b.join(", ") + " ";
    const rm = document.createElement("button");
    rm.type = "button"; rm.className = "link"; rm.textContent = "remove";
    const drawn = ghost;
    rm.addEventListener("click", () => { input.remove(); drawn.remove(); li.remove(); showPreview(); });
    li.appendChild(rm);
    list.appendChild(li);
    ghost = null;
    showPreview();
  });
  // preview in place instead of a new tab
  const preview = document.getElementById("preview"), img = document.getElementById("preview-image");
  const showPreview = () => {
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (["page", "keep", "box"].includes(k) && v) q.append(k, v);
    img.src = `${form.action.replace(/\/export$/, "/preview.png")}?${q}`;
    preview.hidden = false;
  };
  document.getElementById("preview-button").addEventListener("click", (ev) => { ev.preventDefault(); showPreview(); });
});
