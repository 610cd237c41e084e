// Any member invites a colleague; the link comes back at once, or after a
// coordinator approves when the team's settings ask for that.
import { ApiError, clearErrors, el, say, showErrors, teamApi } from "./api.js";

const form = document.getElementById("refer");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  const data = new FormData(form);
  try {
    const referred = await teamApi("/referrals", { method: "POST",
      body: { name: data.get("name"), email: data.get("email"), roles: data.getAll("roles") } });
    const out = document.getElementById("refer-out");
    if (referred.link) {
      out.replaceChildren(`Send ${data.get("name")} this link: `, el("a", { href: referred.link }, referred.link));
    } else {
      out.replaceChildren(`Thank you: a coordinator will approve the invitation of ${data.get("name")}.`);
    }
    form.reset();
    say(`Invited ${data.get("name")}`);
  } catch (error) {
    if (error instanceof ApiError) showErrors(form, error); else throw error;
  }
});
