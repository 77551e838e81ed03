/* The place tab's content: a former district (before 1 July 2025) or a 2025 unit, with what the plan puts there,
 * its tasks (counted as layers/progress.py defines) and buttons that open the task browser on them. */
(function (pm) {
  "use strict";

  function filterButton(label, filter) {
    return '<button type="button" class="pm-button" data-filter="' + pm.esc(JSON.stringify(filter)) + '">' +
      pm.esc(label) + "</button>";
  }

  function featureList(features) {
    if (!features.length) return "<p>" + pm.esc(pm.t("district.none")) + "</p>";
    return "<ul class='pm-list'>" + features.map((f) =>
      '<li><button type="button" class="pm-link" data-feature="' + pm.esc(f.id) + '">' + pm.esc(pm.name(f)) +
      "</button> <small>" + pm.esc(pm.t("layer." + f.layer)) + "</small>" +
      (f.planned_area_ha ? " — <b>" + pm.num(f.planned_area_ha) + " " + pm.t("unit.ha") + "</b>" : "") +
      (f.shared ? " <small>(" + pm.esc(pm.t("district.shared")) + ")</small>" : "") +
      (f.candidate ? " <small>(" + pm.esc(pm.t("commune.candidate")) + ")</small>" : "") + "</li>").join("") + "</ul>";
  }

  function taskSection(tasks, progress, filter) {
    const overdue = progress.overdue;
    return "<h3>" + pm.esc(pm.t("district.tasks")) + " (" + tasks.length + ")</h3><p>" +
      pm.esc(pm.t("place.progress", { done: progress.done, tasks: progress.tasks })) +
      (overdue ? ', <b class="pm-overdue-label">' + pm.esc(pm.t("place.overdue", { n: overdue })) + "</b>" : "") +
      "</p><p>" + (tasks.length ? filterButton(pm.t("place.open_tasks", { n: tasks.length }), filter) : "") +
      (overdue ? " " + filterButton(pm.t("place.open_overdue", { n: overdue }), Object.assign({ overdue: true }, filter))
        : "") + "</p>" +
      (tasks.length ? '<ul class="pm-tasks">' + tasks.map(pm.taskItem).join("") + "</ul>" : "");
  }

  function printLink(gso) {
    const href = pm.config.print_url.replace("{gso}", gso) + "?lang=" + pm.lang;
    return '<a class="pm-button" href="' + pm.esc(href) + '" target="_blank" rel="noopener">' +
      pm.esc(pm.t("district.print")) + "</a>";
  }

  pm.districtHTML = function (d) {
    const c = d.counts;
    const units = d.communes_2025.map((u) => pm.unitName(u) + " (" + pm.num(u.share_of_district_pct) + " %)");
    return "<h2>" + pm.esc(pm.districtName(d)) + '</h2><p class="pm-former">' + pm.esc(pm.t("app.former_note")) +
      "</p>" + '<table class="pm-props">' +
      "<tr><th scope=\"row\">" + pm.esc(pm.t("district.area")) + "</th><td>" + pm.num(d.area_ha) + " " +
      pm.t("unit.ha") + "</td></tr>" +
      "<tr><th scope=\"row\">" + pm.esc(pm.t("district.raw_material")) + "</th><td>" +
      pm.esc(pm.t(d.raw_material ? "district.raw_material_yes" : "district.raw_material_no")) + "</td></tr>" +
      "<tr><th scope=\"row\">" + pm.esc(pm.t("district.now")) + "</th><td>" + pm.esc(units.join(", ")) + "</td></tr>" +
      "<tr><th scope=\"row\">" + pm.esc(pm.t("district.counts")) + "</th><td>" +
      pm.esc(pm.t("district.counts_text", { direct: c.tasks_direct, via: c.tasks_via_features,
                                             linked: c.tasks_linked })) + "</td></tr></table>" +
      printLink(d.gso_code) + taskSection(d.tasks, d.progress, { district: String(d.gso_code) }) +
      "<h3>" + pm.esc(pm.t("district.features")) + " (" + d.features.length + ")</h3>" + featureList(d.features);
  };

  pm.communeHTML = function (u) {
    const old = u.former_districts.map((d) => pm.placeName(d.name)).join(", ");
    return "<h2>" + pm.esc(pm.unitName(u)) + '</h2><p class="pm-former">' + pm.esc(pm.t("commune.since")) +
      '</p><table class="pm-props">' +
      "<tr><th scope=\"row\">" + pm.esc(pm.t("commune.formed_from")) + "</th><td>" +
      pm.esc(u.former_communes.map(pm.placeName).join(", ") || "–") + (old ? " <small>(" + pm.esc(old) + ")</small>" : "") +
      "</td></tr><tr><th scope=\"row\">" + pm.esc(pm.t("district.area")) + "</th><td>" + pm.num(u.area_ha) + " " +
      pm.t("unit.ha") + "</td></tr>" +
      (u.formed_from_kien_giang ? "" : "<tr><th scope=\"row\">" + pm.esc(pm.t("commune.note")) + "</th><td>" +
        pm.esc(pm.t("commune.sliver")) + "</td></tr>") + "</table>" +
      taskSection(u.tasks, u.progress, { commune: u.code }) +
      "<h3>" + pm.esc(pm.t("district.features")) + " (" + u.features.length + ")</h3>" + featureList(u.features);
  };
})(window.planmap = window.planmap || {});
