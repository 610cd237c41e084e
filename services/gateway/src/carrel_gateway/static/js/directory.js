// The team directory: search, facets to narrow down, and a map of places.
import { ApiError, el, live, showErrors, teamApi } from "./api.js";
import { scatterMap } from "./charts.js";
import { listOf } from "./lists.js";

const form = document.getElementById("search");
const chosen = new Map(); // facet name -> value

async function search() {
  const query = new URLSearchParams();
  const text = new FormData(form).get("q");
  if (text) query.set("q", text);
  for (const [name, value] of chosen) query.append(name, value);
  try {
    const answer = await teamApi(`/directory?${query}`);
    draw(answer);
  } catch (error) {
    if (error instanceof ApiError) showErrors(form, error); else throw error;
  }
}

function draw(answer) {
  const people = listOf(answer, "members");
  document.getElementById("total").textContent = `(${answer?.total ?? people.length})`;
  document.getElementById("people").replaceChildren(...people.map((p) => el("li", {},
    el("strong", {}, p.display_name || p.name || p.person_id),
    p.headline ? ` — ${p.headline}` : "",
    p.city ? el("span", { class: "muted" }, ` · ${p.city}`) : "",
    p.roles?.length ? el("span", { class: "muted" }, ` · ${p.roles.join(", ")}`) : "")));
  const facets = answer?.facets || {};
  document.getElementById("facets").replaceChildren(...Object.entries(facets).map(([name, buckets]) =>
    el("fieldset", {}, el("legend", {}, name.replaceAll("_", " ")),
      ...listOf(buckets).slice(0, 8).map((b) => {
        const value = b.value, id = `facet-${name}-${value}`;
        return el("div", {}, el("input", { type: "checkbox", id, checked: chosen.get(name) === String(value),
          onchange: (e) => { if (e.target.checked) chosen.set(name, String(value)); else chosen.delete(name); search(); } }),
          el("label", { for: id }, ` ${value} (${b.count})`));
      }))));
  const points = people.map((p) => ({ latitude: p.location?.lat, longitude: p.location?.lon,
    label: p.display_name || "" }));
  scatterMap(document.getElementById("map"), points, `Map of ${points.length} members`);
}

form.addEventListener("submit", (event) => { event.preventDefault(); search(); });
live(() => search());
search();
