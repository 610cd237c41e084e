// Requests to answer, my mentorships, and one mentorship's sessions, goals, feedback.
import { ApiError, clearErrors, el, live, memberId, say, showErrors, teamApi } from "./api.js";
import { listOf } from "./lists.js";

let current = null;
const names = new Map();

async function nameOf(personId) {
  if (!names.has(personId)) {
    names.set(personId, teamApi(`/profiles/${personId}`).then((p) => p.display_name).catch(() => "a member"));
  }
  return names.get(personId);
}

async function load() {
  let mentorships = [];
  try {
    mentorships = listOf(await teamApi("/mentorships"), "mentorships", "items");
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    document.getElementById("inbox").replaceChildren(el("li", { class: "form-error" }, `Mentorships are not available (${error.message}).`));
    return;
  }
  const waiting = mentorships.filter((m) => m.mentor_id === memberId && ["requested", "information_requested", "clarified"].includes(m.status));
  document.getElementById("inbox").replaceChildren(...await Promise.all(waiting.map(async (m) => {
    const who = await nameOf(m.mentee_id);
    return el("li", { "data-mentorship-id": m.id }, el("strong", {}, who), m.message ? ` — “${m.message}”` : "", " ",
      el("button", { type: "button", onclick: () => answer(m, "accept", {}) }, `Accept ${who}`), " ",
      el("button", { type: "button", class: "secondary", onclick: () => decline(m) }, "Decline"));
  })));
  if (!waiting.length) document.getElementById("inbox").replaceChildren(el("li", { class: "muted" }, "Nothing waiting."));
  document.getElementById("mine").replaceChildren(...await Promise.all(mentorships.map(async (m) => {
    const mentoring = m.mentor_id === memberId;
    const other = await nameOf(mentoring ? m.mentee_id : m.mentor_id);
    const actions = [el("button", { type: "button", class: "secondary", onclick: () => open(m.id) }, `Open with ${other}`)];
    if (!mentoring && WITHDRAWABLE.includes(m.status)) {
      actions.push(" ", el("button", { type: "button", class: "secondary", onclick: () => withdraw(m, other) }, `Withdraw my request to ${other}`));
    }
    return el("tr", {}, el("td", {}, other), el("td", {}, mentoring ? "mentor" : "mentee"),
      el("td", { "data-status": m.status }, m.status), el("td", {}, ...actions));
  })));
}

// A mentee takes back a request the mentor has not yet accepted or declined.
const WITHDRAWABLE = ["requested", "information_requested"];

function withdraw(m, other) {
  if (window.confirm(`Withdraw your request to ${other}? You can ask them again later.`)) {
    answer(m, "withdraw", {});
  }
}

async function answer(m, action, body) {
  try {
    await teamApi(`/mentorships/${m.id}/${action}`, { method: "POST", body: { ...body, expected_version: m.version } });
    say({ accept: "Request accepted", withdraw: "Request withdrawn" }[action] || "Answer sent");
    await load();
  } catch (error) {
    if (error instanceof ApiError) say(`Refused: ${error.message}`); else throw error;
  }
}

function decline(m) {
  const reason = window.prompt("Why do you decline? (the mentee sees this)");
  if (reason) answer(m, "decline", { reason });
}

async function open(id) {
  current = await teamApi(`/mentorships/${id}`);
  const sessions = await teamApi(`/mentorships/${id}/sessions`);
  document.getElementById("detail").hidden = false;
  document.getElementById("detail-status").textContent = `Status: ${current.status}`;
  document.getElementById("sessions").replaceChildren(...sessions.map((s) =>
    el("li", {}, `${s.held_on}, ${s.minutes} min`, s.notes ? ` — ${s.notes}` : "")));
  document.getElementById("goals").replaceChildren(...current.goals.map((g) => {
    const id = `progress-${g.goal_id}`;
    return el("li", {}, `${g.title} `, el("label", { for: id }, "progress %"), " ",
      el("input", { id, type: "number", min: 0, max: 100, value: g.progress, onchange: (e) => progress(g.goal_id, e.target.value) }));
  }));
  document.getElementById("detail-title").focus?.();
}

async function progress(goalId, value) {
  current = await teamApi(`/mentorships/${current.id}/goals/${goalId}/progress`, { method: "PUT",
    body: { progress: Number(value), expected_version: current.version } }).then(() => teamApi(`/mentorships/${current.id}`));
  say("Progress saved");
}

function submitting(formId, path, bodyOf) {
  const form = document.getElementById(formId);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      await teamApi(`/mentorships/${current.id}/${path}`, { method: "POST", body: bodyOf(new FormData(form)) });
      form.reset();
      await open(current.id);
      say("Saved");
    } catch (error) {
      if (error instanceof ApiError) showErrors(form, error); else throw error;
    }
  });
}

submitting("log-session", "sessions", (d) => ({ held_on: d.get("held_on"), minutes: Number(d.get("minutes")), notes: d.get("notes") }));
submitting("set-goal", "goals", (d) => ({ title: d.get("title"), target_date: d.get("target_date") || null }));
submitting("feedback", "feedback", (d) => ({ rating: Number(d.get("rating")), comment: d.get("comment") }));

live(() => load());
load();
