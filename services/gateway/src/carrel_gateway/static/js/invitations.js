// Invite one by one or by CSV (with a report per row); issue a join link.
import { ApiError, clearErrors, el, live, say, showErrors, teamApi } from "./api.js";
import { teamPeople } from "./people.js";

const invite = document.getElementById("invite");
invite.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(invite);
  const data = new FormData(invite);
  try {
    const issued = await teamApi("/invitations", { method: "POST",
      body: { name: data.get("name"), email: data.get("email"), roles: data.getAll("roles") } });
    const holder = el("span", {}, invitationLink(issued.link));
    document.getElementById("links").prepend(el("li", {}, `${data.get("name")}: `, holder, " ",
      resendButton(issued.id, data.get("name"), holder)));
    invite.reset();
    say(`Invited ${data.get("name")}`);
  } catch (error) {
    if (error instanceof ApiError) showErrors(invite, error); else throw error;
  }
});

function invitationLink(href) {
  return el("a", { href, "data-invitation-link": "" }, href);
}

// A pending invitation sent again gets a new link; the old one stops working.
function resendButton(invitationId, who, holder) {
  return el("button", { type: "button", class: "secondary", onclick: async (event) => {
    const button = event.target;
    try {
      const issued = await teamApi(`/invitations/${invitationId}/resend`, { method: "POST", body: {} });
      holder.replaceChildren(invitationLink(issued.link));
      say(`A new link for ${who}; the one before no longer works`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      button.replaceWith(el("span", { class: "form-error" }, `Not sent again: ${error.message}`));
    }
  } }, `Resend to ${who}`);
}

function reportRow(row) {
  const accepted = row.status === "accepted";
  const holder = el("td", {}, accepted && row.link ? invitationLink(row.link) : row.reason || "");
  const again = accepted && row.invitation_id ? resendButton(row.invitation_id, `row ${row.row}`, holder) : "";
  return el("tr", { "data-row": row.row }, el("th", { scope: "row" }, row.row),
    el("td", {}, accepted ? "invited" : "refused"), holder, el("td", {}, again));
}

const upload = document.getElementById("import");
upload.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(upload);
  try {
    const report = await teamApi("/invitations/import", { method: "POST", form: new FormData(upload) });
    document.getElementById("report-summary").textContent = `${report.accepted} invited, ${report.rejected} refused`;
    document.getElementById("report").replaceChildren(...report.rows.map(reportRow));
  } catch (error) {
    if (error instanceof ApiError) showErrors(upload, error); else throw error;
  }
});

// Members, each with a button that issues a one-time sign-in link for them;
// a link issued stays shown when the list is drawn again.
const signInLinks = new Map(); // person id -> where their link is shown
async function drawMembers() {
  const people = await teamPeople({ fresh: true });
  const issue = (person, out) => async () => {
    const issued = await teamApi(`/members/${person.person_id}/sign-in-link`, { method: "POST" });
    out.replaceChildren(el("a", { href: issued.link, "data-sign-in-link": "" }, issued.link),
      ` (until ${new Date(issued.expires_at).toLocaleString()})`);
    say(`A sign-in link for ${person.display_name || "the member"}`);
  };
  document.getElementById("members").replaceChildren(...people.map((person) => {
    const name = person.display_name || person.person_id;
    if (!signInLinks.has(person.person_id)) signInLinks.set(person.person_id, el("span", { "aria-live": "polite" }));
    const out = signInLinks.get(person.person_id);
    return el("li", { "data-person-id": person.person_id }, `${name} `,
      el("span", { class: "muted" }, `(${person.roles.join(", ") || "no role yet"}) `),
      el("button", { type: "button", class: "secondary", onclick: issue(person, out) }, `Sign-in link for ${name}`),
      " ", out);
  }));
}

document.getElementById("join-link").addEventListener("click", async () => {
  const issued = await teamApi("/join-link", { method: "POST" });
  document.getElementById("join-link-out").replaceChildren(el("a", { href: issued.link }, issued.link),
    ` (until ${new Date(issued.expires_at).toLocaleDateString()})`);
});

// People who asked to join through the join link, each approved or declined here.
async function drawJoinRequests() {
  const waiting = await teamApi("/join-requests");
  const answer = (person, verdict) => async () => {
    await teamApi(`/join-requests/${person.person_id}/${verdict}`, { method: "POST" });
    say(`${verdict === "approve" ? "Approved" : "Declined"} ${person.display_name}`);
    await drawJoinRequests();
  };
  document.getElementById("join-requests").replaceChildren(...(waiting.length ? waiting.map((person) =>
    el("li", {}, `${person.display_name || person.person_id} `,
      el("button", { type: "button", onclick: answer(person, "approve") }, `Approve ${person.display_name}`),
      " ",
      el("button", { type: "button", onclick: answer(person, "decline") }, `Decline ${person.display_name}`)))
    : [el("li", { class: "muted" }, "No one is waiting.")]));
}

live(() => drawJoinRequests().catch(() => {}));
await drawJoinRequests();

// Members' referrals that wait for a coordinator; approving returns the link.
async function drawReferrals() {
  const waiting = await teamApi("/referrals");
  const answer = (referral, verdict) => async () => {
    const answered = await teamApi(`/referrals/${referral.id}/${verdict}`,
      { method: "POST", body: { expected_version: referral.version } });
    if (answered?.link) {
      document.getElementById("links").prepend(el("li", {}, `${referral.name}: `,
        el("a", { href: answered.link, "data-invitation-link": "" }, answered.link)));
    }
    say(`${verdict === "approve" ? "Approved" : "Declined"} ${referral.name}`);
    await drawReferrals();
  };
  document.getElementById("referrals").replaceChildren(...(waiting.length ? waiting.map((referral) =>
    el("li", {}, `${referral.name} <${referral.email}> as ${referral.roles.join(", ")} `,
      el("button", { type: "button", onclick: answer(referral, "approve") }, `Approve ${referral.name}`), " ",
      el("button", { type: "button", onclick: answer(referral, "decline") }, `Decline ${referral.name}`)))
    : [el("li", { class: "muted" }, "No referral is waiting.")]));
}

live(() => drawReferrals().catch(() => {}));
await drawReferrals();

live(() => drawMembers().catch(() => {}));
await drawMembers().catch((error) => {
  document.getElementById("members").replaceChildren(
    el("li", { class: "form-error" }, `Members are not available (${error.message}).`));
});
