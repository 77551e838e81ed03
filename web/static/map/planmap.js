/* Entry point: folium has built the map and its groups; fill them and wire the panels. */
(function (pm) {
  "use strict";
  pm.loaded = {};
  pm.state = { district: null, feature: null };

  pm.t = (key) => (pm.config.i18n[key] !== undefined ? pm.config.i18n[key] : key);
  pm.esc = (s) => String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  pm.num = (v) => (v === null || v === undefined ? "" :
    new Intl.NumberFormat(pm.lang === "en" ? "en-GB" : "vi-VN", { maximumFractionDigits: 1 }).format(v));
  pm.name = (o) => (pm.lang === "en" && o.name_en ? o.name_en : o.name);
  pm.isNarrow = () => window.matchMedia("(max-width: 760px)").matches;

  pm.start = async function (config, groups) {
    pm.config = config;
    pm.lang = config.lang;
    pm.groups = groups;
    pm.map = groups.map;
    const hash = pm.readHash();
    pm.initChrome();
    pm.initPanels();
    pm.addLegend();
    pm.addCoordinates();
    pm.addPanes(pm.map);
    const toggle = document.querySelector(".leaflet-control-layers-toggle");
    if (toggle) toggle.title = pm.t("panel.layers");  // Leaflet's own title is English
    pm.applyHash(hash);
    const base = pm.loadBase().then((districts) => {
      pm.fillDistrictSelect(districts);
      if (!hash.view && pm.provinceBounds.isValid()) pm.map.fitBounds(pm.provinceBounds, { animate: false });
    }).catch((err) => {
      pm.notify(pm.t("error.load") + ": " + pm.t("layer.districts"));
      console.warn(err);
    });
    await Promise.all([base, pm.loadPlanLayers()]);  // fetched side by side
    pm.listenForProgress();
    pm.ready = true;
    if (hash.district) pm.selectDistrict(Number(hash.district), { zoom: !hash.view });
    if (hash.feature && pm.features[hash.feature]) pm.openFeature(hash.feature);
    pm.probeOnline(hash.base);
    pm.updateHash();
    document.body.dataset.ready = "true";  // tests and benchmarks wait for this
  };
})(window.planmap = window.planmap || {});
