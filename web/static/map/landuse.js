/* Land-use layers (an imported layer with a land-use field): parcels filled per national code with the colours of
 * the one code table (data/landuse_codes.yaml, in the page as pm.config.symbology.landuse_codes, the colours the
 * printed sheets use), a legend of the codes present with their Vietnamese or English names, one code brought
 * forward from search, and in the popup of a park, cluster or economic zone the hectares of each code inside it
 * (/api/stats/landuse/{layer}/overlay: parcels cut at its boundary, areas in EPSG:9207). */
(function (pm) {
  "use strict";
  const style = () => pm.config.symbology.imported.landuse;
  const norm = (value) => String(value === null || value === undefined ? "" : value).trim().toUpperCase();
  const info = (value) => pm.config.symbology.landuse_codes[norm(value)];

  pm.landuseColour = (value) => (info(value) ? info(value).colour : style().unknown);

  /** "Đất trồng lúa" / "Paddy land"; a value that is no national code says so. */
  pm.codeName = function (value) {
    if (!norm(value)) return pm.t("imported.no_code");
    const c = info(value);
    return c ? (pm.lang === "en" ? c.en : c.vi) : pm.t("imported.unknown_code");
  };

  /** "LUA — Đất trồng lúa". */
  pm.codeLabel = (value) => (norm(value) ? norm(value) + " — " : "") + pm.codeName(value);

  /** Hectares as the land-use tables write them: two decimals. */
  pm.hectares = (v) => new Intl.NumberFormat(pm.locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    .format(v);

  /** The style of a parcel of ``value``; with a code brought forward, the others fade. */
  pm.landuseStyle = function (entry, value) {
    const s = style(), code = norm(value), dim = entry.focus !== null && entry.focus !== code;
    return { stroke: true, color: s.stroke, weight: entry.focus === code ? s.weight * 4 : s.weight,
             opacity: dim ? 0.3 : 1, fill: true, fillColor: pm.landuseColour(code),
             fillOpacity: dim ? 0.15 : s.fill_opacity, interactive: true };
  };

  /** Bring one code forward (null: every code as it is). */
  pm.focusCode = function (id, code) {
    const entry = pm.imported[id];
    entry.focus = code ? norm(code) : null;
    entry.layer.setStyle(entry.style);
    pm.refreshLegend();
  };

  pm.landuseLegend = function (entry) {
    const s = style();
    const items = entry.meta.codes.map((code) => '<li data-code="' + pm.esc(code) + '"' +
      (entry.focus === code ? ' class="pm-focus"' : "") + ">" +
      pm.swatch.area(s.stroke, pm.landuseColour(code), s.fill_opacity) + " <span><b>" + pm.esc(code) + "</b> " +
      pm.esc(pm.codeName(code)) + "</span></li>").join("");
    const focus = entry.focus === null ? "" : '<button type="button" class="pm-link" data-unfocus="' +
      pm.esc(entry.meta.id) + '">' + pm.esc(pm.t("imported.show_all")) + "</button>";
    return "<ul>" + items + "</ul>" + focus;
  };

  const landuseLayers = () => Object.values(pm.imported).filter((e) => e.meta.landuse_field);

  /** Places in a plan feature's popup for the land use inside it, one per land-use layer (filled by
   *  ``fillLanduse``); none for a layer the statistics do not overlay or a feature drawn as a point. */
  pm.landuseSlots = function (d) {
    const known = pm.features[d.id];
    if (!pm.config.landuse_overlay_layers.includes(d.layer) || (known && !known.shape.getBounds)) return "";
    return landuseLayers().map((e) => '<section class="pm-landuse" data-landuse="' + pm.esc(e.meta.id) + '"><h3>' +
      pm.esc(pm.t("landuse.title", { layer: e.meta.title })) + '</h3><p class="pm-hint">' +
      pm.esc(pm.t("popup.loading")) + "</p></section>").join("");
  };

  function overlayTable(rows) {
    if (!rows.length) return '<p class="pm-hint">' + pm.esc(pm.t("landuse.none")) + "</p>";
    const sorted = rows.slice().sort((a, b) => b.hectares - a.hectares || String(a.code).localeCompare(b.code));
    const total = rows.reduce((sum, r) => sum + r.hectares, 0), s = style();
    const body = sorted.map((r) => '<tr data-code="' + pm.esc(r.code || "") + '"><td>' +
      pm.swatch.area(s.stroke, pm.landuseColour(r.code), s.fill_opacity) + " " + pm.esc(r.code || "–") + "</td><td>" +
      pm.esc(pm.codeName(r.code)) + '</td><td class="pm-num">' + pm.hectares(r.hectares) + "</td></tr>").join("");
    return '<table class="pm-table"><thead><tr><th scope="col">' + pm.esc(pm.t("landuse.code")) +
      '</th><th scope="col">' + pm.esc(pm.t("landuse.name")) + '</th><th scope="col" class="pm-num">' +
      pm.esc(pm.t("landuse.hectares")) + "</th></tr></thead><tbody>" + body + '</tbody><tfoot><tr><th scope="row" ' +
      'colspan="2">' + pm.esc(pm.t("landuse.total")) + '</th><td class="pm-num">' + pm.hectares(total) +
      '</td></tr></tfoot></table><p class="pm-note">' + pm.esc(pm.t("landuse.note")) + "</p>";
  }

  /** Fill the land-use places of a popup with the hectares of each code inside feature ``id``. */
  pm.fillLanduse = function (root, id) {
    const slots = Array.from(root.querySelectorAll("[data-landuse]"));
    if (!slots.length) return null;
    return Promise.all(slots.map(async (slot) => {
      const url = pm.config.landuse_overlay_url.replace("{layer}", encodeURIComponent(slot.dataset.landuse))
        .replace("{id}", encodeURIComponent(id));
      const hint = slot.querySelector(".pm-hint");
      try {
        hint.outerHTML = overlayTable(await pm.fetchJSON(url));
      } catch (err) {
        hint.textContent = pm.t("popup.error");
        console.warn(err);
      }
    }));
  };
})(window.planmap = window.planmap || {});
