// Ask matching for groups by place or interest, and form the ones you keep.
import { ApiError, clearErrors, el, say, showErrors, teamApi } from "./api.js";
import { listOf } from "./lists.js";

const form = document.getElementById("suggest");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  const data = new FormData(form);
  try {
    const answer = await teamApi("/group-suggestions", { method: "POST",
      body: { by: data.get("by"), size: Number(data.get("size")) } });
    const suggestionId = answer.suggestion_id || answer.id || null;
    document.getElementById("suggested").replaceChildren(...listOf(answer, "groups", "suggestions").map((g, i) => {
      const name = g.name || g.label || `Group ${i + 1}`;
      const members = g.member_ids || g.members || [];
      return el("li", {}, el("strong", {}, name), ` — ${members.length} people `,
        el("button", { type: "button", onclick: async (e) => {
          await teamApi("/groups", { method: "POST", body: { name, member_ids: members, suggestion_id: suggestionId } });
          e.target.disabled = true; say(`Formed ${name}`);
        } }, `Form ${name}`));
    }));
  } catch (error) {
    if (error instanceof ApiError) showErrors(form, error); else throw error;
  }
});
