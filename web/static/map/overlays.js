/* Imported layers (planmap import) on the map: each one more overlay of the layer list, off until chosen or named
 * by the shared link, drawn from the service's vector tiles (OGC API - Tiles, through the vendored
 * leaflet-vector-tile-layer): GeoJSON of 200 000 parcels is no option in a browser. Below a large layer's min_zoom
 * no tile is asked for and the legend says to zoom in. A tile holds at most feature_cap features and then leaves
 * the rest out (the server says so in X-Tile-Features-Dropped): a tile drawn with that many means the layer is
 * simplified at this zoom, and the legend says so. Land-use layers are styled per code (landuse.js), the others
 * with one neutral style per geometry (web/symbology.json "imported"). A click on a feature shows its attributes. */
(function (pm) {
  "use strict";
  pm.imported = {};  // id -> {meta (from /api/map/imported), layer, style, tiles: {"z/x/y": features drawn}, focus}
  let cap = Infinity;

  const tileKey = (c) => c.z + "/" + c.x + "/" + c.y;

  function neutralStyle(kind) {
    const s = pm.config.symbology.imported[kind] || pm.config.symbology.imported.polygon;
    const base = { color: s.stroke, weight: s.weight, interactive: true };
    if (kind === "line") return Object.assign(base, { fill: false });
    return Object.assign(base, { fill: true, fillColor: s.fill, fillOpacity: s.fill_opacity },
                         kind === "point" ? { radius: s.radius } : {});
  }

  function tileLayer(entry) {
    const m = entry.meta;
    const layer = VectorTileLayer(pm.config.tile_url.replace("{id}", encodeURIComponent(m.id)), {
      pane: "pm-imported", minZoom: m.min_zoom, maxZoom: 18, style: entry.style
    });
    layer.on("tileload", (e) => {
      entry.tiles[tileKey(e.coords)] = e.tile.firstChild ? e.tile.firstChild.childElementCount : 0;
    });
    layer.on("tileunload", (e) => { delete entry.tiles[tileKey(e.coords)]; });
    layer.on("load", noticeChanged);
    layer.on("click", (e) => openItem(entry, e.layer.properties.id, e.latlng));
    return layer;
  }

  /** What the legend says of a shown layer: "zoom" below its min zoom, "simplified" when a tile of this zoom holds
   *  as many features as a tile may, else "". */
  pm.importedNotice = function (entry) {
    const z = Math.round(pm.map.getZoom());
    if (z < entry.meta.min_zoom) return "zoom";
    const full = Object.entries(entry.tiles).some(([k, n]) => n >= cap && Number(k.split("/")[0]) === z);
    return full ? "simplified" : "";
  };

  function noticeChanged() {
    const now = Object.values(pm.imported).map((e) => pm.map.hasLayer(e.layer) && pm.importedNotice(e)).join();
    if (now !== pm.importedNotices) pm.refreshLegend();
    pm.importedNotices = now;
  }

  const NOTICES = {
    zoom: (e) => pm.t("imported.zoom_in", { zoom: e.meta.min_zoom }),
    simplified: () => pm.t("imported.simplified", { cap: pm.num(cap) })
  };

  /** The legend's section of each imported layer on the map. */
  pm.importedLegendHTML = function () {
    return Object.values(pm.imported).filter((e) => pm.map.hasLayer(e.layer)).map((e) => {
      const notice = pm.importedNotice(e), kind = e.meta.geometry, s = neutralStyle(kind);
      const swatch = kind === "point" ? pm.swatch.dot(s.fillColor, { r: s.radius }) : kind === "line"
        ? pm.swatch.line(s.color, s.weight) : pm.swatch.area(s.color, s.fillColor, s.fillOpacity);
      return '<section class="pm-legend-imported" data-layer="' + pm.esc(e.meta.id) + '"><h3>' +
        pm.esc(e.meta.title) + "</h3>" + (notice ? '<p class="pm-notice" data-notice="' + notice + '">' +
        pm.esc(NOTICES[notice](e)) + "</p>" : "") + (e.meta.landuse_field ? pm.landuseLegend(e)
        : "<ul><li>" + swatch + " " + pm.esc(pm.t("imported.count", { n: pm.num(e.meta.rows) })) + "</li></ul>") +
        "</section>";
    }).join("");
  };

  function itemHTML(entry, fid, item) {
    const p = item.properties, m = entry.meta;
    const rows = m.fields.filter((f) => p[f.column] !== null && p[f.column] !== undefined && p[f.column] !== "")
      .map((f) => '<tr><th scope="row">' + pm.esc(f.name) + "</th><td>" +
        pm.esc(f.column === m.landuse_field ? pm.codeLabel(p[f.column]) : String(p[f.column])) + "</td></tr>");
    return '<div class="pm-popup" data-item="' + pm.esc(m.id + "/" + fid) + '"><h2 class="pm-popup-title">' +
      pm.esc(m.title) + '</h2><p class="pm-hint">' + pm.esc(pm.t("imported.feature", { id: fid })) + "</p>" +
      '<table class="pm-props">' + rows.join("") + "</table></div>";
  }

  /** A feature's attributes, as OGC API gives them (the tiles carry only the few the map draws by). */
  function openItem(entry, fid, latlng) {
    const url = pm.config.item_url.replace("{id}", encodeURIComponent(entry.meta.id))
      .replace("{fid}", encodeURIComponent(fid));
    pm.openDetails(latlng, async () => {
      try {
        return itemHTML(entry, fid, await pm.fetchJSON(url));
      } catch (err) {
        console.warn(err);
        return "<p>" + pm.esc(pm.t("popup.error")) + "</p>";
      }
    }, {});
  }

  /** Switch imported layer ``id`` on and bring it into view at a zoom where it is drawn (``opts.zoom``: even when
   *  some of it is in view); ``opts.code`` brings one land-use code forward. */
  pm.showImported = function (id, opts) {
    const entry = pm.imported[id], o = opts || {};
    if (!entry) return;
    if (!pm.map.hasLayer(entry.layer)) pm.map.addLayer(entry.layer);
    if (o.code) pm.focusCode(id, o.code);
    const b = entry.meta.bbox, bounds = b && L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
    if (pm.isNarrow()) pm.openPanel(false);
    if (bounds && (o.zoom || !pm.map.getBounds().intersects(bounds) || pm.importedNotice(entry) === "zoom")) {
      const zoom = Math.min(18, Math.max(pm.map.getBoundsZoom(bounds), entry.meta.min_zoom));
      pm.map.setView(bounds.getCenter(), zoom, { animate: false });
    }
  };

  /** Every imported layer into the layer list (from the map data, addressed by the data version). */
  pm.loadImported = async function () {
    let data;
    try {
      data = await pm.fetchJSON(pm.config.imported_url);
    } catch (err) {
      pm.notify(pm.t("error.load"));
      console.warn(err);
      return;
    }
    cap = data.feature_cap;
    data.layers.forEach((meta) => {
      const entry = { meta: meta, tiles: {}, focus: null };
      entry.style = meta.landuse_field ? (f) => pm.landuseStyle(entry, f.properties[meta.landuse_field])
        : neutralStyle(meta.geometry);
      entry.layer = tileLayer(entry);
      pm.imported[meta.id] = entry;
      pm.addOverlay(meta.id, entry.layer, meta.title);
    });
    pm.map.on("overlayadd overlayremove", pm.refreshLegend);
    pm.map.on("zoomend", noticeChanged);
    pm.$("pm-legend").addEventListener("click", (e) => {
      const button = e.target.closest("[data-unfocus]");
      if (button) pm.focusCode(button.dataset.unfocus, null);
    });
  };
})(window.planmap = window.planmap || {});
