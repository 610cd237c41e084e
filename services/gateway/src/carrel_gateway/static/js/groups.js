// The team's groups and who is in each.
import { ApiError, el, live, teamApi } from "./api.js";
import { listOf } from "./lists.js";

async function load() {
  const holder = document.getElementById("groups");
  try {
    const groups = listOf(await teamApi("/groups"), "groups", "items");
    holder.replaceChildren(...groups.filter((g) => !g.archived).map((g) =>
      el("li", {}, el("strong", {}, g.name), ` — ${g.member_ids.length} members`)));
    if (!groups.length) holder.replaceChildren(el("li", { class: "muted" }, "No groups yet."));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    holder.replaceChildren(el("li", { class: "form-error" }, `Groups are not available (${error.message}).`));
  }
}

live(() => load());
load();
