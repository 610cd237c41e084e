// Preview the whole pool's pairings, then publish them.
import { ApiError, el, showErrors, teamApi } from "./api.js";
import { listOf } from "./lists.js";

const form = document.getElementById("preview");
const publish = document.getElementById("publish");
let pairing = null;

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    pairing = await teamApi("/pairings/previews", { method: "POST", body: {} });
    const pairs = listOf(pairing, "pairs", "proposals", "items");
    document.getElementById("pairs").replaceChildren(...pairs.map((p) => el("tr", {},
      el("td", {}, p.mentee_name || p.mentee_id), el("td", {}, p.mentor_name || p.mentor_id),
      el("td", {}, p.score !== undefined ? `${Math.round(p.score * 100)}%` : ""),
      el("td", {}, (p.reasons || []).map((r) => r.text || r.label || r).join("; ")))));
    publish.disabled = !pairs.length;
  } catch (error) {
    if (error instanceof ApiError) showErrors(form, error); else throw error;
  }
});

publish.addEventListener("click", async () => {
  const id = pairing.pairing_id || pairing.id;
  const done = await teamApi(`/pairings/previews/${id}/publication`, { method: "POST", body: {} });
  document.getElementById("publish-out").textContent = `Published ${listOf(done, "mentorships", "pairs").length || ""} pairs.`;
  publish.disabled = true;
});
