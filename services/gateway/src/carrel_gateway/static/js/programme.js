// A team's programme page: what it offers and its open mentor places, shown on
// the programme page and above the join form. The gateway answers 404 when the
// team keeps the page for its members.
import { api, ApiError, el } from "./api.js";

const section = document.getElementById("programme");

function when(page) {
  if (page.mode !== "cohort") return "Rolling programme: join any time.";
  return `Current cohort: ${page.cohort_starts_on} to ${page.cohort_ends_on}.`;
}

function draw(page) {
  document.getElementById("programme-title").textContent = page.name;
  document.getElementById("programme-summary").textContent = page.summary;
  document.getElementById("programme-when").textContent = when(page);
  document.getElementById("programme-counts").textContent =
    `${page.mentors} mentors and ${page.mentees} mentees; ` +
    `${page.open_places} open mentor places with ${page.mentors_with_places} mentors.`;
  const cell = (value) => el("td", {}, String(value));
  document.querySelector("#programme-places tbody").replaceChildren(...page.open_places_by_skill.map((p) =>
    el("tr", {}, el("th", { scope: "row" }, p.label || p.skill_id), cell(p.mentors), cell(p.places))));
  section.hidden = false;
}

if (section) {
  try {
    draw(await api(`/teams/${section.dataset.programmeTeam}/programme`));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const closed = document.getElementById("programme-closed");
    if (closed) closed.hidden = false;
  }
}
