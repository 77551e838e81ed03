/* Map controls and page chrome: zoom, the boundary switch, a scale in kilometres, cursor coordinates (WGS84 and
 * VN-2000), the loading indicator, the shareable URL, the print link, the panel toggle and messages. */
(function (pm) {
  "use strict";
  const $ = pm.$;

  // ---- coordinates: WGS84 at once, VN-2000 once proj4 has arrived (loaded after the layers are drawn) ----
  pm.vn2000 = (lon, lat) => proj4("EPSG:4326", pm.config.vn2000, [lon, lat]);

  pm.loadCoordinates = function () {
    if (window.proj4) { pm.vn2000Ready = true; return; }
    const script = document.createElement("script");
    script.src = pm.config.proj4_url;
    script.onload = () => { pm.vn2000Ready = true; pm.showCoordinates(pm.lastCursor || pm.map.getCenter()); };
    document.head.appendChild(script);
  };

  pm.showCoordinates = function (ll) {
    pm.lastCursor = ll;
    let text = '<span class="pm-c-wgs">' + pm.t("coords.wgs84") + ": " + ll.lat.toFixed(5) + "° N, " +
      ll.lng.toFixed(5) + "° E</span>";
    if (pm.vn2000Ready) {
      const [x, y] = pm.vn2000(ll.lng, ll.lat);
      text += ' <span class="pm-c-vn">' + pm.t("coords.vn2000") + ": x " + x.toFixed(2) + ", y " + y.toFixed(2) + "</span>";
    }
    $("pm-coords").innerHTML = text;
  };

  function control(position, build) {
    const C = L.Control.extend({ options: { position: position }, onAdd: function () {
      const box = build();
      L.DomEvent.disableClickPropagation(box);
      return box;
    } });
    return new C().addTo(pm.map);
  }

  /** A scale bar that always speaks kilometres (0.5 km, 2 km, 20 km). */
  const KmScale = L.Control.Scale.extend({
    _updateMetric: function (maxMeters) {
      const km = this._getRoundNum(maxMeters / 1000);
      this._updateScale(this._mScale, pm.num(km) + " " + pm.t("unit.km"), (km * 1000) / maxMeters);
    }
  });

  function boundarySwitch() {
    const box = L.DomUtil.create("fieldset", "pm-bounds leaflet-control");
    box.innerHTML = "<legend>" + pm.esc(pm.t("bounds.title")) + "</legend>" +
      ["districts", "communes_2025"].map((b) => '<label><input type="radio" name="pm-bounds" value="' + b + '"' +
        (b === pm.state.bounds ? " checked" : "") + '> <span class="pm-long">' + pm.esc(pm.t("bounds." + b)) +
        '</span><span class="pm-short">' + pm.esc(pm.t("bounds." + b + "_short")) + "</span></label>").join("");
    box.addEventListener("change", (e) => pm.setBoundaries(e.target.value));
    return box;
  }

  pm.addControls = function () {
    L.control.zoom({ position: "topleft", zoomInTitle: pm.t("leaflet.zoom_in"),
                     zoomOutTitle: pm.t("leaflet.zoom_out") }).addTo(pm.map);
    document.querySelectorAll(".leaflet-control-zoom a").forEach((a) => a.setAttribute("aria-label", a.title));
    control("topright", boundarySwitch);
    new KmScale({ position: "bottomleft", metric: true, imperial: false, maxWidth: 120 }).addTo(pm.map);
    control("bottomleft", () => { const d = L.DomUtil.create("div", "pm-coords leaflet-control"); d.id = "pm-coords"; return d; });
    pm.map.attributionControl.setPrefix(false);
    pm.map.on("mousemove", (e) => pm.showCoordinates(e.latlng));
    pm.map.on("moveend", () => { if (!pm.pointerSeen) pm.showCoordinates(pm.map.getCenter()); });
    pm.map.getContainer().addEventListener("pointermove", () => { pm.pointerSeen = true; }, { once: true });
    pm.map.getContainer().setAttribute("aria-label", pm.t("a11y.map"));
    pm.showCoordinates(pm.map.getCenter());
    const toggle = document.querySelector(".leaflet-control-layers-toggle");
    if (toggle) { toggle.title = pm.t("panel.layers"); toggle.setAttribute("aria-label", pm.t("panel.layers")); toggle.id = "pm-layers"; }
    pm.watchLabels();
    pm.addPatterns();
  };

  /** Room the province view leaves for the controls in the corners, so that none covers a feature. */
  pm.controlPadding = function () {
    const frame = pm.map.getContainer().getBoundingClientRect();
    const corner = (sel) => Array.from(document.querySelectorAll(sel + " .leaflet-control"))
      .map((c) => c.getBoundingClientRect()).filter((r) => r.width);
    // left: the zoom buttons' width; right: the switch and the legend; bottom: the scale and the coordinates
    const left = Math.max(0, ...corner(".leaflet-top.leaflet-left").map((r) => r.right - frame.left));
    const right = Math.max(0, ...corner(".leaflet-right").map((r) => frame.right - r.left));
    const bottom = Math.max(0, ...corner(".leaflet-bottom.leaflet-left").map((r) => frame.bottom - r.top));
    return { paddingTopLeft: [left + 8, 8], paddingBottomRight: [right + 8, bottom + 8] };
  };

  pm.showLoading = function (on) {
    $("pm-loading").hidden = !on;
    document.body.setAttribute("aria-busy", String(on));
  };

  // ---- shareable URL: #map=zoom/lat/lon&layers=a,b&base=offline&bounds=…&district=907&feature=id&task=… ----
  pm.readHash = function () {
    const params = new URLSearchParams(location.hash.slice(1));
    const view = (params.get("map") || "").split("/").map(Number);
    return {
      view: view.length === 3 && view.every(Number.isFinite) ? view : null,
      layers: params.has("layers") ? params.get("layers").split(",").filter(Boolean) : null,
      base: params.get("base"), bounds: params.get("bounds"), district: params.get("district"),
      commune: params.get("commune"), feature: params.get("feature"), task: params.get("task"),
      tab: params.get("tab"), filters: pm.filtersFromHash(params)
    };
  };

  pm.updateHash = function () {
    if (!pm.ready) return;
    const c = pm.map.getCenter(), s = pm.state;
    const layers = Object.keys(pm.groups.overlays).filter((k) => pm.map.hasLayer(pm.groups.overlays[k]));
    const params = new URLSearchParams();
    params.set("map", pm.map.getZoom() + "/" + c.lat.toFixed(4) + "/" + c.lng.toFixed(4));
    params.set("layers", layers.join(","));
    params.set("base", pm.map.hasLayer(pm.groups.bases.online) ? "online" : "offline");
    if (s.bounds !== "districts") params.set("bounds", s.bounds);
    ["district", "commune", "feature", "task"].forEach((k) => { if (s[k]) params.set(k, s[k]); });
    if (s.tab !== "search") params.set("tab", s.tab);
    if (s.tab === "tasks") pm.filtersToHash(params);
    history.replaceState(null, "", location.pathname + location.search + "#" + params.toString().replace(/%2C/g, ","));
    $("pm-lang").href = "?lang=" + pm.t("lang.other_code") + location.hash;
    $("pm-print").href = (s.district ? pm.config.print_url.replace("{gso}", s.district) : "/print/province.pdf") +
      "?lang=" + pm.lang;
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

  async function onlineNow() {
    try { return (await pm.fetchJSON(pm.config.basemap_status, "no-store")).online; } catch (err) { return false; }
  }

  /** Switch to the online basemap only when the server can reach it; choosing it offline says so. */
  pm.probeOnline = async function (requested) {
    if ((await onlineNow()) && requested !== "offline") pm.useOnline(true);
    pm.map.on("baselayerchange", async (e) => {
      if (e.layer !== pm.groups.bases.online || (await onlineNow())) return;
      pm.useOnline(false);
      pm.notify(pm.t("base.offline_notice"));
    });
  };

  pm.openPanel = function (open) {
    document.body.classList.toggle("pm-panel-closed", !open);
    $("pm-panel-toggle").setAttribute("aria-expanded", String(open));
    setTimeout(() => pm.map.invalidateSize(), 220);
  };

  pm.share = async function () {
    pm.updateHash();
    try { await navigator.clipboard.writeText(location.href); } catch (err) { /* not allowed: the URL is shown */ }
    pm.notify(pm.t("share.copied") + ": " + location.href);
  };

  function skipLinks() {
    document.querySelectorAll("[data-skip]").forEach((a) => a.addEventListener("click", (e) => {
      e.preventDefault();
      const to = a.dataset.skip;
      if (to === "layers") {
        pm.groups.control.expand();
        const first = document.querySelector(".leaflet-control-layers-list input");
        if (first) first.focus();
        return;
      }
      pm.showTab(to);
      (to === "search" ? $("pm-search") : $("pm-tasks-list")).focus();
    }));
  }

  pm.initChrome = function () {
    $("pm-panel-toggle").addEventListener("click", () => pm.openPanel(document.body.classList.contains("pm-panel-closed")));
    $("pm-share").addEventListener("click", pm.share);
    ["moveend", "overlayadd", "overlayremove", "baselayerchange"].forEach((e) => pm.map.on(e, pm.updateHash));
    pm.map.on("popupclose", () => { pm.state.feature = null; pm.updateHash(); });
    skipLinks();
    if (pm.isNarrow()) pm.openPanel(false);
  };

  pm.notify = function (message) {
    let box = $("pm-toast");
    if (!box) {
      box = document.createElement("div");
      box.id = "pm-toast"; box.setAttribute("role", "status");
      document.body.appendChild(box);
    }
    box.textContent = message;
    box.classList.add("pm-show");
    clearTimeout(pm.toastTimer);
    pm.toastTimer = setTimeout(() => box.classList.remove("pm-show"), 5000);
  };
})(window.planmap = window.planmap || {});
