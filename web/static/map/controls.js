/* Map controls: cursor coordinates (WGS84 and VN-2000), legend, shareable URL, panel toggle, language. */
(function (pm) {
  "use strict";

  /** lon/lat WGS84 -> [x, y] in VN-2000 / TM-3 104°30' (EPSG:9207) with the official EPSG:6960 Helmert. */
  pm.vn2000 = function (lon, lat) {
    return proj4("EPSG:4326", pm.config.vn2000, [lon, lat]);
  };

  pm.addCoordinates = function () {
    const Coords = L.Control.extend({
      options: { position: "bottomleft" },
      onAdd: function () {
        const div = L.DomUtil.create("div", "pm-coords leaflet-control");
        div.id = "pm-coords";
        L.DomEvent.disableClickPropagation(div);
        return div;
      }
    });
    const control = new Coords().addTo(pm.map);
    const show = (ll) => {
      const [x, y] = pm.vn2000(ll.lng, ll.lat);
      control.getContainer().innerHTML = '<span class="pm-c-wgs">' + pm.t("coords.wgs84") + ": " +
        ll.lat.toFixed(5) + "° N, " + ll.lng.toFixed(5) + '° E</span> <span class="pm-c-vn">' +
        pm.t("coords.vn2000") + ": x " + x.toFixed(2) + ", y " + y.toFixed(2) + "</span>";
    };
    pm.map.on("mousemove", (e) => show(e.latlng));
    pm.map.on("moveend", () => { if (!pm.pointerSeen) show(pm.map.getCenter()); });
    pm.map.getContainer().addEventListener("pointermove", () => { pm.pointerSeen = true; }, { once: true });
    show(pm.map.getCenter());
  };

  pm.addLegend = function () {
    const legend = document.getElementById("pm-legend");
    const Legend = L.Control.extend({
      // bottom left is open sea west of the mainland: the legend hides no part of the plan there
      options: { position: "bottomleft" },
      onAdd: () => { L.DomEvent.disableClickPropagation(legend); return legend; }
    });
    new Legend().addTo(pm.map);
    legend.addEventListener("click", () => legend.classList.toggle("pm-collapsed"));
    if (pm.isNarrow()) legend.classList.add("pm-collapsed");
  };

  // ---- shareable URL: #map=zoom/lat/lon&layers=a,b&base=offline&district=907&feature=id ----
  pm.readHash = function () {
    const params = new URLSearchParams(location.hash.slice(1));
    const view = (params.get("map") || "").split("/").map(Number);
    return {
      view: view.length === 3 && view.every(Number.isFinite) ? view : null,
      layers: params.has("layers") ? params.get("layers").split(",").filter(Boolean) : null,
      base: params.get("base"), district: params.get("district"), feature: params.get("feature")
    };
  };

  pm.updateHash = function () {
    if (!pm.ready) return;
    const c = pm.map.getCenter();
    const layers = Object.keys(pm.groups.overlays).filter((k) => pm.map.hasLayer(pm.groups.overlays[k]));
    const params = new URLSearchParams();
    params.set("map", pm.map.getZoom() + "/" + c.lat.toFixed(4) + "/" + c.lng.toFixed(4));
    params.set("layers", layers.join(","));
    params.set("base", pm.map.hasLayer(pm.groups.bases.online) ? "online" : "offline");
    if (pm.state.district) params.set("district", pm.state.district);
    if (pm.state.feature) params.set("feature", pm.state.feature);
    history.replaceState(null, "", location.pathname + location.search + "#" + params.toString().replace(/%2C/g, ","));
    const lang = document.getElementById("pm-lang");
    lang.href = "?lang=" + pm.t("lang.other_code") + location.hash;
  };

  pm.applyHash = function (h) {
    if (h.view) pm.map.setView([h.view[1], h.view[2]], h.view[0], { animate: false });
    if (h.layers) {
      Object.entries(pm.groups.overlays).forEach(([k, g]) => {
        if (h.layers.includes(k)) pm.map.addLayer(g); else pm.map.removeLayer(g);
      });
    }
    if (h.base === "online") pm.useOnline(true);
  };

  pm.useOnline = function (on) {
    const { online, offline } = pm.groups.bases;
    if (on && !pm.map.hasLayer(online)) { pm.map.addLayer(online); pm.map.removeLayer(offline); }
    if (!on && !pm.map.hasLayer(offline)) { pm.map.addLayer(offline); pm.map.removeLayer(online); }
  };

  /** Switch to the online basemap only when the server can reach it: offline, nothing is requested at all. */
  pm.probeOnline = async function (requested) {
    try {
      const status = await pm.fetchJSON(pm.config.basemap_status);
      if (status.online && requested !== "offline") pm.useOnline(true);
    } catch (err) { /* stay offline */ }
  };

  pm.openPanel = function (open) {
    document.body.classList.toggle("pm-panel-closed", !open);
    document.getElementById("pm-panel-toggle").setAttribute("aria-expanded", String(open));
    setTimeout(() => pm.map.invalidateSize(), 220);
  };

  pm.initChrome = function () {
    document.getElementById("pm-panel-toggle").addEventListener("click", () =>
      pm.openPanel(document.body.classList.contains("pm-panel-closed")));
    document.getElementById("pm-share").addEventListener("click", async () => {
      pm.updateHash();
      try { await navigator.clipboard.writeText(location.href); } catch (err) { /* not allowed: URL is shown */ }
      pm.notify(pm.t("share.copied") + ": " + location.href);
    });
    ["moveend", "overlayadd", "overlayremove", "baselayerchange"].forEach((e) => pm.map.on(e, pm.updateHash));
    pm.map.on("popupclose", () => { pm.state.feature = null; pm.updateHash(); });
    if (pm.isNarrow()) pm.openPanel(false);
  };

  pm.notify = function (message) {
    let box = document.getElementById("pm-toast");
    if (!box) {
      box = document.createElement("div");
      box.id = "pm-toast"; box.setAttribute("role", "status");
      document.body.appendChild(box);
    }
    box.textContent = message;
    box.classList.add("pm-show");
    clearTimeout(pm.toastTimer);
    pm.toastTimer = setTimeout(() => box.classList.remove("pm-show"), 4000);
  };
})(window.planmap = window.planmap || {});
