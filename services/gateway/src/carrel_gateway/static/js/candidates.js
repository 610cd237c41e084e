// My ranked mentor candidates, with reasons, and a button to ask one.
import { ApiError, clearErrors, el, live, say, showErrors, teamApi } from "./api.js";
import { listOf } from "./lists.js";

const list = document.getElementById("candidates");
const dialog = document.getElementById("request-dialog");
const form = document.getElementById("request");

function reasonText(reason) {
  if (typeof reason === "string") return reason;
  return reason.text || reason.label || reason.reason || reason.kind || JSON.stringify(reason);
}

async function load() {
  try {
    const answer = await teamApi("/candidates");
    const candidates = listOf(answer, "candidates", "items", "results");
    const names = await Promise.all(candidates.map((c) =>
      teamApi(`/profiles/${c.mentor_id}`).then((p) => p.display_name).catch(() => null)));
    const pool = await poolMentors(candidates.map((c) => c.mentor_id));
    const hours = pool.typical_response_hours || {};
    list.replaceChildren(...candidates.map((c, i) => {
      const id = c.mentor_id;
      const name = names[i] || pool.display_names?.[id] || `Mentor ${c.rank ?? i + 1}`;
      return el("li", { "data-mentor-id": id },
        el("strong", {}, name), c.score !== undefined ? el("span", { class: "muted" }, ` · fit ${Math.round(c.score * 100)}%`) : "",
        el("span", { class: "muted" }, ` · ${answers(hours[id])}`),
        el("ul", { class: "reasons", "aria-label": `Why ${name}` }, ...(c.reasons || []).map((r) => el("li", {}, reasonText(r)))),
        el("button", { type: "button", onclick: () => ask(id, name) }, `Request ${name}`));
    }));
    if (!candidates.length) list.replaceChildren(el("li", { class: "muted" }, "No candidates yet: add learning goals to your profile."));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const waiting = error.status === 404
      ? "Matching has not ranked mentors for you yet: it may still be reading the latest profiles. Try again in a minute."
      : `Candidates are not available (${error.message}).`;
    list.replaceChildren(el("li", { class: error.status === 404 ? "muted" : "form-error" }, waiting));
  }
}

// Each mentor's name (a mentor of another library of the consortium too) and
// how quickly they usually answer a request, from their past requests.
async function poolMentors(mentorIds) {
  if (!mentorIds.length) return {};
  const query = mentorIds.map((id) => `mentor_id=${encodeURIComponent(id)}`).join("&");
  return (await teamApi(`/mentors/response-times?${query}`).catch(() => null)) || {};
}

function answers(hours) {
  if (hours === null || hours === undefined) return "no requests answered yet";
  if (hours < 1) return "usually answers within an hour";
  if (hours < 48) return `usually answers within ${Math.ceil(hours)} hours`;
  return `usually answers within ${Math.ceil(hours / 24)} days`;
}

function ask(mentorId, name) {
  clearErrors(form);
  form.elements.mentor_id.value = mentorId;
  document.getElementById("request-name").textContent = name;
  dialog.showModal();
  form.elements.message.focus();
}

document.getElementById("cancel-request").addEventListener("click", () => dialog.close());
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  try {
    await teamApi("/mentorships", { method: "POST", body: { mentor_id: data.get("mentor_id"), message: data.get("message") } });
    dialog.close();
    say("Request sent");
    window.location.assign(`/teams/${document.body.dataset.teamId}/mentorships`);
  } catch (error) {
    if (error instanceof ApiError) showErrors(form, error); else throw error;
  }
});

live(() => load());
load();
