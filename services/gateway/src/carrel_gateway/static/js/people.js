// The team's members by name, for the coordinators' pages; read once a page.
import { teamApi } from "./api.js";

let people = null;

export async function teamPeople({ fresh = false } = {}) {
  if (!people || fresh) people = await teamApi("/people");
  return people;
}

// A function naming a member; someone not (yet) known by name shows a short id.
export async function namer() {
  const names = new Map((await teamPeople().catch(() => [])).map((p) => [p.person_id, p.display_name]));
  return (id) => names.get(String(id)) || `member ${String(id).slice(0, 8)}`;
}
