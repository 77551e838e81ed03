/* Entry point: folium has built the map and its groups; fill them and wire the panels. */
(function (pm) {
  "use strict";
  function fitProvince(hash) {
    if (hash.view || !pm.provinceBounds || !pm.provinceBounds.isValid()) return;
    pm.map.fitBounds(pm.provinceBounds, Object.assign({ animate: false }, pm.controlPadding()));
  }

  async function openFromHash(hash) {
    if (hash.bounds === "communes_2025") await pm.setBoundaries("communes_2025");
    if (hash.tab === "tasks" || hash.task) await pm.showTasks(hash.filters, { open: hash.tab === "tasks" });
    if (hash.task) pm.openTask(hash.task);
    if (hash.district) pm.selectDistrict(Number(hash.district), { zoom: !hash.view });
    if (hash.commune) pm.selectCommune(hash.commune, { zoom: !hash.view });
    if (hash.tab === "stats") pm.showTab("stats");
    if (hash.feature && pm.features[hash.feature]) pm.openFeature(hash.feature);
  }

  pm.start = async function (config, groups) {
    pm.config = config;
    pm.lang = config.lang;
    pm.groups = groups;
    pm.map = groups.map;
    const hash = pm.readHash();
    pm.showLoading(true);
    pm.initChrome();
    pm.initPanels();
    pm.initTasks();
    pm.addPanes(pm.map);
    pm.addControls();
    pm.addLegend();
    pm.applyHash(hash);
    const base = pm.loadBase().then(pm.fillDistrictSelect).catch((err) => {
      pm.notify(pm.t("error.load") + ": " + pm.t("layer.districts"));
      console.warn(err);
    });
    await Promise.all([base, pm.loadPlanLayers(), pm.loadImported()]);  // side by side (two preloaded by the page)
    pm.refreshLegend();
    fitProvince(hash);
    pm.labels.refresh();
    pm.listenForProgress();
    pm.ready = true;
    pm.showLoading(false);
    await openFromHash(hash).catch((err) => { pm.notify(pm.t("error.load")); console.warn(err); });
    pm.probeOnline(hash.base);
    pm.updateHash();
    pm.readyAt = performance.now();  // since navigation started: what benchmarks/web_first_view.py reports
    document.body.dataset.ready = "true";  // tests and benchmarks wait for this
    pm.loadCoordinates();
  };
})(window.planmap = window.planmap || {});
