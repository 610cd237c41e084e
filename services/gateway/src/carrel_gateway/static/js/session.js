// The sign-out button of every team page.
import { api } from "./api.js";

const button = document.getElementById("sign-out");
button?.addEventListener("click", async () => {
  await api("/sessions/current", { method: "DELETE" });
  window.location.assign("/sign-in");
});
