// A combobox with a list of suggestions, usable from the keyboard alone:
// type to search, arrows to move, Enter to choose, Escape to close.
import { el } from "./api.js";

export function autocomplete(input, listbox, search, choose) {
  let options = [];
  let active = -1;
  let timer = null;

  function render() {
    listbox.replaceChildren(...options.map((option, i) => el("li", {
      id: `${listbox.id}-${i}`, role: "option", "aria-selected": i === active ? "true" : "false",
      onmousedown: (event) => { event.preventDefault(); pick(i); },
    }, option.label, option.hint ? el("span", { class: "muted" }, ` — ${option.hint}`) : null)));
    input.setAttribute("aria-expanded", options.length ? "true" : "false");
    if (active >= 0) input.setAttribute("aria-activedescendant", `${listbox.id}-${active}`);
    else input.removeAttribute("aria-activedescendant");
  }

  function pick(i) {
    const option = options[i];
    options = []; active = -1; render();
    if (option) { input.value = ""; choose(option); }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (!text) { options = []; render(); return; }
    timer = setTimeout(async () => { options = await search(text); active = options.length ? 0 : -1; render(); }, 150);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && options.length) { active = (active + 1) % options.length; render(); event.preventDefault(); }
    else if (event.key === "ArrowUp" && options.length) { active = (active - 1 + options.length) % options.length; render(); event.preventDefault(); }
    else if (event.key === "Enter" && active >= 0) { event.preventDefault(); pick(active); }
    else if (event.key === "Escape") { options = []; active = -1; render(); }
  });
  input.addEventListener("blur", () => setTimeout(() => { options = []; render(); }, 100));
}
