// The team directory: search, facets to narrow down, and a map of places.
import { api, ApiError, el, live, showErrors, teamApi } from "./api.js";
import { scatterMap } from "./charts.js";
import { listOf } from "./lists.js";

const form = document.getElementById("search");

// The directory answers facets under these names; the search takes each under
// its query key. Several values of one facet widen the search (any of them);
// availability is yes or no, so choosing one drops the other.
const FACETS = {
  skills: { key: "skill", legend: "Skills" },
  interests: { key: "interest", legend: "Interests" },
  region: { key: "region", legend: "Region" },
  role: { key: "role", legend: "Role" },
  availability: { key: "available", legend: "Availability", single: true },
  match_status: { key: "match_status", legend: "Match status" },
};
const chosen = new Map(); // facet name -> Set of values
// A facet's counts narrow to what is chosen; its other values are kept from
// before the choice, so that a second value can still be added.
const offered = new Map(); // facet name -> buckets
const skillLabels = new Map();

function valuesOf(name) {
  if (!chosen.has(name)) chosen.set(name, new Set());
  return chosen.get(name);
}

// Searches may overlap (a choice, then a live change); only the latest draws.
let latest = 0;

async function search() {
  const mine = ++latest;
  const query = new URLSearchParams();
  const text = new FormData(form).get("q");
  if (text) query.set("q", text);
  for (const [name, values] of chosen) {
    for (const value of values) query.append(FACETS[name]?.key || name, value);
  }
  try {
    const answer = await teamApi(`/directory?${query}`);
    await nameSkills(listOf(answer?.facets?.skills));
    if (mine === latest) draw(answer);
  } catch (error) {
    if (error instanceof ApiError) showErrors(form, error); else throw error;
  }
}

async function nameSkills(buckets) {
  const unknown = buckets.map((b) => b.value).filter((id) => !skillLabels.has(id));
  await Promise.all(unknown.map(async (id) => {
    const skill = await api(`/skills/${encodeURIComponent(id)}`).catch(() => null);
    skillLabels.set(id, skill?.label || id);
  }));
}

function labelOf(name, value) {
  if (name === "skills") return skillLabels.get(value) || value;
  if (name === "availability") return value === "true" ? "available" : "not available";
  return String(value).replaceAll("_", " ");
}

function toggle(name, value, on) {
  const values = valuesOf(name);
  if (on && FACETS[name]?.single) values.clear();
  if (on) values.add(value); else values.delete(value);
  search();
}

function facetBox(name, bucket) {
  const value = String(bucket.value);
  const box = el("input", { type: "checkbox", value, checked: valuesOf(name).has(value),
    onchange: (e) => toggle(name, value, e.target.checked) });
  return el("div", {}, el("label", {}, box, ` ${labelOf(name, value)} (${bucket.count})`));
}

function drawFacets(facets) {
  document.getElementById("facets").replaceChildren(...Object.entries(facets).map(([name, buckets]) => {
    if (!valuesOf(name).size || !offered.has(name)) offered.set(name, listOf(buckets));
    const shown = offered.get(name).slice(0, 12);
    for (const value of valuesOf(name)) {
      if (!shown.some((b) => String(b.value) === value)) shown.push({ value, count: 0 });
    }
    const legend = FACETS[name]?.legend || name.replaceAll("_", " ");
    return el("fieldset", { "data-facet": name }, el("legend", {}, legend),
      ...(shown.length ? shown.map((b) => facetBox(name, b)) : [el("p", { class: "muted" }, "None yet.")]));
  }));
}

function draw(answer) {
  const people = listOf(answer, "members");
  document.getElementById("total").textContent = `(${answer?.total ?? people.length})`;
  document.getElementById("people").replaceChildren(...people.map((p) => el("li", {},
    el("strong", {}, p.display_name || p.name || p.person_id),
    p.headline ? ` — ${p.headline}` : "",
    p.city ? el("span", { class: "muted" }, ` · ${p.city}`) : "",
    p.roles?.length ? el("span", { class: "muted" }, ` · ${p.roles.join(", ")}`) : "")));
  drawFacets(answer?.facets || {});
  const points = people.map((p) => ({ latitude: p.location?.lat, longitude: p.location?.lon,
    label: p.display_name || "" }));
  scatterMap(document.getElementById("map"), points, `Map of ${points.length} members`);
}

form.addEventListener("submit", (event) => { event.preventDefault(); search(); });
live(() => search());
search();
