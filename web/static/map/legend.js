/* The legend: what the map draws, from the one symbology (web/symbology.json) and the features on the map:
 * the imported layers switched on (first: they were chosen), progress states with their patterns, sizes, areas,
 * every infrastructure kind and every line style. It folds
 * away (a button with aria-expanded) and sits where the province view leaves room (pm.controlPadding). */
(function (pm) {
  "use strict";
  const S = () => pm.config.symbology;

  function dot(fill, opts) {
    const o = Object.assign({ r: 6, dash: null }, opts);
    const size = 2 * o.r + 4;
    return '<svg class="pm-sw" width="' + size + '" height="' + size + '" aria-hidden="true"><circle cx="' + size / 2 +
      '" cy="' + size / 2 + '" r="' + o.r + '" fill="' + fill + '" stroke="#222" stroke-width="1.2"' +
      (o.dash ? ' stroke-dasharray="' + o.dash + '"' : "") + "/></svg>";
  }

  function area(stroke, fill, opacity, dash) {
    return '<svg class="pm-sw" width="22" height="14" aria-hidden="true"><rect x="1" y="1" width="20" height="12" ' +
      'fill="' + fill + '" fill-opacity="' + opacity + '" stroke="' + stroke + '" stroke-width="1.5"' +
      (dash ? ' stroke-dasharray="' + dash + '"' : "") + "/></svg>";
  }

  function line(colour, width, dash) {
    return '<svg class="pm-sw" width="28" height="12" aria-hidden="true"><line x1="1" y1="6" x2="27" y2="6" stroke="' +
      colour + '" stroke-width="' + width + '"' + (dash ? ' stroke-dasharray="' + dash + '"' : "") + "/></svg>";
  }

  pm.swatch = { dot: dot, area: area, line: line };  // the imported layers' legend (overlays.js) draws them too
  const item = (swatch, text) => "<li>" + swatch + " " + pm.esc(text) + "</li>";
  const block = (title, items) => "<h3>" + pm.esc(title) + "</h3><ul>" + items.join("") + "</ul>";

  function drawn(key) {
    const values = new Set(Object.values(pm.features || {}).filter((f) => f.layer === "infrastructure_projects")
      .map((f) => f.props[key]));
    return [...values].filter(Boolean).sort();
  }

  pm.legendHTML = function () {
    const b = S().base, areas = S().areas;
    const states = ["overdue", "in_progress", "done", "not_reported", "no_tasks"].map((s) =>
      item(dot(pm.stateFill(s)), pm.t("state." + s)));
    const sizes = [50, 250, 1000].map((ha) => item(dot("#ffffff", { r: pm.radiusFor(ha) / 1.6 }),
                                                   pm.num(ha) + " " + pm.t("unit.ha")));
    const zones = [
      item(area(areas.economic_zones.stroke, areas.economic_zones.fill, 0.45), pm.t("layer.economic_zones")),
      item(area(areas.dynamic_regions.stroke, areas.dynamic_regions.fill, 0.3, "6 4"), pm.t("layer.dynamic_regions")),
      item(area(b.raw_material, "url(#pm-hatch)", 0.9, "4 3"), pm.t("layer.raw_material_districts")),
      item(dot(S().points.fills.growth_poles), pm.t("layer.growth_poles")),
      item(dot(pm.stateColour("in_progress"), { dash: "3 3" }), pm.t("legend.schematic")),
      item(area(b.district_edge, b.district_fill, 1), pm.t(pm.state.bounds === "districts" ? "bounds.districts"
                                                                                              : "bounds.communes_2025"))
    ];
    const kinds = drawn("kind").map((k) => item(line(pm.kindColour(k), S().lines.weights[k] || S().lines.weight),
                                                 pm.t("kind." + k)));
    const statuses = drawn("status").map((s) => item(line("#444444", 3, pm.statusDash(s)), pm.t("status." + s)));
    return pm.importedLegendHTML() + block(pm.t("legend.progress"), states) + block(pm.t("legend.size"), sizes) +
      block(pm.t("legend.areas"), zones) + block(pm.t("legend.infra_kinds"), kinds) +
      block(pm.t("legend.infra_status"), statuses);
  };

  pm.addLegend = function () {
    const Legend = L.Control.extend({
      options: { position: "bottomright" },
      onAdd: function () {
        const box = L.DomUtil.create("section", "pm-legend leaflet-control");
        box.id = "pm-legend";
        box.setAttribute("aria-labelledby", "pm-legend-toggle");
        box.innerHTML = '<button type="button" id="pm-legend-toggle" aria-expanded="true" aria-controls="pm-legend-body">' +
          pm.esc(pm.t("legend.title")) + '</button><div id="pm-legend-body" tabindex="0">' + pm.legendHTML() + "</div>";
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      }
    });
    pm.legend = new Legend().addTo(pm.map);
    const toggle = pm.$("pm-legend-toggle");
    toggle.addEventListener("click", () => pm.foldLegend(toggle.getAttribute("aria-expanded") === "true"));
    if (pm.isNarrow()) pm.foldLegend(true);
  };

  pm.foldLegend = function (folded) {
    pm.$("pm-legend-toggle").setAttribute("aria-expanded", String(!folded));
    pm.$("pm-legend-body").hidden = folded;
  };

  pm.refreshLegend = function () {
    if (pm.$("pm-legend-body")) pm.$("pm-legend-body").innerHTML = pm.legendHTML();
  };
})(window.planmap = window.planmap || {});
