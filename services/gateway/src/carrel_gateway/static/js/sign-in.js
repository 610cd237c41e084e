// Sign in by link, invitation or join link; then go to the right page.
import { api, ApiError, clearErrors, showErrors } from "./api.js";

const form = document.getElementById("sign-in");

function bodyOf(action) {
  const data = new FormData(form);
  const name = (data.get("display_name") || "").trim() || undefined;
  if (action === "link") {
    const raw = (data.get("token") || "").trim();
    return { token: raw.includes("token=") ? raw.split("token=")[1] : raw };
  }
  if (action === "invitation") {
    return { invitation_id: data.get("invitation_id"), token: data.get("token"), display_name: name };
  }
  return { team_id: data.get("team_id"), token: data.get("token"), display_name: name,
    roles: data.getAll("roles") };
}

const paths = { link: "/sessions/sign-in-link", invitation: "/sessions/invitation", join: "/sessions/join" };

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  const action = form.dataset.action;
  try {
    const session = await api(paths[action], { method: "POST", body: bodyOf(action) });
    const team = session.team_ids[session.team_ids.length - 1];
    window.location.assign(action === "invitation" ? `/teams/${team}/profile` : "/home");
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    showErrors(form, error.status === 429 ? new ApiError(429, "Too many attempts; wait a minute.") : error);
  }
});
