// The teams of the signed-in member, each with its first page.
import { api, el } from "./api.js";

const list = document.getElementById("teams");
const me = await api("/me");
list.replaceChildren(...me.teams.map((team) => {
  const coordinator = team.roles.includes("coordinator");
  const href = coordinator ? `/teams/${team.team_id}/coordinate/dashboard` : `/teams/${team.team_id}/profile`;
  const roles = team.roles.length ? team.roles.join(", ") : "waiting for approval";
  return el("li", {}, el("a", { href }, team.name || team.team_id), ` (${roles})`);
}));
if (!me.teams.length) list.replaceChildren(el("li", {}, "You are not in a team yet."));
