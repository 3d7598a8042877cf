// exhibit: a little progressive enhancement; every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Buttons that start slow work say so and cannot be pressed twice.
  for (const form of document.querySelectorAll("form")) {
    form.addEventListener("submit", () => {
      const b = form.querySelector("button[data-busy]");
      if (b) { b.textContent = b.dataset.busy; setTimeout(() => { b.disabled = true; }, 0); }
    });
  }
  // The current register row scrolls into view.
  const row = document.getElementById("row-current");
  if (row) row.scrollIntoView({ block: "center" });
  // Link review: a = accept, r = reject, u = unsure (when no input has focus).
  const judge = document.querySelector("form.judge");
  if (judge) {
    document.addEventListener("keydown", (ev) => {
      if (ev.target.closest("input, textarea, select") || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      const verdict = { a: "accept", r: "reject", u: "unsure" }[ev.key];
      const b = verdict && judge.querySelector(`button[value="${verdict}"]`);
      if (b) b.click();
    });
  }
});
