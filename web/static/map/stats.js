/* The statistics panel: charts as inline SVG (no chart library) and tables.
 * Planned hectares and progress by agency come from /api/map/stats; mapped hectares by district and
 * occupancy against the 2030 targets from the statistics API (/api/stats/...) when the app serves it. */
(function (pm) {
  "use strict";

  /** Horizontal bars: [{label, value, colour?}]; an optional vertical line marks a threshold. */
  pm.barChart = function (rows, unit, threshold, title) {
    const max = Math.max(1, threshold || 0, ...rows.map((r) => r.value));
    const h = 22, w = 320, labelW = 130, room = w - labelW - 62;
    const bars = rows.map((r, i) => {
      const len = Math.max(1, (r.value / max) * room);
      return '<g transform="translate(0,' + i * h + ')"><text x="' + (labelW - 4) + '" y="15" text-anchor="end">' +
        pm.esc(r.label.length > 22 ? r.label.slice(0, 21) + "…" : r.label) + "<title>" + pm.esc(r.label) +
        '</title></text><rect x="' + labelW + '" y="4" height="14" width="' + len.toFixed(1) + '" fill="' +
        (r.colour || "#3b6ea5") + '"/><text x="' + (labelW + len + 4) + '" y="15">' + pm.num(r.value) +
        (unit ? " " + unit : "") + "</text></g>";
    }).join("");
    const mark = threshold ? '<line class="pm-threshold" x1="' + (labelW + (threshold / max) * room) + '" x2="' +
      (labelW + (threshold / max) * room) + '" y1="0" y2="' + rows.length * h + '"/>' : "";
    // the chart's text alternative: what it shows, row by row (the tables beside it say the same)
    const alt = (title ? title + ": " : "") + rows.map((r) => r.label + " " + pm.num(r.value) + (unit ? " " + unit : ""))
      .join("; ");
    return '<svg class="pm-chart" viewBox="0 0 ' + w + " " + Math.max(1, rows.length) * h +
      '" role="img" aria-label="' + pm.esc(alt) + '">' + bars + mark + "</svg>";
  };

  function table(head, rows) {
    return '<table class="pm-table"><thead><tr>' + head.map((x) => "<th>" + pm.esc(x) + "</th>").join("") +
      "</tr></thead><tbody>" + rows.map((r) => "<tr>" + r.map((c) => "<td>" + c + "</td>").join("") + "</tr>")
      .join("") + "</tbody></table>";
  }

  const h3 = (key) => "<h3>" + pm.esc(pm.t(key)) + "</h3>";

  /** Hectares by layer, the plan's figures and the drawn footprints side by side, each said for what it is. */
  function layersSection(s) {
    const rows = Object.entries(s.hectares_by_layer).map(([k, v]) => ({ key: k, label: pm.t("layer." + k), value: v }));
    const mapped = s.mapped_hectares_by_layer;
    return h3("stats.by_layer") + '<p class="pm-hint">' + pm.esc(pm.t("stats.planned_vs_mapped")) + "</p>" +
      pm.barChart(rows, pm.t("unit.ha"), null, pm.t("stats.by_layer")) +
      table([pm.t("stats.layer"), pm.t("stats.planned_ha"), pm.t("stats.mapped_ha")], rows.map((r) =>
        [pm.esc(r.label), pm.num(r.value), r.key in mapped ? pm.num(mapped[r.key]) : "–"]));
  }

  function districtsSection(s, mapped) {
    const planned = Object.entries(s.hectares_by_district).map(([k, v]) =>
      ({ label: k, value: Object.values(v).reduce((a, b) => a + b, 0) })).sort((a, b) => b.value - a.value);
    let html = h3("stats.by_district") + '<p class="pm-former">' + pm.esc(pm.t("app.former_note")) + ". " +
      pm.esc(pm.t("stats.shared_note")) + "</p>" + pm.barChart(planned, pm.t("unit.ha"), null, pm.t("stats.by_district"));
    if (mapped) {
      const layers = Object.keys(mapped.totals.hectares);
      html += '<p class="pm-hint">' + pm.esc(pm.t("stats.mapped_note")) + "</p>" +
        table([pm.t("panel.place")].concat(layers.map((l) => pm.t("layer." + l))), mapped.districts.map((d) =>
          [pm.esc(pm.districtName(d))].concat(layers.map((l) => pm.num(d.hectares[l] || 0)))));
    }
    return html;
  }

  function occupancySection(s, occ) {
    if (!occ) {
      const rows = s.occupancy.map((o) => ({ label: pm.name(o), value: o.occupancy_pct,
                                             colour: pm.stateColour("in_progress") }));
      return h3("stats.occupancy") + pm.barChart(rows, "%", null, pm.t("stats.occupancy"));
    }
    return h3("stats.occupancy") + occ.groups.map((g) => {
      const known = occ.features.filter((f) => f.layer === g.layer && f.occupancy_pct !== null);
      // above_threshold comes from the statistics API: the map never restates the target's rule
      const rows = known.map((f) => ({ label: pm.name(f), value: f.occupancy_pct,
                                       colour: pm.stateColour(f.above_threshold ? "done" : "in_progress") }));
      const target = g.targets[0];
      return "<h4>" + pm.esc(pm.t("layer." + g.layer)) + "</h4><p>" +
        pm.esc(target ? (pm.lang === "en" && target.name_en ? target.name_en : target.name) : "") + ": " +
        pm.esc(pm.t("stats.required")) + " " + g.required + " · " + pm.esc(pm.t("stats.above")) + " " +
        g.above_threshold + " · " + pm.esc(pm.t("stats.known")) + " " + g.occupancy_known + "/" + g.features +
        "</p>" + (rows.length ? pm.barChart(rows, "%", g.threshold_pct, pm.t("layer." + g.layer)) : "");
    }).join("");
  }

  /** Tasks each agency leads (a task with several leads counts for each), by name; a name opens its tasks. */
  function agenciesSection(s) {
    const rows = s.agencies.map((a) => ['<button type="button" class="pm-link" data-lead="' + pm.esc(a.id) + '">' +
      pm.esc(pm.name(a)) + "</button>", a.tasks, a.done,
      a.overdue ? '<b class="pm-overdue-label">' + a.overdue + "</b>" : "0"]);
    return h3("stats.agencies") + pm.barChart(s.agencies.slice(0, 12).map((a) =>
      ({ label: pm.name(a), value: a.tasks, colour: a.overdue ? "#b2182b" : "#3b6ea5" })), null, null,
      pm.t("stats.agencies")) +
      table([pm.t("stats.agency"), pm.t("stats.tasks"), pm.t("stats.done"), pm.t("stats.overdue")], rows);
  }

  pm.loadStats = async function () {
    if (pm.statsLoaded) return;
    pm.statsLoaded = true;
    const optional = (url) => (url ? pm.fetchJSON(url).catch(() => null) : Promise.resolve(null));
    const [s, mapped, occ] = await Promise.all([pm.fetchJSON(pm.config.stats_url),
      optional(pm.config.stats_districts_url), optional(pm.config.stats_occupancy_url)]);
    const body = document.getElementById("pm-stats-body");
    body.innerHTML = layersSection(s) + agenciesSection(s) + districtsSection(s, mapped) + occupancySection(s, occ);
    body.querySelectorAll("[data-lead]").forEach((b) =>
      b.addEventListener("click", () => pm.showTasks({ lead: b.dataset.lead }, { open: true })));
  };
})(window.planmap = window.planmap || {});
