/* Coordinator dashboard: accept or return a report in place. */
(function () {
  "use strict";
  const csrf = document.body.dataset.csrf;
  const words = document.getElementById("rp-strings").dataset;
  document.querySelectorAll(".rp-recent button[data-move]").forEach((button) => {
    button.addEventListener("click", async () => {
      const row = button.closest("tr");
      const r = await fetch("/api/reports/" + row.dataset.report + "/" + button.dataset.move, {
        method: "POST", headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json" }, body: "{}"
      });
      const answer = await r.json().catch(() => ({}));
      if (!r.ok) { alert(answer.description || "HTTP " + r.status); return; }
      row.querySelector(".rp-review").textContent = words[answer.review] || answer.review;
      row.querySelector('[data-move="accept"]').hidden = answer.review === "accepted";
      row.querySelector('[data-move="return"]').hidden = answer.review === "returned";
      new BroadcastChannel("planmap-progress").postMessage({ task: row.dataset.task });
    });
  });
})();
