// Find a resource (central index or our material) and share it.
import { ApiError, clearErrors, el, showErrors, teamApi } from "./api.js";

const find = document.getElementById("find");
const share = document.getElementById("share");

async function search() {
  const q = new FormData(find).get("q");
  const page = await teamApi(`/resources?limit=50${q ? `&q=${encodeURIComponent(q)}` : ""}`);
  document.getElementById("resource_id").replaceChildren(...page.entries.map((e) => el("option", { value: e.id }, e.title)));
}

find.addEventListener("submit", (event) => { event.preventDefault(); search().catch((e) => showErrors(find, e)); });
share.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(share);
  const data = new FormData(share);
  const audience = { kind: data.get("kind") };
  if (audience.kind === "group") audience.group_id = data.get("group_id");
  try {
    const done = await teamApi("/shares", { method: "POST",
      body: { resource_id: data.get("resource_id"), audience, note: data.get("note") } });
    document.getElementById("shared-out").textContent = `Shared with ${done.recipients.length} people.`;
  } catch (error) {
    if (error instanceof ApiError) showErrors(share, error); else throw error;
  }
});
search();
