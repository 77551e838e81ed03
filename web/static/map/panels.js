/* The side panel: search, the district selector and panel, and the statistics charts (SVG, no library). */
(function (pm) {
  "use strict";
  const $ = (id) => document.getElementById(id);

  pm.showTab = function (name) {
    document.querySelectorAll(".pm-tabs button").forEach((b) => {
      b.setAttribute("aria-selected", String(b.dataset.tab === name));
    });
    document.querySelectorAll(".pm-tab").forEach((s) => { s.hidden = s.id !== "pm-tab-" + name; });
    if (name === "stats") pm.loadStats();
    pm.openPanel(true);
  };

  // ---- search ----
  let searchSeq = 0;
  async function runSearch(query) {
    const seq = ++searchSeq;
    const list = $("pm-search-results");
    if (query.trim().length < 2) { list.innerHTML = ""; return; }
    const hits = await pm.fetchJSON(pm.config.search_url + "?q=" + encodeURIComponent(query));
    if (seq !== searchSeq) return;  // a newer query is on its way
    list.innerHTML = hits.length ? hits.map((h, i) =>
      '<li><button type="button" data-i="' + i + '"><span class="pm-type">' + pm.esc(pm.t("search.type." + h.type)) +
      "</span> " + pm.esc(pm.lang === "en" && h.name_en && h.type !== "task" ? h.name_en : h.name) +
      (h.detail ? ' <small>' + pm.esc(h.detail) + "</small>" : "") + "</button></li>").join("")
      : '<li class="pm-hint">' + pm.esc(pm.t("search.none")) + "</li>";
    list.querySelectorAll("button").forEach((b) => b.addEventListener("click", () => pickHit(hits[b.dataset.i])));
  }

  function pickHit(hit) {
    if (hit.type === "district") return pm.selectDistrict(Number(hit.id), { zoom: true });
    if (hit.type === "feature") return pm.zoomToFeature(hit.id);
    const feature = (hit.features || []).find((id) => pm.features[id]);
    if (feature) return pm.zoomToFeature(feature);
    if (hit.districts && hit.districts.length) return pm.selectDistrict(hit.districts[0], { zoom: true });
  }

  pm.zoomToFeature = function (id) {
    const f = pm.features[id];
    if (!f) return;
    if (!pm.map.hasLayer(pm.groups.overlays[f.layer])) pm.map.addLayer(pm.groups.overlays[f.layer]);
    if (f.shape.getBounds) pm.map.fitBounds(f.shape.getBounds(), { maxZoom: 13, padding: [30, 30] });
    else pm.map.setView(f.latlng, Math.max(pm.map.getZoom(), 12));
    if (pm.isNarrow()) pm.openPanel(false);
    pm.openFeature(id, f.latlng);
  };

  // ---- district selector and panel ----
  pm.fillDistrictSelect = function (districts) {
    const select = $("pm-district-select");
    districts.map((f) => f.properties).sort((a, b) => a.short_name.localeCompare(b.short_name, "vi"))
      .forEach((p) => {
        const o = document.createElement("option");
        o.value = p.gso_code; o.textContent = p.name;
        select.appendChild(o);
      });
    select.addEventListener("change", () => {
      if (select.value) pm.selectDistrict(Number(select.value), { zoom: true });
    });
  };

  pm.selectDistrict = async function (gso, opts) {
    const d = pm.districts[gso];
    if (!d) return;
    if (pm.state.district && pm.districts[pm.state.district]) {
      pm.districts[pm.state.district].layer.setStyle(pm.baseStyles().district);
    }
    d.layer.setStyle(pm.baseStyles().districtSelected);
    pm.state.district = gso;
    $("pm-district-select").value = String(gso);
    if (opts && opts.zoom) {
      const b = d.props.bbox;
      pm.map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [20, 20] });
    }
    pm.showTab("district");
    if (pm.isNarrow() && opts && opts.zoom) pm.openPanel(true);
    pm.updateHash();
    const body = $("pm-district-body");
    body.innerHTML = '<p class="pm-hint">' + pm.esc(pm.t("popup.loading")) + "</p>";
    const detail = await pm.fetchJSON(pm.config.district_url.replace("{gso}", gso));
    if (pm.state.district === gso) body.innerHTML = districtHTML(detail);
    body.querySelectorAll("[data-feature]").forEach((b) =>
      b.addEventListener("click", () => pm.zoomToFeature(b.dataset.feature)));
  };

  function districtHTML(d) {
    const features = d.features.length ? "<ul class='pm-list'>" + d.features.map((f) =>
      '<li><button type="button" class="pm-link" data-feature="' + pm.esc(f.id) + '">' + pm.esc(pm.name(f)) +
      "</button> <small>" + pm.esc(pm.t("layer." + f.layer)) + "</small>" +
      (f.planned_area_ha ? " — <b>" + pm.num(f.planned_area_ha) + " " + pm.t("unit.ha") + "</b>" : "") +
      (f.shared ? ' <small>(' + pm.esc(pm.t("district.shared")) + ")</small>" : "") + "</li>").join("") + "</ul>"
      : "<p>" + pm.esc(pm.t("district.none")) + "</p>";
    const tasks = d.tasks.length ? '<ul class="pm-tasks">' + d.tasks.map(pm.taskItem).join("") + "</ul>"
      : "<p>" + pm.esc(pm.t("district.none")) + "</p>";
    const p = d.progress;
    const print = pm.config.print_url
      ? '<a class="pm-button" href="' + pm.config.print_url.replace("{gso}", d.gso_code) + '" target="_blank">' +
        pm.esc(pm.t("district.print")) + "</a>"
      : '<button type="button" class="pm-button" disabled title="' + pm.esc(pm.t("district.print_unavailable")) +
        '">' + pm.esc(pm.t("district.print")) + "</button>";
    return '<h2>' + pm.esc(d.name) + '</h2><p class="pm-former">' + pm.esc(pm.t("app.former_note")) + "</p>" +
      '<table class="pm-props">' +
      "<tr><th>" + pm.esc(pm.t("district.area")) + "</th><td>" + pm.num(d.area_ha) + " " + pm.t("unit.ha") + "</td></tr>" +
      "<tr><th>" + pm.esc(pm.t("district.raw_material")) + "</th><td>" +
      pm.esc(pm.t(d.raw_material ? "district.raw_material_yes" : "district.raw_material_no")) +
      (d.raw_material_source ? ' <small>(' + pm.esc(d.raw_material_source) + ")</small>" : "") + "</td></tr>" +
      "<tr><th>" + pm.esc(pm.t("district.progress")) + "</th><td>" + p.done + "/" + p.tasks + " " +
      pm.esc(pm.t("stats.done").toLowerCase()) + (p.overdue ? ', <b class="pm-overdue-label">' + p.overdue + " " +
      pm.esc(pm.t("stats.overdue").toLowerCase()) + "</b>" : "") + "</td></tr></table>" + print +
      "<h3>" + pm.esc(pm.t("district.features")) + " (" + d.features.length + ")</h3>" + features +
      "<h3>" + pm.esc(pm.t("district.tasks")) + " (" + d.tasks.length + ")</h3>" + tasks;
  }

  pm.initPanels = function () {
    document.querySelectorAll(".pm-tabs button").forEach((b) =>
      b.addEventListener("click", () => pm.showTab(b.dataset.tab)));
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
