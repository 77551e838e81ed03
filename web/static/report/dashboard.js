/* Coordinator dashboard: filter the recent reports, and accept or return a report in place. */
(function () {
  "use strict";
  const csrf = document.body.dataset.csrf;
  const words = document.getElementById("rp-strings").dataset;
  const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  const rows = Array.from(document.querySelectorAll(".rp-recent tbody tr"));

  function applyFilters() {
    const f = document.getElementById("rp-report-filters");
    const q = fold(f.q.value.trim()).split(/\s+/).filter(Boolean);
    rows.forEach((row) => {
      const text = fold(row.textContent);
      row.hidden = !(q.every((w) => text.includes(w)) && (!f.agency.value || row.dataset.agency === f.agency.value) &&
                     (!f.review.value || row.dataset.review === f.review.value));
    });
  }

  document.querySelectorAll(".rp-recent button[data-move]").forEach((button) => {
    button.addEventListener("click", async () => {
      const row = button.closest("tr");
      const r = await fetch("/api/reports/" + row.dataset.report + "/" + button.dataset.move, {
        method: "POST", headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json" }, body: "{}"
      });
      const answer = await r.json().catch(() => ({}));
      if (!r.ok) { alert(answer.description || "HTTP " + r.status); return; }
      row.dataset.review = answer.review;
      row.querySelector(".rp-review").textContent = words[answer.review] || answer.review;
      row.querySelector('[data-move="accept"]').hidden = answer.review === "accepted";
      row.querySelector('[data-move="return"]').hidden = answer.review === "returned";
      new BroadcastChannel("planmap-progress").postMessage({ task: row.dataset.task });
    });
  });
  const filters = document.getElementById("rp-report-filters");
  filters.addEventListener("input", applyFilters);
  filters.addEventListener("submit", (e) => e.preventDefault());
})();
