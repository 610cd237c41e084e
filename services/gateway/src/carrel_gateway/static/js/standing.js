// My standing in the team, on the mentorships page: a pause for unanswered
// requests (with why, and resume), an invitation to mentor after a completed
// mentorship, and a capacity to confirm for a new cohort.
import { ApiError, el, memberId, say, teamApi } from "./api.js";

const card = document.getElementById("standing");

function capacityForm(label, button, send) {
  const input = el("input", { type: "number", min: "0", max: "20", value: "2", id: `${button}-capacity`,
    "aria-label": label });
  const form = el("form", { novalidate: true }, el("label", { for: input.id }, label), " ", input, " ",
    el("button", { type: "submit" }, button));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await send(Number(input.value));
    await draw();
  });
  return form;
}

function paused(standing) {
  const resume = el("button", { type: "button", onclick: async () => {
    await teamApi(`/members/${memberId}/resume`, { method: "POST" });
    say("You are offered to mentees again");
    await draw();
  } }, "Resume mentoring");
  return el("p", { role: "status" },
    `You are paused as a mentor: ${standing.paused_after_expired_requests} requests in a row expired without an answer ` +
    `(the team pauses at ${standing.pause_after_expired_requests}). Mentees are not offered you until you resume. `, resume);
}

function graduation(invitation) {
  const goals = invitation.goal_titles.length ? ` You reached: ${invitation.goal_titles.join(", ")}.` : "";
  return el("div", {}, el("p", {}, `Your mentorship is complete: the team invites you to mentor others.${goals}`),
    capacityForm("Mentees I can take", "Become a mentor", (capacity) =>
      teamApi("/graduation/accept", { method: "POST", body: { mentor_capacity: capacity } })));
}

function confirmation() {
  return el("div", {}, el("p", {}, "A new cohort has begun: how many mentees can you take in it?"),
    capacityForm("Mentees in the new cohort", "Confirm", (capacity) =>
      teamApi(`/members/${memberId}/capacity-confirmation`, { method: "POST", body: { mentor_capacity: capacity } })));
}

async function draw() {
  let standing;
  try {
    standing = await teamApi(`/members/${memberId}/standing`);
  } catch (error) {
    if (error instanceof ApiError) return;
    throw error;
  }
  const parts = [];
  if (standing.paused) parts.push(paused(standing));
  if (standing.graduation_invitation) parts.push(graduation(standing.graduation_invitation));
  if (standing.capacity_to_confirm) parts.push(confirmation());
  card.replaceChildren(el("h2", { id: "standing-title" }, "My standing"), ...parts);
  card.hidden = parts.length === 0;
}

if (card) await draw();
