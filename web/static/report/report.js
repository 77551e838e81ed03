/* Agency reporting page: send a report without leaving the page, then redraw the task and the map. */
(function () {
  "use strict";
  // The same palette as the main map (web/static/map/style.js), so a colour means the same everywhere.
  const COLOURS = { overdue: "#d7191c", in_progress: "#f29e2e", done: "#1a9641", not_reported: "#5b7fa6",
                    no_tasks: "#9a9a9a" };
  const csrf = document.body.dataset.csrf;
  const strings = document.getElementById("rp-strings").dataset;
  const mapBox = document.getElementById("rp-map");
  let map = null, layer = null;

  function style(feature) {
    const colour = COLOURS[feature.properties.progress_state] || COLOURS.no_tasks;
    return { color: "#222", weight: 1.5, fillColor: colour, fillOpacity: 0.8,
             className: "rp-f rp-f-" + feature.properties.id };
  }

  async function drawMap() {
    if (!window.L || !mapBox) return;
    const data = await (await fetch(mapBox.dataset.src, { cache: "no-store" })).json();
    if (!map) {
      map = L.map(mapBox, { attributionControl: false }).setView([10.0, 105.1], 8);
    }
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

  function showState(item, state) {
    const p = item.querySelector(".rp-state");
    p.dataset.state = state.status;
    p.querySelector(".rp-status").textContent = strings["status" + state.status.split("_").map(
      (w) => w[0].toUpperCase() + w.slice(1)).join("")] || state.status;
    p.querySelector(".rp-percent").textContent = state.percent === null ? "–" : state.percent;
    p.querySelector(".rp-overdue").hidden = !state.overdue;
  }

  async function reload(item) {
    const r = await fetch("/api/tasks/" + encodeURIComponent(item.dataset.task), { cache: "no-store" });
    if (!r.ok) return;
    item.dataset.etag = r.headers.get("ETag");
    showState(item, (await r.json()).state);
  }

  async function send(event) {
    event.preventDefault();
    const form = event.target, item = form.closest(".rp-task"), msg = form.querySelector(".rp-msg");
    const body = new FormData(form);
    if (!body.get("attachment") || !body.get("attachment").name) body.delete("attachment");
    msg.className = "rp-msg";
    msg.textContent = "…";
    const r = await fetch("/api/tasks/" + encodeURIComponent(item.dataset.task) + "/reports", {
      method: "POST", body: body, headers: { "X-CSRF-Token": csrf, "If-Match": item.dataset.etag }
    });
    const answer = await r.json().catch(() => ({}));
    if (r.status === 201) {
      item.dataset.etag = r.headers.get("ETag");
      showState(item, answer.task_state);
      msg.textContent = strings.sent;
      new BroadcastChannel("planmap-progress").postMessage({ task: item.dataset.task });
      await drawMap();
    } else if (r.status === 412) {
      await reload(item);
      msg.className = "rp-msg rp-fail";
      msg.textContent = strings.stale;
    } else {
      msg.className = "rp-msg rp-fail";
      msg.textContent = answer.description || ("HTTP " + r.status);
    }
  }

  document.querySelectorAll(".rp-form").forEach((f) => f.addEventListener("submit", send));
  drawMap();
})();
