/* The side panel: tabs, search, and the place tab (a former district or a 2025 unit with its features and tasks). */
(function (pm) {
  "use strict";
  const $ = pm.$;

  pm.showTab = function (name, opts) {
    document.querySelectorAll(".pm-tabs [role=tab]").forEach((b) => {
      const on = b.dataset.tab === name;
      b.setAttribute("aria-selected", String(on));
      b.tabIndex = on ? 0 : -1;
    });
    document.querySelectorAll(".pm-tab").forEach((s) => { s.hidden = s.id !== "pm-tab-" + name; });
    pm.state.tab = name;
    if (name === "stats") pm.loadStats();
    if (name === "tasks") pm.showTasks();
    if (!(opts && opts.keepPanel)) pm.openPanel(true);
    pm.updateHash();
  };

  function initTabs() {
    const tabs = Array.from(document.querySelectorAll(".pm-tabs [role=tab]"));
    tabs.forEach((b, i) => {
      b.addEventListener("click", () => pm.showTab(b.dataset.tab));
      b.addEventListener("keydown", (e) => {  // arrow keys move between tabs (WAI-ARIA tabs pattern)
        const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
        if (!step) return;
        const next = tabs[(i + step + tabs.length) % tabs.length];
        pm.showTab(next.dataset.tab);
        next.focus();
      });
    });
  }

  // ---- search ----
  let searchSeq = 0;

  function hitLabel(h) {
    const name = (t) => pm.esc(pm.lang === "en" && h.name_en && t !== "task" ? h.name_en : h.name);
    if (h.type === "district") return pm.esc(pm.districtName({ short_name: h.short_name, type: h.type_name }));
    if (h.type === "former_commune") {
      return pm.esc(pm.t("search.became", { old: pm.placeName(h.name), district: pm.districtName(h.district),
                                              now: pm.unitName(h.became) }));
    }
    if (h.type === "commune") return pm.esc(pm.unitName(h.unit));
    if (h.type === "task") return "<b>" + pm.esc(h.id) + "</b> " + pm.esc(pm.lang === "en" && h.name_en ? h.name_en : h.name);
    if (h.type === "feature") return name(h.type) + (h.districts.length ? " <small>" + pm.esc(h.districts.join(", ")) + "</small>" : "");
    if (h.type === "landuse_code") {
      return "<b>" + pm.esc(h.code) + "</b> " + name(h.type) + " <small>" + pm.esc(h.layer_title) + "</small>";
    }
    return name(h.type);
  }

  async function runSearch(query) {
    const seq = ++searchSeq;
    const list = $("pm-search-results");
    if (query.trim().length < 2) { list.innerHTML = ""; return; }
    const hits = await pm.fetchJSON(pm.config.search_url + "?q=" + encodeURIComponent(query));
    if (seq !== searchSeq) return;  // a newer query is on its way
    list.innerHTML = hits.length ? hits.map((h, i) =>
      '<li><button type="button" data-i="' + i + '"><span class="pm-type">' + pm.esc(pm.t("search.type." + h.type)) +
      "</span> " + hitLabel(h) + "</button></li>").join("")
      : '<li class="pm-hint">' + pm.esc(pm.t("search.none")) + "</li>";
    list.querySelectorAll("button").forEach((b) => b.addEventListener("click", () => pickHit(hits[b.dataset.i])));
  }

  function pickHit(hit) {
    if (hit.type === "district") return pm.selectDistrict(Number(hit.id), { zoom: true });
    if (hit.type === "feature") return pm.zoomToFeature(hit.id);
    if (hit.type === "commune") return pm.selectCommune(hit.id, { zoom: true, bounds: true });
    if (hit.type === "former_commune") return pm.selectCommune(hit.became.code, { zoom: true, bounds: true });
    if (hit.type === "agency") return pm.showTasks({ lead: hit.id }, { open: true });
    if (hit.type === "task") return pm.showTasks(null, { open: true }).then(() => pm.openTask(hit.id));
    if (hit.type === "layer") return pm.showImported(hit.id, { zoom: true });
    if (hit.type === "landuse_code") return pm.showImported(hit.layer, { code: hit.code });
  }

  pm.zoomToFeature = function (id) {
    const f = pm.features[id];
    if (!f) return;
    if (!pm.map.hasLayer(pm.groups.overlays[f.layer])) pm.map.addLayer(pm.groups.overlays[f.layer]);
    if (pm.isNarrow()) pm.openPanel(false);
    if (f.shape.getBounds) pm.map.fitBounds(f.shape.getBounds(), { maxZoom: 13, padding: [30, 30], animate: false });
    else pm.map.setView(f.latlng, Math.max(pm.map.getZoom(), 12), { animate: false });
    pm.openFeature(id, f.latlng);
  };

  // ---- the place tab: a former district or a 2025 unit ----
  pm.fillDistrictSelect = function (districts) {
    const select = $("pm-district-select");
    districts.map((f) => f.properties).sort((a, b) => a.short_name.localeCompare(b.short_name, "vi"))
      .forEach((p) => {
        const o = document.createElement("option");
        o.value = p.gso_code; o.textContent = pm.districtName(p);
        select.appendChild(o);
      });
    select.addEventListener("change", () => {
      if (select.value) pm.selectDistrict(Number(select.value), { zoom: true });
    });
  };

  function highlight(kind, code) {
    const styles = pm.baseStyles();
    Object.values(pm.districts || {}).forEach((d) => d.layer.setStyle(styles.district));
    Object.values(pm.communes || {}).forEach((c) => c.layer.setStyle(styles.commune));
    const found = kind === "district" ? pm.districts[code] : pm.communes && pm.communes[code];
    if (found) found.layer.setStyle(kind === "district" ? styles.districtSelected : styles.communeSelected);
  }

  function zoomTo(bbox) {
    pm.map.fitBounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]], Object.assign({ animate: false }, pm.controlPadding()));
  }

  async function showPlace(url, render) {
    pm.showTab("place", { keepPanel: pm.isNarrow() });
    const body = $("pm-place-body");
    body.innerHTML = '<p class="pm-hint">' + pm.esc(pm.t("popup.loading")) + "</p>";
    const detail = await pm.fetchJSON(url);
    body.innerHTML = render(detail);
    body.querySelectorAll("[data-feature]").forEach((b) =>
      b.addEventListener("click", () => pm.zoomToFeature(b.dataset.feature)));
    body.querySelectorAll("[data-filter]").forEach((b) =>
      b.addEventListener("click", () => pm.showTasks(JSON.parse(b.dataset.filter), { open: true })));
    pm.wireTaskLinks(body);
    return detail;
  }

  pm.selectDistrict = async function (gso, opts) {
    const d = pm.districts[gso];
    if (!d) return;
    if (pm.state.bounds !== "districts") await pm.setBoundaries("districts");
    highlight("district", gso);
    Object.assign(pm.state, { district: gso, commune: null });
    $("pm-district-select").value = String(gso);
    if (opts && opts.zoom) zoomTo(d.props.bbox);
    pm.updateHash();
    await showPlace(pm.config.district_url.replace("{gso}", gso), pm.districtHTML);
  };

  pm.selectCommune = async function (code, opts) {
    if (pm.state.bounds !== "communes_2025") await pm.setBoundaries("communes_2025");
    const c = pm.communes[code];
    if (!c) return;
    highlight("commune", code);
    Object.assign(pm.state, { commune: code, district: null });
    if (opts && opts.zoom) zoomTo(c.props.bbox);
    pm.updateHash();
    await showPlace(pm.config.commune_url.replace("{code}", code), pm.communeHTML);
  };

  pm.initPanels = function () {
    initTabs();
    pm.initSheet();
    let timer = null;
    $("pm-search").addEventListener("keydown", (e) => {
      if (e.key !== "Enter") return;
      const first = $("pm-search-results").querySelector("button");
      if (first) first.click();
    });
    $("pm-search").addEventListener("input", (e) => {
      clearTimeout(timer);
      timer = setTimeout(() => runSearch(e.target.value).catch(console.warn), 180);
    });
  };
})(window.planmap = window.planmap || {});
