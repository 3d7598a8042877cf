// exhibit workspace: highlight a selected passage or a dragged rectangle, copy a citation. The forms work
// without it (type the passage); no inline script or style (the CSP forbids them).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const b of document.querySelectorAll("button.copy-citation")) {
    b.addEventListener("click", async () => {
      const text = b.dataset.citation || "";
      try { await navigator.clipboard.writeText(text); b.textContent = "Copied"; }
      catch (e) { b.textContent = "Select and copy the citation"; }
    });
  }
  const form = document.getElementById("highlight-form");
  if (!form) return;
  const quote = form.querySelector("textarea[name=quote]");
  const rectField = form.querySelector("input[name=rect]");
  // A selection inside the page text becomes the passage.
  const text = document.querySelector(".pagecol .doctext");
  document.addEventListener("selectionchange", () => {
    const sel = window.getSelection();
    if (!text || !sel || sel.isCollapsed || !sel.anchorNode || !text.contains(sel.anchorNode)) return;
    const s = sel.toString().trim();
    if (s) { quote.value = s; rectField.value = ""; }
  });
  // Saved rectangles drawn over the page image; a drag draws a new one.
  const img = document.getElementById("pageimage");
  if (!img) return;
  const fig = img.parentElement;
  fig.classList.add("hl-host");
  const page = form.querySelector("input[name=page]").value;
  const place = (box, r) => {
    box.style.left = (r[0] * 100) + "%"; box.style.top = (r[1] * 100) + "%";
    box.style.width = ((r[2] - r[0]) * 100) + "%"; box.style.height = ((r[3] - r[1]) * 100) + "%";
  };
  for (const li of document.querySelectorAll("li.highlight.rect")) {
    if (li.dataset.page !== page || !li.dataset.rect) continue;
    const box = document.createElement("div");
    box.className = "hl-rect";
    place(box, li.dataset.rect.split(",").map(Number));
    fig.appendChild(box);
  }
  let start = null, drawing = null;
  const frac = (ev) => {
    const b = img.getBoundingClientRect();
    return [Math.min(1, Math.max(0, (ev.clientX - b.left) / b.width)),
            Math.min(1, Math.max(0, (ev.clientY - b.top) / b.height))];
  };
  img.addEventListener("dragstart", (ev) => ev.preventDefault());
  img.addEventListener("mousedown", (ev) => {
    start = frac(ev);
    drawing = document.createElement("div");
    drawing.className = "hl-rect drawing";
    fig.appendChild(drawing);
  });
  document.addEventListener("mousemove", (ev) => {
    if (!start) return;
    const p = frac(ev);
    place(drawing, [Math.min(start[0], p[0]), Math.min(start[1], p[1]), Math.max(start[0], p[0]), Math.max(start[1], p[1])]);
  });
  document.addEventListener("mouseup", (ev) => {
    if (!start) return;
    const p = frac(ev);
    const r = [Math.min(start[0], p[0]), Math.min(start[1], p[1]), Math.max(start[0], p[0]), Math.max(start[1], p[1])];
    start = null;
    if (r[2] - r[0] < 0.005 || r[3] - r[1] < 0.005) { drawing.remove(); return; }
    rectField.value = r.map((x) => x.toFixed(4)).join(",");
    quote.value = "";
  });
});
