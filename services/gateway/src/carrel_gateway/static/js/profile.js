// My profile: one form per section, each saved with the version it read.
import { api, ApiError, clearErrors, el, say, showErrors } from "./api.js";
import { autocomplete } from "./autocomplete.js";

let profile = null;
const skills = new Map();   // skill id -> {label, proficiency}
const goals = new Map();    // skill id -> label
const state = document.getElementById("profile-state");

async function load() {
  try {
    profile = await api("/me/profile");
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    profile = await api("/me/profile", { method: "POST", body: { display_name: "New member" } });
  }
  fill();
}

function fill() {
  const details = profile.details || {};
  setValues("details", { display_name: profile.display_name, headline: details.headline,
    current_role: details.current_role, years_of_experience: details.years_of_experience });
  skills.clear();
  for (const s of profile.skills || []) skills.set(s.skill_id, { label: s.label, proficiency: s.proficiency });
  goals.clear();
  for (const g of profile.learning_goals || []) goals.set(g.skill_id, g.label);
  const place = profile.location || {};
  setValues("location", place);
  const mentoring = profile.mentoring || {};
  setValues("mentoring", { mentor_capacity: mentoring.mentor_capacity });
  document.querySelectorAll("#mentoring [name=roles]").forEach((box) => {
    box.checked = (mentoring.roles || []).includes(box.value);
  });
  drawChips();
  guide();
  state.textContent = `Version ${profile.version}`;
}

// The smallest profile matching needs: a role, and for a mentee a skill to grow,
// for a mentor a skill to teach and room for a mentee. Shown until it is there.
function steps() {
  const mentoring = profile.mentoring || {};
  const roles = mentoring.roles || [];
  const wanted = [{ text: "Choose mentee, mentor or both under Mentoring, and save", done: roles.length > 0 }];
  if (roles.includes("mentee")) {
    wanted.push({ text: "Add a skill you want to grow, and save your learning goals",
      done: (profile.learning_goals || []).length > 0 });
  }
  if (roles.includes("mentor")) {
    wanted.push({ text: "Add a skill you can teach, and save your skills", done: (profile.skills || []).length > 0 });
    wanted.push({ text: "Say how many mentees you can take", done: (mentoring.mentor_capacity || 0) > 0 });
  }
  return wanted;
}

function guide() {
  const wanted = steps();
  const ready = wanted.every((step) => step.done);
  const section = document.getElementById("getting-started");
  const wasOpen = !section.hidden;
  section.hidden = ready && !wasOpen;
  document.getElementById("getting-started-steps").replaceChildren(...wanted.map((step) =>
    el("li", { class: step.done ? "done" : "todo" }, `${step.done ? "Done: " : "To do: "}${step.text}`)));
  document.getElementById("getting-started-done").hidden = !ready;
}

function setValues(formId, values) {
  const form = document.getElementById(formId);
  for (const [name, value] of Object.entries(values)) {
    const field = form.querySelector(`input[name="${name}"]`);
    if (field && value !== undefined && value !== null) field.value = value;
  }
}

function chip(label, onRemove) {
  return el("li", {}, label, " ", el("button", { type: "button", "aria-label": `Remove ${label}`, onclick: onRemove }, "×"));
}

function drawChips() {
  document.getElementById("chosen-skills").replaceChildren(...[...skills].map(([id, s]) =>
    chip(`${s.label} (${s.proficiency})`, () => { skills.delete(id); drawChips(); })));
  document.getElementById("chosen-goals").replaceChildren(...[...goals].map(([id, label]) =>
    chip(label, () => { goals.delete(id); drawChips(); })));
}

async function searchSkills(text) {
  const found = await api(`/skills?q=${encodeURIComponent(text)}&limit=8`);
  return found.map((m) => ({ id: m.skill.id, label: m.skill.label, hint: m.skill.category_label }));
}

const number = (value) => (value === "" || value === null ? null : Number(value));

const bodies = {
  details: (data) => ({ display_name: data.get("display_name"), headline: data.get("headline"),
    current_role: data.get("current_role"), years_of_experience: number(data.get("years_of_experience")) }),
  skills: () => ({ skills: [...skills].map(([skill_id, s]) => ({ skill_id, proficiency: s.proficiency })) }),
  "learning-goals": () => ({ skill_ids: [...goals.keys()] }),
  location: (data) => ({ city: data.get("city"), region: data.get("region"),
    country: data.get("country").toUpperCase(),
    latitude: number(data.get("latitude")), longitude: number(data.get("longitude")) }),
  mentoring: (data) => ({ roles: data.getAll("roles"), mentor_capacity: number(data.get("mentor_capacity")) || 0 }),
};

for (const form of document.querySelectorAll("form[data-section]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const section = form.dataset.section;
    const body = { ...bodies[section](new FormData(form)), expected_version: profile.version };
    try {
      profile = await api(`/me/profile/${section}`, { method: "PUT", body });
      fill();
      say(`Saved ${section.replace("-", " ")}`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showErrors(form, error);
    }
  });
}

autocomplete(document.getElementById("skill-search"), document.getElementById("skill-options"),
  searchSkills, (option) => {
    const level = Number(document.getElementById("proficiency").value);
    skills.set(option.id, { label: option.label, proficiency: level });
    drawChips();
  });
autocomplete(document.getElementById("goal-search"), document.getElementById("goal-options"),
  searchSkills, (option) => { goals.set(option.id, option.label); drawChips(); });

await load();
