// Preview the whole pool's pairings, then publish them.
import { ApiError, el, showErrors, teamApi } from "./api.js";
import { listOf } from "./lists.js";
import { namer } from "./people.js";

const form = document.getElementById("preview");
const publish = document.getElementById("publish");
let pairing = null;

const plural = (count, one, many) => `${count} ${count === 1 ? one : many}`;

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    pairing = await teamApi("/pairings/previews", { method: "POST", body: {} });
    const nameOf = await namer();
    const pairs = listOf(pairing, "pairs");
    document.getElementById("pairs").replaceChildren(...pairs.map((p) => el("tr", {},
      el("td", {}, nameOf(p.mentee_id)), el("td", {}, nameOf(p.mentor_id)),
      el("td", {}, p.score !== undefined ? `${Math.round(p.score * 100)}%` : ""),
      el("td", {}, (p.reasons || []).join("; ")))));
    const unmatched = listOf(pairing, "unmatched_mentee_ids").map(nameOf);
    document.getElementById("unmatched").textContent = unmatched.length
      ? `Left without a mentor: ${unmatched.join(", ")}.` : "";
    document.getElementById("publish-out").textContent = "";
    publish.disabled = !pairs.length;
  } catch (error) {
    if (error instanceof ApiError) showErrors(form, error); else throw error;
  }
});

publish.addEventListener("click", async () => {
  publish.disabled = true;
  try {
    const done = await teamApi(`/pairings/previews/${pairing.pairing_id}/publication`, { method: "POST", body: {} });
    document.getElementById("publish-out").textContent =
      `Published ${plural(done.pairs, "pair", "pairs")}: each mentor has a request to answer.`;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    document.getElementById("publish-out").textContent = `Not published: ${error.message}`;
    publish.disabled = false;
  }
});
