// Ask matching for groups by place or interests, and form the ones you keep.
import { ApiError, clearErrors, el, say, showErrors, teamApi } from "./api.js";
import { listOf } from "./lists.js";
import { namer } from "./people.js";

const form = document.getElementById("suggest");
const suggested = document.getElementById("suggested");

function formButton(name, memberIds, suggestionId) {
  return el("button", { type: "button", onclick: async (event) => {
    const button = event.target;
    try {
      await teamApi("/groups", { method: "POST",
        body: { name, member_ids: memberIds, suggestion_id: suggestionId } });
      button.disabled = true;
      button.textContent = `Formed ${name}`;
      say(`Formed ${name}`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      say(`${name} was not formed: ${error.message}`);
    }
  } }, `Form ${name}`);
}

function drawSuggestion(answer, nameOf) {
  const groups = listOf(answer, "groups");
  if (!groups.length) {
    suggested.replaceChildren(el("li", { class: "muted" }, "No one to group yet."));
    return;
  }
  suggested.replaceChildren(...groups.map((group, i) => {
    const name = `Group ${i + 1}`;
    const members = group.member_ids || [];
    return el("li", { "data-group": name }, el("strong", {}, name),
      ` — ${members.length} ${members.length === 1 ? "person" : "people"}: `,
      members.map(nameOf).join(", "),
      group.shared?.length ? el("span", { class: "muted" }, ` (${group.shared.join("; ")})`) : "",
      " ", formButton(name, members, answer.suggestion_id));
  }));
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  const data = new FormData(form);
  try {
    const answer = await teamApi("/group-suggestions", { method: "POST", body: {
      basis: data.get("basis"), smallest: Number(data.get("smallest")), largest: Number(data.get("largest")) } });
    drawSuggestion(answer, await namer());
  } catch (error) {
    if (error instanceof ApiError) showErrors(form, error); else throw error;
  }
});
