// Search resources; what was shared with me; what fits my learning goals.
import { ApiError, el, live, memberId, showErrors, teamApi, teamId } from "./api.js";

const form = document.getElementById("search");

// Every resource opens through the gateway's page of it, which sends on to its
// address or file; found, shared and recommended entries alike.
const link = (entry) => {
  const id = entry.id || entry.resource_id;
  return el("a", { href: `/teams/${teamId}/resources/${id}`, target: "_blank", rel: "noopener",
    "data-resource-id": id,
    onclick: () => teamApi(`/resources/${id}/opening`, { method: "POST" }).catch(() => null) },
  entry.title);
};

async function search() {
  const q = new FormData(form).get("q");
  try {
    const page = await teamApi(`/resources?limit=25${q ? `&q=${encodeURIComponent(q)}` : ""}`);
    document.getElementById("found-total").textContent = `(${page.total})`;
    document.getElementById("found").replaceChildren(...page.entries.map((e) =>
      el("li", {}, link(e), el("span", { class: "muted" }, ` · ${e.resource_type || e.kind || ""}`))));
  } catch (error) {
    if (error instanceof ApiError) showErrors(form, error); else throw error;
  }
}

async function mine() {
  const shared = await teamApi(`/members/${memberId}/received`).catch(() => []);
  document.getElementById("shared").replaceChildren(...shared.map((r) =>
    el("li", {}, link(r), r.note ? ` — ${r.note}` : "", el("span", { class: "muted" }, ` · ${r.state}`))));
  if (!shared.length) document.getElementById("shared").replaceChildren(el("li", { class: "muted" }, "Nothing shared yet."));
  const recommended = await teamApi(`/members/${memberId}/recommendations`).catch(() => ({ recommendations: [] }));
  document.getElementById("recommended").replaceChildren(...recommended.recommendations.map((r) =>
    el("li", {}, link(r), el("span", { class: "muted" }, ` · ${(r.goals_met?.length ? r.goals_met : r.reasons || []).join(", ")}`))));
}

form.addEventListener("submit", (event) => { event.preventDefault(); search(); });
live(() => mine());
search();
mine();
