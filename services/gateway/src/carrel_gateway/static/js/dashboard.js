// The coordinator's live dashboard: counters, charts, map, activity, kept fresh
// by the team's server-sent events.
import { api, ApiError, el, live, say, teamApi } from "./api.js";
import { funnel, groupedBars, scatterMap } from "./charts.js";
import { listOf } from "./lists.js";

const pick = (object, ...paths) => {
  for (const path of paths) {
    const value = path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), object);
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
};

// Counters as the projection's dashboard names them.
const COUNTERS = {
  "c-members": ["members.total"],
  "c-mentors": ["members.by_role.mentor"],
  "c-mentees": ["mentees.total", "members.by_role.mentee"],
  "c-requested": ["requests.pending"],
  "c-active": ["requests.accepted"],
  "c-unmatched": ["mentees.unmatched"],
  "c-ranked": ["mentees.with_candidates"],
};

// A consortium's dashboard lists its member teams; a library's has none.
function drawMemberTeams(teams) {
  document.getElementById("member-teams-card").hidden = teams.length === 0;
  const cell = (value) => el("td", {}, String(value));
  document.querySelector("#member-teams tbody").replaceChildren(...teams.map((t) =>
    el("tr", {}, el("th", { scope: "row" }, t.name || t.team_id), cell(t.consenting ? "yes" : "no"),
      cell(t.mentors), cell(t.mentees), cell(t.mentees_matched), cell(t.mentees_with_candidates))));
}

// The projection names skills by id; the vocabulary gives their labels, asked
// once per skill per page.
const skillLabels = new Map();
async function labelled(skills) {
  const unknown = skills.filter((s) => !skillLabels.has(s.skill_id));
  await Promise.all(unknown.map(async (s) => {
    const skill = await api(`/skills/${encodeURIComponent(s.skill_id)}`).catch(() => null);
    skillLabels.set(s.skill_id, skill?.label || s.skill_id);
  }));
  return skills.map((s) => ({ ...s, label: skillLabels.get(s.skill_id) }));
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "no one yet";
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 2 * 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 2 * 86400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} days`;
}

const SOURCES = ["invitation", "referral", "join_link", "founder"];

function drawGrowth(growth, highlighted) {
  groupedBars(document.getElementById("joins-chart"), growth.joins_by_week.map((w) => ({
    label: w.week, values: SOURCES.map((s) => w.by_source[s] ?? 0) })),
  SOURCES.map((s) => s.replace("_", " ")), "Joins per week, by where they came from");
  const figure = (term, value) => [el("dt", {}, term), el("dd", {}, value)];
  const wait = (w) => `${duration(w.median_seconds)} median, ${duration(w.p90_seconds)} for 9 in 10 (${w.count} people)`;
  document.getElementById("growth-figures").replaceChildren(
    ...figure("Joining to first ranked mentors", wait(growth.to_first_candidate)),
    ...figure("Joining to first mentorship", wait(growth.to_first_mentorship)),
    ...figure("Mentees invited to mentor", String(growth.graduations_invited)),
    ...figure("Mentees who became mentors", String(growth.graduations_accepted)));
  document.getElementById("highlighted").replaceChildren(...(highlighted.length ? highlighted.map((m) =>
    el("li", {}, `${m.display_name || m.person_id}: ${m.spare_places} places, teaches ` +
      m.wanted_skills.map((id) => skillLabels.get(id) || id).join(", ")))
    : [el("li", { class: "muted" }, "None right now.")]));
  document.getElementById("paused").replaceChildren(...(growth.paused_for_silence.length
    ? growth.paused_for_silence.map((m) => el("li", {}, `${m.display_name || m.person_id} since ${m.paused_at ?? "?"}`))
    : [el("li", { class: "muted" }, "No one.")]));
}

function draw(summary) {
  for (const [id, paths] of Object.entries(COUNTERS)) {
    document.getElementById(id).textContent = pick(summary, ...paths) ?? "0";
  }
  drawMemberTeams(listOf(summary.member_teams, "member_teams"));
  if (summary.growth) drawGrowth(summary.growth, summary.highlighted_mentors || []);
  const skills = summary.skills;
  groupedBars(document.getElementById("skills-chart"), skills.slice(0, 12).map((s) => ({
    label: s.label || s.skill_id, values: [s.supply ?? 0, s.demand ?? 0] })),
  ["supply (mentors)", "demand (mentees)"], "Skills: how many can teach each, and how many want to learn it");
  const load = summary.mentor_load || {};
  groupedBars(document.getElementById("load-chart"), [
    { label: "mentees taken / places", values: [load.active_mentees ?? 0, load.capacity ?? 0] },
    { label: "mentors full / free", values: [load.at_capacity ?? 0, load.available ?? 0] },
  ], ["taken or full", "places or free"], "Mentor load: mentees against places, full mentors against free ones");
  const mentees = summary.mentees || {}, requests = summary.requests || {};
  funnel(document.getElementById("funnel-chart"), [
    { label: "mentees", count: mentees.total ?? 0 },
    { label: "asked a mentor", count: (mentees.requested ?? 0) + (mentees.matched ?? 0) },
    { label: "matched", count: mentees.matched ?? 0 },
    { label: "ended", count: requests.ended ?? 0 },
  ], "From mentees to requests to matches");
}

// Every member, read a page of a hundred at a time. Known shortcoming: past
// MAP_MOST members the map shows the first MAP_MOST by name and says so; an
// aggregation by place on the read side would map any number.
const MAP_PAGE = 100;
const MAP_MOST = 2000;

async function membersForMap() {
  const members = [];
  let total = 0;
  for (let offset = 0; offset < MAP_MOST; offset += MAP_PAGE) {
    const page = await teamApi(`/directory?size=${MAP_PAGE}&offset=${offset}&sort=name`).catch(() => null);
    if (!page) break;
    total = page.total;
    members.push(...listOf(page, "members"));
    if (members.length >= total || !listOf(page, "members").length) break;
  }
  return { members, total };
}

async function drawMap() {
  const { members, total } = await membersForMap();
  const points = members.map((m) => ({ latitude: m.location?.lat, longitude: m.location?.lon,
    label: m.display_name }));
  const placed = points.filter((p) => Number.isFinite(p.latitude) && Number.isFinite(p.longitude)).length;
  const read = members.length < total ? ` (the first ${members.length} of ${total} read)` : "";
  scatterMap(document.getElementById("map"), points, `Map of ${placed} members with a place${read}`);
  document.getElementById("map").dataset.points = String(placed);
}

async function refresh() {
  try {
    const summary = await teamApi("/dashboard");
    summary.skills = await labelled(listOf(summary.skills, "skills").slice(0, 12));
    await labelled((summary.highlighted_mentors || []).flatMap((m) => m.wanted_skills.map((id) => ({ skill_id: id }))));
    draw(summary);
    await drawMap();
    document.body.dataset.refreshed = String(Date.now());
  } catch (error) {
    if (error instanceof ApiError) say(`Dashboard not available: ${error.message}`); else throw error;
  }
  const activity = await teamApi("/activity").catch(() => []);
  document.getElementById("activity").replaceChildren(...listOf(activity, "entries", "items", "activity").slice(0, 20).map((a) =>
    el("li", {}, [a.actor_name, a.event_type, ...(a.subject_names || [])].filter(Boolean).join(" · "),
      el("span", { class: "muted" }, ` · ${a.occurred_at}`))));
}

let pending = null;
live(() => { clearTimeout(pending); pending = setTimeout(refresh, 150); });
refresh();
