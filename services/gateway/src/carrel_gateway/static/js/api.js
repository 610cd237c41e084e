// Talking to the gateway's API from a page, and showing what it says.

export const page = document.body.dataset;
export const teamId = page.teamId;
export const memberId = page.memberId;
export const roles = (page.roles || "").split(" ").filter(Boolean);

export class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : `request refused (${status})`);
    this.status = status;
    this.detail = detail;
  }
}

// A call as the signed-in member; the header tells the gateway a page sent it.
export async function api(path, { method = "GET", body, form } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-Requested-With"] = "carrel";
  let payload;
  if (form) payload = form;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const answer = await fetch(`/api/v1${path}`, {
    method, headers, body: payload, credentials: "same-origin",
  });
  const text = await answer.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!answer.ok) throw new ApiError(answer.status, data && data.detail !== undefined ? data.detail : data);
  return data;
}

export const teamApi = (path, options) => api(`/teams/${teamId}${path}`, options);

// Build an element; strings become text nodes, never HTML.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clearErrors(form) {
  form.querySelectorAll("[aria-invalid]").forEach((f) => f.removeAttribute("aria-invalid"));
  form.querySelectorAll(".error").forEach((e) => { e.textContent = ""; });
  const general = form.querySelector(".form-error");
  if (general) general.textContent = "";
}

// Put each refusal next to its field, in the field's error holder; what fits
// no field, or a field without a holder, goes on top. A checkbox or radio
// group has no id of its own: all its boxes are marked invalid.
export function showErrors(form, error) {
  clearErrors(form);
  const general = form.querySelector(".form-error");
  const problems = Array.isArray(error.detail) ? error.detail : [{ loc: [], msg: error.message }];
  const onTop = (msg) => {
    if (general) general.textContent = [general.textContent, msg].filter(Boolean).join(" ");
  };
  let first = null;
  for (const problem of problems) {
    const field = fieldFor(form, problem.loc || []);
    if (!field) { onTop(problem.msg); continue; }
    const grouped = field.type === "checkbox" || field.type === "radio";
    const marked = grouped ? form.querySelectorAll(`[name="${CSS.escape(field.name)}"]`) : [field];
    marked.forEach((f) => f.setAttribute("aria-invalid", "true"));
    const holder = errorHolder(field);
    if (holder) holder.textContent = [holder.textContent, problem.msg].filter(Boolean).join(" ");
    else onTop(problem.msg);
    first = first || field;
  }
  (first || general)?.focus?.();
}

// The holder is "<id>-error", else the error element that the field's
// aria-describedby names, else the one its fieldset's names.
function errorHolder(field) {
  const byId = field.id && document.getElementById(`${field.id}-error`);
  if (byId) return byId;
  const described = (node) => (node?.getAttribute("aria-describedby") || "").split(/\s+/)
    .filter(Boolean).map((id) => document.getElementById(id))
    .find((found) => found?.classList.contains("error"));
  return described(field) || described(field.closest("fieldset")) || null;
}

function fieldFor(form, loc) {
  for (let i = loc.length - 1; i >= 0; i -= 1) {
    if (typeof loc[i] !== "string") continue;
    const field = form.querySelector(`[name="${CSS.escape(loc[i])}"]`);
    if (field) return field;
  }
  return null;
}

export function say(message) {
  const status = document.getElementById("live-status");
  if (status) status.textContent = message;
}

// Server-sent events of the team: call onChange for every change announced.
// A stream the server refused (the read side does not know the team yet, or is
// down) is closed for good by the browser, so it is opened again here after a
// pause that doubles up to a limit; after any trouble, the first open calls
// onChange too, since changes may have been missed meanwhile.
export function live(onChange) {
  if (!teamId || !window.EventSource) return null;
  const handle = (event) => {
    let data = null;
    try { data = JSON.parse(event.data); } catch { data = event.data; }
    onChange(event.type, data);
  };
  let pause = LIVE_FIRST_PAUSE_MS;
  let troubled = false;
  const connect = () => {
    const source = new EventSource(`/api/v1/teams/${teamId}/stream`);
    source.onmessage = handle;
    for (const name of LIVE_EVENT_NAMES) source.addEventListener(name, handle);
    source.onopen = () => {
      document.body.dataset.live = "open";
      say("Live updates on");
      pause = LIVE_FIRST_PAUSE_MS;
      if (troubled) onChange("reopened", null);
      troubled = false;
    };
    source.onerror = () => {
      troubled = true;
      document.body.dataset.live = "retrying";
      say("Live updates reconnecting…");
      if (source.readyState !== EventSource.CLOSED) return;
      setTimeout(connect, pause);
      pause = Math.min(pause * 2, LIVE_LONGEST_PAUSE_MS);
    };
    return source;
  };
  return connect();
}

const LIVE_FIRST_PAUSE_MS = 1000;
const LIVE_LONGEST_PAUSE_MS = 15000;

// The stream names its events; these are the names the pages react to.
const LIVE_EVENT_NAMES = ["change", "changed", "dashboard", "activity", "member",
  "mentorship", "profile", "group", "resource", "pairing", "update"];

export const formData = (form) => Object.fromEntries(new FormData(form).entries());
