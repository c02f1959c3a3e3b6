// Keyboard moderation for the queue page: j/k move, a approve, r reject (reason picker), e escalate,
// x select for the bulk bar. It only moves focus and submits the page's own forms; it never builds HTML
// (the server renders every comment, escaped).
(function () {
  "use strict";
  let current = 0;

  const items = () => Array.from(document.querySelectorAll("#queue .item"));
  const isOpen = (item) => !item.classList.contains("decided");

  function show(index, focus = true) {
    const all = items();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((item, i) => {
      item.classList.toggle("current", i === current);
      if (i === current) item.setAttribute("aria-current", "true");
      else item.removeAttribute("aria-current");
    });
    if (!focus) return;
    all[current].focus({ preventScroll: true });
    all[current].scrollIntoView({ block: "nearest" });
  }

  // Moving to a comment (j/k, a click) claims it for a short while, so a colleague is not given the one
  // being read; opening or merely listing the queue claims nothing. A refusal (409) marks the item as held by someone else.
  let claimed = null;
  function claim(item) {
    const queue = document.getElementById("queue");
    if (!item || !isOpen(item) || item === claimed || !queue) return;
    claimed = item;
    const body = new URLSearchParams({ csrf: queue.dataset.csrf || "" });
    fetch(`/ui/items/${encodeURIComponent(item.dataset.id)}/claim`, { method: "POST", body, credentials: "same-origin" })
      .then((answer) => item.classList.toggle("held-by-other", answer.status === 409))
      .catch(() => {});
  }

  function step(direction) {
    const all = items();
    for (let i = current + direction; i >= 0 && i < all.length; i += direction) {
      if (isOpen(all[i])) { show(i); claim(all[i]); return; }
    }
    show(current); // nothing open that way: stay
  }

  function submit(item, action) {
    const form = item && isOpen(item) && item.querySelector(`form.decide[data-action="${action}"]`);
    if (form) form.requestSubmit();
  }

  function openPicker(item) {
    const picker = item && isOpen(item) && item.querySelector("details.reject");
    if (!picker) return;
    picker.open = true;
    picker.querySelector("select").focus();
  }

  function closePicker(details) {
    details.open = false;
    const item = details.closest(".item");
    if (item) item.focus({ preventScroll: true });
  }

  function updateSelection() {
    const count = document.querySelectorAll("#queue .select:checked").length;
    const output = document.getElementById("selected-count");
    if (output) output.value = String(count);
    const bar = document.getElementById("bulk");
    if (bar) bar.classList.toggle("active", count > 0);
  }

  function toggleSelect(item) {
    const box = item && item.querySelector(".select");
    if (!box) return;
    box.checked = !box.checked;
    updateSelection();
  }

  function isTyping(element) {
    const tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable) return true;
    return tag === "INPUT" && !["checkbox", "radio", "button", "submit"].includes(element.type);
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const picker = event.target.closest && event.target.closest("details.reject");
    if (picker) {
      if (event.key === "Escape") { event.preventDefault(); closePicker(picker); }
      else if (event.key === "Enter" && event.target.tagName === "SELECT") {
        event.preventDefault();
        picker.querySelector("form").requestSubmit();
      } else if (/^[1-9]$/.test(event.key) && event.target.tagName === "SELECT") {
        const option = event.target.options[Number(event.key) - 1];
        if (option) { event.preventDefault(); event.target.value = option.value; }
      }
      return;
    }
    if (isTyping(event.target)) return;
    const item = items()[current];
    const actions = {
      j: () => step(1), k: () => step(-1),
      a: () => submit(item, "approve"), e: () => submit(item, "escalate"),
      r: () => openPicker(item), x: () => toggleSelect(item),
    };
    const act = actions[event.key];
    if (act) { event.preventDefault(); act(); }
  });

  // A click in an item makes it the current one; a click on one of its controls keeps the focus there.
  document.addEventListener("click", (event) => {
    const item = event.target.closest && event.target.closest("#queue .item");
    if (!item) return;
    const onControl = event.target.closest("a, button, input, select, summary, textarea");
    show(items().indexOf(item), !onControl);
    claim(item);
  });

  document.addEventListener("change", (event) => {
    if (event.target.classList && event.target.classList.contains("select")) updateSelection();
  });

  // A decided item comes back from the server in place of the old one: move on to the next open one.
  document.addEventListener("htmx:afterSettle", () => {
    const item = items()[current];
    if (item && item.hasAttribute("data-just-decided")) {
      item.removeAttribute("data-just-decided");
      step(1);
    } else show(current);
    updateSelection();
  });

  document.addEventListener("DOMContentLoaded", () => {
    const all = items();
    const first = all.findIndex(isOpen);
    if (first >= 0) show(first);
    updateSelection();
  });
})();
