// Keyboard moderation for the queue page: j/k move, a approve, r reject (reason picker), e escalate,
// x select for the bulk bar, u the commenter drawer, o the comment's own page, / search, ? the key help.
// It only moves focus, opens the page's own dialogs and submits its own forms; it never builds HTML (the
// server renders every comment, escaped; htmx swaps what the server sent).
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

  function openDrawer(item) {
    const author = item && item.querySelector("a.author");
    if (author) author.click(); // htmx loads the commenter into #drawer
  }

  function closeDrawer() {
    const drawer = document.getElementById("drawer");
    if (!drawer || !drawer.children.length) return false;
    drawer.replaceChildren();
    const item = items()[current];
    if (item) item.focus({ preventScroll: true });
    return true;
  }

  function openOwnPage(item) {
    const link = item && item.querySelector("a.permalink");
    if (link) window.location.assign(link.href);
  }

  function showHelp() {
    const help = document.getElementById("keys-help");
    if (help && !help.open) help.showModal();
  }

  function focusSearch() {
    const search = document.querySelector("form.filter input[name=q]");
    if (search) search.focus();
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
    if (event.key === "Escape" && closeDrawer()) { event.preventDefault(); return; }
    if (isTyping(event.target) || (event.target.closest && event.target.closest("#drawer, dialog"))) return;
    const item = items()[current];
    const actions = {
      j: () => step(1), k: () => step(-1),
      a: () => submit(item, "approve"), e: () => submit(item, "escalate"),
      r: () => openPicker(item), x: () => toggleSelect(item),
      u: () => openDrawer(item), o: () => openOwnPage(item), "/": focusSearch, "?": showHelp,
    };
    const act = actions[event.key];
    if (act) { event.preventDefault(); act(); }
  });

  // A click in an item makes it the current one; a click on one of its controls keeps the focus there.
  document.addEventListener("click", (event) => {
    if (event.target.closest && event.target.closest("button.close-drawer")) { closeDrawer(); return; }
    const item = event.target.closest && event.target.closest("#queue .item");
    if (!item) return;
    const onControl = event.target.closest("a, button, input, select, summary, textarea");
    show(items().indexOf(item), !onControl);
    claim(item);
  });

  document.addEventListener("change", (event) => {
    if (event.target.classList && event.target.classList.contains("select")) updateSelection();
  });

  // New comments arrive below the ones being read; the moderator's current item, focus and scroll stay put.
  function settleArrivals() {
    const seen = new Set();
    items().forEach((item) => { // a comment stored while the page was read can come twice: keep the first
      if (seen.has(item.id)) item.remove(); else seen.add(item.id);
    });
    const empty = document.querySelector("#queue .empty");
    if (empty && items().length) empty.remove();
    const all = items();
    all.forEach((item, i) => item.classList.toggle("current", i === current));
  }

  // A decided item comes back from the server in place of the old one: move on to the next open one.
  document.addEventListener("htmx:afterSettle", (event) => {
    const from = event.detail && event.detail.elt;
    if (from && from.id === "arrivals") { settleArrivals(); return; }
    const target = event.detail && event.detail.target;
    if ((target && target.id === "drawer") || (from && from.closest && from.closest("#drawer, .commenter"))) return;
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
