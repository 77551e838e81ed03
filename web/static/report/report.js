/* Agency reporting page: a filterable list of the agency's tasks (overdue first) and one report form, for the task
 * picked; a report is sent without leaving the page, then the task, the list and the map are redrawn. */
(function () {
  "use strict";
  // The same palette as the main map (web/symbology.json), so a colour means the same everywhere.
  const COLOURS = { overdue: "#d7191c", in_progress: "#f29e2e", done: "#1a9641", not_reported: "#5b7fa6",
                    no_tasks: "#9a9a9a" };
  const csrf = document.body.dataset.csrf;
  const strings = document.getElementById("rp-strings").dataset;
  const mapBox = document.getElementById("rp-map");
  const editor = document.getElementById("rp-editor");
  const form = editor.querySelector("form");
  const rows = Array.from(document.querySelectorAll(".rp-row"));
  let map = null, layer = null, current = null;

  const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  const nameOf = (a) => (document.documentElement.lang === "en" && a.name_en ? a.name_en : a.name);
  const statusWord = (s) => strings["status" + s.split("_").map((w) => w[0].toUpperCase() + w.slice(1)).join("")] || s;

  function style(feature) {
    const colour = COLOURS[feature.properties.progress_state] || COLOURS.no_tasks;
    return { color: "#222", weight: 1.5, fillColor: colour, fillOpacity: 0.8,
             className: "rp-f rp-f-" + feature.properties.id };
  }

  async function drawMap() {
    if (!window.L || !mapBox) return;
    const data = await (await fetch(mapBox.dataset.src, { cache: "no-store" })).json();
    if (!map) map = L.map(mapBox, { attributionControl: false, keyboard: false }).setView([10.0, 105.1], 8);
    if (layer) map.removeLayer(layer);
    layer = L.geoJSON(data, {
      style: style,
      pointToLayer: (f, latlng) => L.circleMarker(latlng, Object.assign({ radius: 8 }, style(f))),
      onEachFeature: (f, l) => l.bindTooltip(f.properties.name + " · " +
        (f.properties.mean_percent === null ? "–" : f.properties.mean_percent + "%"))
    }).addTo(map);
    mapBox.dataset.states = JSON.stringify(Object.fromEntries(
      data.features.map((f) => [f.properties.id, f.properties.progress_state])));
    if (data.features.length) map.fitBounds(layer.getBounds(), { maxZoom: 11, padding: [20, 20] });
  }

  // ---- the list and its filters ----
  function applyFilters() {
    const f = document.getElementById("rp-filters");
    const q = fold(f.q.value.trim()), words = q ? q.split(/\s+/) : [];
    let shown = 0;
    rows.forEach((row) => {
      const text = fold(row.textContent);
      const keep = words.every((w) => text.includes(w)) && (!f.plan.value || row.dataset.plan === f.plan.value) &&
        (!f.status.value || row.dataset.status === f.status.value) && (!f.overdue.checked || row.dataset.overdue === "true");
      row.hidden = !keep;
      shown += keep;
    });
    const count = document.getElementById("rp-count");
    count.textContent = count.dataset.template.replace("{n}", shown).replace("{total}", rows.length);
  }

  // ---- one form, for the task picked ----
  function showState(row, state) {
    [row, editor].forEach((box) => {
      box.querySelectorAll(".rp-status").forEach((e) => { e.textContent = statusWord(state.status); });
      box.querySelectorAll(".rp-percent").forEach((e) => { e.textContent = state.percent === null ? "–" : state.percent; });
      box.querySelectorAll(".rp-overdue").forEach((e) => { e.hidden = !state.overdue; });
    });
    row.dataset.status = state.status;
    row.dataset.overdue = String(state.overdue);
    row.dataset.percent = state.percent === null ? "" : state.percent;
    row.classList.toggle("rp-late", state.overdue);
  }

  function pick(row) {
    current = row;
    rows.forEach((r) => r.querySelector(".rp-pick").setAttribute("aria-current", String(r === row)));
    const leads = JSON.parse(row.dataset.leads);
    editor.querySelector("h2").textContent = row.dataset.task;
    editor.querySelector(".rp-text").textContent = row.querySelector(".rp-full").textContent;
    editor.querySelector(".rp-leads").textContent = strings.lead + ": " + leads.map(nameOf).join("; ");
    editor.querySelector(".rp-deadline").textContent = row.dataset.deadline ? strings.deadline + ": " + row.dataset.deadline : "";
    showState(row, { status: row.dataset.status, overdue: row.dataset.overdue === "true",
                     percent: row.dataset.percent === "" ? null : Number(row.dataset.percent) });
    form.reset();
    form.status.value = row.dataset.startStatus;
    form.percent.value = row.dataset.percent || 0;
    const choice = editor.querySelector(".rp-lead-choice");
    choice.hidden = row.dataset.chooseLead !== "true";
    form.lead.disabled = choice.hidden;
    form.lead.innerHTML = leads.map((a) => '<option value="' + a.id + '"></option>').join("");
    Array.from(form.lead.options).forEach((o, i) => { o.textContent = nameOf(leads[i]); });
    form.querySelector(".rp-msg").textContent = "";
    editor.hidden = false;
    document.getElementById("rp-pick-hint").hidden = true;
    history.replaceState(null, "", "#task-" + row.dataset.task);
    editor.focus();
  }

  async function reload(row) {
    const r = await fetch("/api/tasks/" + encodeURIComponent(row.dataset.task), { cache: "no-store" });
    if (!r.ok) return;
    row.dataset.etag = r.headers.get("ETag");
    showState(row, (await r.json()).state);
  }

  async function send(event) {
    event.preventDefault();
    const row = current, msg = form.querySelector(".rp-msg");
    const body = new FormData(form);
    if (!body.get("attachment") || !body.get("attachment").name) body.delete("attachment");
    msg.className = "rp-msg";
    msg.textContent = "…";
    const r = await fetch("/api/tasks/" + encodeURIComponent(row.dataset.task) + "/reports", {
      method: "POST", body: body, headers: { "X-CSRF-Token": csrf, "If-Match": row.dataset.etag }
    });
    const answer = await r.json().catch(() => ({}));
    if (r.status === 201) {
      row.dataset.etag = r.headers.get("ETag");
      showState(row, answer.task_state);
      msg.textContent = answer.review === "pending" ? strings.sentPending : strings.sent;
      new BroadcastChannel("planmap-progress").postMessage({ task: row.dataset.task });
      await drawMap();
    } else if (r.status === 412) {
      await reload(row);
      msg.className = "rp-msg rp-fail";
      msg.textContent = strings.stale;
    } else {
      msg.className = "rp-msg rp-fail";
      msg.textContent = answer.description || ("HTTP " + r.status);
    }
  }

  rows.forEach((row) => row.querySelector(".rp-pick").addEventListener("click", () => pick(row)));
  form.addEventListener("submit", send);
  const filters = document.getElementById("rp-filters");
  filters.addEventListener("input", applyFilters);
  filters.addEventListener("submit", (e) => e.preventDefault());
  applyFilters();
  const wanted = location.hash.startsWith("#task-") && document.getElementById(location.hash.slice(1));
  if (wanted) pick(wanted);
  drawMap();
})();
