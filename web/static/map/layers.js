/* Fill folium's groups from the API: the offline base, the boundaries of before and after 1 July 2025, and the
 * plan layers (one answer for all of them, addressed by the data version). */
(function (pm) {
  "use strict";

  pm.fetchJSON = async function (url, cache) {
    const response = await fetch(url, { cache: cache || "default" });
    if (!response.ok) throw new Error(url + ": HTTP " + response.status);
    return response.json();
  };

  /** The URL of the current data, whatever the version the page was built for (after a report elsewhere). */
  pm.unversioned = (url) => url.replace(/[?&]v=[^&]*/, "");

  pm.addPanes = function (map) {
    // Neighbours and boundaries under the plan, markers above the polygons they sit in, labels above all.
    // Imported layers (parcels) between the raw-material hatch and the plan's zones.
    [["pm-base", 250], ["pm-raw", 300], ["pm-imported", 340], ["pm-zones", 380], ["pm-lines", 420],
     ["pm-markers", 460], ["pm-labels", 640]].forEach(([name, z]) => { map.createPane(name).style.zIndex = z; });
    map.getPane("pm-labels").style.pointerEvents = "none";
  };

  // Leaflet 1.9 listens for focus on every shape with a tooltip, and Chromium makes an SVG path with a focus
  // listener a tab stop: the map's shapes would be dozens of unnamed stops. They are reached through search and lists.
  L.Layer.include({ _addFocusListenersOnLayer: function () {} });

  function boundaryLayer(features, kind, onClick) {
    return L.geoJSON(features, {
      pane: "pm-base", style: () => pm.baseStyles()[kind],
      onEachFeature: (f, layer) => {
        layer.bindTooltip(kind === "district" ? pm.districtName(f.properties) : pm.unitName(f.properties),
                          { sticky: true });
        layer.on("click", () => onClick(f.properties));
      }
    });
  }

  pm.loadBase = async function () {
    const data = await pm.fetchJSON(pm.config.base_url);
    const neighbours = data.features.filter((f) => f.properties.kind === "province");
    const outline = L.geoJSON(neighbours, {
      pane: "pm-base", attribution: pm.t("base.attribution"),
      style: (f) => f.properties.role === "subject" ? pm.baseStyles().subject : pm.baseStyles().neighbour
    }).addTo(pm.groups.bases.offline);
    pm.provinceBounds = outline.getLayers().filter((l) => l.feature.properties.role === "subject")
      .map((l) => l.getBounds()).reduce((a, b) => a.extend(b), L.latLngBounds([]));
    pm.districts = {};
    const districts = data.features.filter((f) => f.properties.kind === "district");
    const layer = boundaryLayer(districts, "district", (p) => pm.selectDistrict(p.gso_code, { zoom: false }));
    layer.eachLayer((l) => {
      const p = l.feature.properties;
      pm.districts[p.gso_code] = { props: p, layer: l };
      pm.labels.add("districts", p.label_at, pm.districtName(p), pm.groups.boundaries.districts);
    });
    layer.addTo(pm.groups.boundaries.districts);
    L.geoJSON(districts.filter((f) => f.properties.raw_material), {
      pane: "pm-raw", style: () => pm.baseStyles().raw
    }).addTo(pm.groups.overlays.raw_material_districts);
    return districts;
  };

  /** The 2025 units, fetched the first time the boundary switch asks for them. */
  pm.loadCommunes = async function () {
    if (pm.communes) return pm.communes;
    const data = await pm.fetchJSON(pm.config.communes_url);
    pm.communes = {};
    const layer = boundaryLayer(data, "commune", (p) => pm.selectCommune(p.code, { zoom: false }));
    layer.eachLayer((l) => {
      const p = l.feature.properties;
      pm.communes[p.code] = { props: p, layer: l };
      pm.labels.add("communes_2025", p.label_at, p.name, pm.groups.boundaries.communes_2025);
    });
    layer.addTo(pm.groups.boundaries.communes_2025);
    return pm.communes;
  };

  /** Show the boundaries and labels of before ("districts") or after 1 July 2025 ("communes_2025"). */
  pm.setBoundaries = async function (which) {
    const g = pm.groups.boundaries;
    if (which === "communes_2025") await pm.loadCommunes();
    Object.entries(g).forEach(([k, group]) => {
      if (k === which) pm.map.addLayer(group); else pm.map.removeLayer(group);
    });
    pm.state.bounds = which;
    document.querySelectorAll("input[name=pm-bounds]").forEach((i) => { i.checked = i.value === which; });
    pm.labels.refresh();
    pm.refreshLegend();
    pm.updateHash();
  };

  function addPlanFeature(layerId, feature, group) {
    // the id is on the feature (as OGC API puts it), not in its properties
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
    const latlng = isPoint ? shape.getLatLng() : shape.getBounds().getCenter();
    pm.features[props.id] = { layer: layerId, props: props, shape: shape, latlng: latlng };
    if (pm.labels.kinds.includes(layerId)) pm.labels.add(layerId, [latlng.lng, latlng.lat], pm.labels.short(layerId, props), group);
  }

  /** Each map layer from its collections in order (footprints or routes, then the points of the others). */
  pm.loadPlanLayers = async function (url, cache) {
    pm.features = pm.features || {};
    try {
      const data = await pm.fetchJSON(url || pm.config.layers_url, cache);
      Object.entries(pm.config.plan_layers).forEach(([layerId, collections]) => {
        const group = pm.groups.overlays[layerId];
        collections.forEach((c) => data[layerId][c].features.forEach((f) => addPlanFeature(layerId, f, group)));
        pm.loaded[layerId] = Object.values(pm.features).filter((f) => f.layer === layerId).length;
      });
    } catch (err) {
      Object.keys(pm.config.plan_layers).forEach((id) => { pm.loaded[id] = -1; });
      pm.notify(pm.t("error.load"));
      console.warn(err);
    }
  };

  /** A report made in another tab (reporting page, dashboard) recolours the map in place, no reload. */
  pm.listenForProgress = function () {
    if (!("BroadcastChannel" in window)) return;
    new BroadcastChannel("planmap-progress").onmessage = async function () {
      Object.keys(pm.config.plan_layers).forEach((id) => pm.groups.overlays[id].clearLayers());
      pm.labels.forget(Object.keys(pm.config.plan_layers));
      pm.features = {};
      pm.tasks = null;  // the task browser asks again when next shown, for the current data
      pm.tasksStale = true;
      await pm.loadPlanLayers(pm.unversioned(pm.config.layers_url), "no-cache");
      pm.labels.refresh();
    };
  };

  /** Another overlay for the layer list and the shared link, off unless the link names it (the imported layers,
   *  overlays.js): ``pm.addOverlay("landuse_2024", layer, "Hiện trạng sử dụng đất 2024")``. */
  pm.addOverlay = function (id, group, label) {
    pm.groups.overlays[id] = group;
    pm.groups.control.addOverlay(group, pm.esc(label));
    const wanted = pm.readHash().layers;
    if (wanted && wanted.includes(id)) group.addTo(pm.map);
    pm.updateHash();
  };
})(window.planmap = window.planmap || {});
