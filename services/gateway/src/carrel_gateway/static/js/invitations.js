// Invite one by one or by CSV (with a report per row); issue a join link.
import { ApiError, clearErrors, el, live, say, showErrors, teamApi } from "./api.js";

const invite = document.getElementById("invite");
invite.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(invite);
  const data = new FormData(invite);
  try {
    const issued = await teamApi("/invitations", { method: "POST",
      body: { name: data.get("name"), email: data.get("email"), roles: data.getAll("roles") } });
    const link = el("a", { href: issued.link, "data-invitation-link": "" }, issued.link);
    document.getElementById("links").prepend(el("li", {}, `${data.get("name")}: `, link));
    invite.reset();
    say(`Invited ${data.get("name")}`);
  } catch (error) {
    if (error instanceof ApiError) showErrors(invite, error); else throw error;
  }
});

const upload = document.getElementById("import");
upload.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(upload);
  try {
    const report = await teamApi("/invitations/import", { method: "POST", form: new FormData(upload) });
    document.getElementById("report-summary").textContent = `${report.accepted} invited, ${report.rejected} refused`;
    document.getElementById("report").replaceChildren(...report.rows.map((row) => el("tr", {},
      el("td", {}, row.row), el("td", {}, row.status), el("td", {}, row.reason || ""))));
  } catch (error) {
    if (error instanceof ApiError) showErrors(upload, error); else throw error;
  }
});

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
