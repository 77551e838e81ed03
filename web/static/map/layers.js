/* Fill folium's groups from the API: the offline base, the plan layers, and popups with linked tasks. */
(function (pm) {
  "use strict";

  pm.fetchJSON = async function (url, cache) {
    const response = await fetch(url, { cache: cache || "default",
                                        headers: { Accept: "application/geo+json, application/json" } });
    if (!response.ok) throw new Error(url + ": HTTP " + response.status);
    return response.json();
  };

  pm.addPanes = function (map) {
    // Neighbours and districts under the plan, markers above the polygons they sit in.
    [["pm-base", 250], ["pm-raw", 300], ["pm-zones", 380], ["pm-lines", 420], ["pm-markers", 460]]
      .forEach(([name, z]) => { map.createPane(name).style.zIndex = z; });
  };

  /** A striped SVG pattern for raw-material districts (the fill of their own renderer's SVG). */
  function addHatch(renderer) {
    const svg = renderer._container;
    if (!svg || svg.querySelector("#pm-hatch")) return;
    const ns = "http://www.w3.org/2000/svg";
    const defs = document.createElementNS(ns, "defs");
    defs.innerHTML = '<pattern id="pm-hatch" width="8" height="8" patternUnits="userSpaceOnUse" ' +
      'patternTransform="rotate(45)"><rect width="8" height="8" fill="rgba(77,172,38,0.10)"/>' +
      '<line x1="0" y1="0" x2="0" y2="8" stroke="#4dac26" stroke-width="2.5" stroke-opacity="0.55"/></pattern>';
    svg.insertBefore(defs, svg.firstChild);
  }

  pm.loadBase = async function () {
    const data = await pm.fetchJSON(pm.config.base_url);
    const map = pm.map, ov = pm.groups.overlays;
    const neighbours = data.features.filter((f) => f.properties.kind === "province");
    const outline = L.geoJSON(neighbours, {
      pane: "pm-base", attribution: pm.t("base.attribution"),
      style: (f) => f.properties.role === "subject" ? pm.baseStyles().subject : pm.baseStyles().neighbour
    }).addTo(pm.groups.bases.offline);
    pm.provinceBounds = outline.getLayers().filter((l) => l.feature.properties.role === "subject")
      .map((l) => l.getBounds()).reduce((a, b) => a.extend(b), L.latLngBounds([]));
    pm.districts = {};
    const districts = data.features.filter((f) => f.properties.kind === "district");
    L.geoJSON(districts, {
      pane: "pm-base", style: () => pm.baseStyles().district,
      onEachFeature: (f, layer) => {
        const p = f.properties;
        pm.districts[p.gso_code] = { props: p, layer: layer };
        layer.bindTooltip(p.name + " · " + pm.t("app.former_note"), { sticky: true });
        layer.on("click", () => pm.selectDistrict(p.gso_code, { zoom: false }));
      }
    }).addTo(ov.districts);
    const rawRenderer = L.svg({ pane: "pm-raw" });
    L.geoJSON(districts.filter((f) => f.properties.raw_material), {
      pane: "pm-raw", renderer: rawRenderer, style: () => pm.baseStyles().raw
    }).addTo(ov.raw_material_districts);
    addHatch(rawRenderer);
    map.on("overlayadd", () => addHatch(rawRenderer));
    return districts;
  };

  function addPlanFeature(layerId, feature, group) {
    // OGC API puts the id on the feature, not in its properties
    const props = Object.assign({ id: feature.id }, feature.properties);
    if (pm.features[props.id]) return;  // drawn already as a footprint or route: no second marker
    const isPoint = feature.geometry.type === "Point";
    const shape = isPoint
      ? L.circleMarker(L.GeoJSON.coordsToLatLng(feature.geometry.coordinates),
                       Object.assign({ pane: "pm-markers" }, pm.pointStyle(layerId, props)))
      : L.geoJSON(feature, { pane: /Line/.test(feature.geometry.type) ? "pm-lines" : "pm-zones",
                             style: () => pm.layerStyle(layerId, props) });
    shape.bindTooltip(pm.name(props), { sticky: true });
    shape.on("click", (e) => pm.openFeature(props.id, e.latlng));
    shape.addTo(group);
    pm.features[props.id] = { layer: layerId, props: props, shape: shape,
                              latlng: isPoint ? shape.getLatLng() : shape.getBounds().getCenter() };
  }

  /** Each map layer from its collections in order (footprints or routes, then the points of the others). */
  pm.loadPlanLayers = function (cache) {
    pm.features = pm.features || {};
    return Promise.all(Object.entries(pm.config.plan_layers).map(async ([layerId, collections]) => {
      try {
        const pages = await Promise.all(collections.map((c) => pm.fetchJSON(pm.config.layer_urls[c], cache)));
        pages.forEach((data) => data.features.forEach((f) => addPlanFeature(layerId, f, pm.groups.overlays[layerId])));
        pm.loaded[layerId] = new Set(pages.flatMap((d) => d.features.map((f) => f.id))).size;
      } catch (err) {
        pm.loaded[layerId] = -1;
        pm.notify(pm.t("error.load") + ": " + pm.t("layer." + layerId));
        console.warn(err);
      }
    }));
  };

  /** A report made in another tab (reporting page, dashboard) recolours the map in place, no reload. */
  pm.listenForProgress = function () {
    if (!("BroadcastChannel" in window)) return;
    new BroadcastChannel("planmap-progress").onmessage = function () {
      Object.keys(pm.config.plan_layers).forEach((id) => pm.groups.overlays[id].clearLayers());
      pm.features = {};
      pm.loadPlanLayers("no-cache");  // revalidate: the ETags change with progress
    };
  };

  // ---- popups ----
  function row(label, value) {
    return value === null || value === undefined || value === "" ? "" :
      "<tr><th>" + pm.esc(label) + "</th><td>" + value + "</td></tr>";
  }

  pm.progressBar = function (task) {
    const pct = task.percent === null ? 0 : task.percent;
    const state = task.overdue ? "overdue" : task.status;
    const label = task.percent === null ? pm.t("state." + task.status) : pct + " %";
    return '<div class="pm-bar pm-bar-' + state + '" role="progressbar" aria-valuenow="' + pct +
      '" aria-valuemin="0" aria-valuemax="100"><span style="width:' + pct + '%"></span><em>' +
      pm.esc(label) + "</em></div>";
  };

  pm.taskItem = function (task) {
    const lead = task.leads.map((a) => (pm.lang === "en" && a.name_en ? a.name_en : a.name)).join("; ");
    const text = pm.lang === "en" && task.summary_en ? task.summary_en : task.text;
    const words = pm.lang === "en" ? task.deadline_text_en : task.deadline_text;
    const deadline = words || task.deadline || pm.t("popup.no_deadline");
    return '<li class="pm-task' + (task.overdue ? " pm-overdue" : "") + '" data-task="' + pm.esc(task.id) + '">' +
      '<div class="pm-task-text">' + pm.esc(text.length > 220 ? text.slice(0, 220) + "…" : text) + "</div>" +
      '<div class="pm-task-meta">' + pm.esc(pm.t("popup.lead")) + ": <b>" + pm.esc(lead) + "</b> · " +
      pm.esc(pm.t("popup.deadline")) + ": " + pm.esc(deadline) +
      (task.overdue ? ' · <strong class="pm-overdue-label">' + pm.esc(pm.t("popup.overdue")) + "</strong>" : "") +
      "</div>" + pm.progressBar(task) + "</li>";
  };

  pm.popupHTML = function (d) {
    const districts = d.districts.map((x) => x.short_name).join(", ");
    const length = d.properties && d.properties.length_km;
    const rows = [
      row(pm.t("popup.kind"), pm.esc(pm.t("kind." + d.kind))),
      row(pm.t("popup.district"), pm.esc(districts)),
      row(pm.t("popup.area"), d.planned_area_ha ? pm.num(d.planned_area_ha) + " " + pm.t("unit.ha") : null),
      row(pm.t("popup.length"), length ? pm.num(length) + " " + pm.t("unit.km") : null),
      row(pm.t("popup.occupancy"), d.occupancy_pct !== null ? pm.num(d.occupancy_pct) + " %" : null),
      row(pm.t("popup.status"), pm.esc(pm.t("status." + d.status))),
      row(pm.t("popup.precision"), pm.esc(pm.t("precision." + d.geometry_precision)) +
        '<div class="pm-note">' + pm.esc(pm.lang === "vi" && d.location_note_vi ? d.location_note_vi
                                                                              : d.location_note) + "</div>"),
      row(pm.t("popup.source"), pm.esc(d.source))
    ].join("");
    const tasks = d.tasks.length ? '<ul class="pm-tasks">' + d.tasks.map(pm.taskItem).join("") + "</ul>"
      : "<p>" + pm.esc(pm.t("popup.no_tasks")) + "</p>";
    return '<div class="pm-popup" data-feature="' + pm.esc(d.id) + '"><h3>' + pm.esc(pm.name(d)) + "</h3>" +
      '<table class="pm-props">' + rows + "</table><h4>" + pm.esc(pm.t("popup.tasks")) +
      " (" + d.tasks.length + ")</h4>" + tasks + "</div>";
  };

  pm.openFeature = async function (id, latlng) {
    const known = pm.features[id];
    const at = latlng || (known && known.latlng);
    const popup = L.popup({ maxWidth: 380, minWidth: 260, maxHeight: 420, autoPanPadding: [20, 60] })
      .setLatLng(at).setContent('<p class="pm-hint">' + pm.esc(pm.t("popup.loading")) + "</p>");
    popup.openOn(pm.map);  // closes the previous popup (and its popupclose) before this one is recorded
    try {
      const detail = await pm.fetchJSON(pm.config.feature_url.replace("{id}", encodeURIComponent(id)));
      popup.setContent(pm.popupHTML(detail));
    } catch (err) {
      popup.setContent("<p>" + pm.esc(pm.t("popup.error")) + "</p>");
    }
    pm.state.feature = id;
    pm.updateHash();
  };
})(window.planmap = window.planmap || {});
