// Find a resource (central index or our material) and share it with the team,
// a group chosen from the team's groups, or members chosen by name.
import { ApiError, clearErrors, el, showErrors, teamApi } from "./api.js";
import { listOf } from "./lists.js";
import { teamPeople } from "./people.js";

const find = document.getElementById("find");
const share = document.getElementById("share");

async function search() {
  const q = new FormData(find).get("q");
  const page = await teamApi(`/resources?limit=50${q ? `&q=${encodeURIComponent(q)}` : ""}`);
  document.getElementById("resource_id").replaceChildren(...page.entries.map((e) => el("option", { value: e.id }, e.title)));
}

async function loadGroups() {
  const groups = listOf(await teamApi("/groups").catch(() => []), "groups").filter((g) => !g.archived);
  document.getElementById("group_id").replaceChildren(...(groups.length
    ? groups.map((g) => el("option", { value: g.group_id }, `${g.name} (${g.member_count ?? g.member_ids.length})`))
    : [el("option", { value: "" }, "No groups yet")]));
}

async function loadMembers() {
  const people = await teamPeople().catch(() => []);
  document.getElementById("member-boxes").replaceChildren(...people.map((p) => el("div", {},
    el("label", {}, el("input", { type: "checkbox", name: "member_ids", value: p.person_id }),
      ` ${p.display_name || p.person_id}`, el("span", { class: "muted" }, ` · ${p.roles.join(", ")}`)))));
}

// Only the choice the chosen audience needs is shown.
function showChoice() {
  const kind = new FormData(share).get("kind");
  document.getElementById("group-choice").hidden = kind !== "group";
  document.getElementById("member-choice").hidden = kind !== "members";
}

function audienceOf(data) {
  const kind = data.get("kind");
  if (kind === "group") return { kind, group_id: data.get("group_id") || null };
  if (kind === "members") return { kind, member_ids: data.getAll("member_ids") };
  return { kind };
}

find.addEventListener("submit", (event) => { event.preventDefault(); search().catch((e) => showErrors(find, e)); });
share.addEventListener("change", (event) => { if (event.target.name === "kind") showChoice(); });
share.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(share);
  const data = new FormData(share);
  try {
    const done = await teamApi("/shares", { method: "POST",
      body: { resource_id: data.get("resource_id"), audience: audienceOf(data), note: data.get("note") } });
    const count = done.recipients.length;
    document.getElementById("shared-out").textContent = `Shared with ${count} ${count === 1 ? "person" : "people"}.`;
  } catch (error) {
    if (error instanceof ApiError) showErrors(share, error); else throw error;
  }
});
showChoice();
search();
loadGroups();
loadMembers();
