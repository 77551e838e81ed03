/* A feature's details: a popup that fits the map (re-placed once its content has loaded, clear of the header
 * and of the controls in the corners), or on a phone a bottom sheet above every control. */
(function (pm) {
  "use strict";
  const MARGIN = 8;

  function row(label, value) {
    return value === null || value === undefined || value === "" ? "" :
      "<tr><th scope=\"row\">" + pm.esc(label) + "</th><td>" + value + "</td></tr>";
  }

  /** A 2025 unit's name in the language on screen: "Xã Định Hòa", "Định Hòa commune". */
  pm.unitName = (c) => (pm.lang === "en" ? c.name + " " + pm.t("unit_type." + c.type) : c.full_name);

  /** A 2025 unit's name inside a sentence: "xã Định Hòa", "Định Hòa commune". */
  pm.unitInline = (c) => (pm.lang === "en" ? pm.unitName(c) : c.type + " " + c.name);

  /** Where a feature is, before and after 1 July 2025: "huyện Gò Quao cũ; nay xã Định Hòa". */
  pm.whereText = function (d) {
    const old = d.districts.map((x) => pm.t("where.old", { short: x.short_name,
      type: pm.t("district_type." + x.type).toLowerCase() })).join(", ");
    const units = d.communes_2025.communes.map((c) => pm.unitInline(c) +
      (c.share_pct !== null && d.communes_2025.communes.length > 1 ? " (" + pm.num(c.share_pct) + " %)" : ""));
    if (!units.length) return old;
    const key = d.communes_2025.candidates
      ? (d.communes_2025.basis === "district" ? "where.candidates_district" : "where.candidates") : "where.now";
    return pm.t(key, { old: old, units: units.join(", ") });
  };

  pm.progressBar = function (task) {
    const pct = task.percent === null ? 0 : task.percent;
    const state = task.overdue ? "overdue" : task.status;
    const label = task.percent === null ? pm.t("state." + task.status) : pm.num(pct) + " %";
    return '<div class="pm-bar pm-bar-' + state + '" role="progressbar" aria-valuenow="' + pct +
      '" aria-valuemin="0" aria-valuemax="100" aria-label="' + pm.esc(pm.t("popup.progress") + ": " + label) +
      '"><span style="width:' + pct + '%"></span><em>' + pm.esc(label) + "</em></div>";
  };

  pm.agencyName = (a) => (a ? pm.name(a) : "");
  pm.deadlineText = function (task) {
    const words = pm.lang === "en" ? task.deadline_text_en : task.deadline_text;
    return words || (task.deadline ? pm.date(task.deadline) : pm.t("popup.no_deadline"));
  };
  pm.taskText = (task) => (pm.lang === "en" && task.summary_en ? task.summary_en : task.text);

  /** One task in a list: its id and text open the task card. */
  pm.taskItem = function (task) {
    const leads = (task.leads || []).map((a) => pm.agencyName(typeof a === "string" ? pm.agency(a) : a)).join("; ");
    const text = pm.taskText(task);
    return '<li class="pm-task' + (task.overdue ? " pm-overdue" : "") + '" data-task="' + pm.esc(task.id) + '">' +
      '<button type="button" class="pm-task-open" data-open-task="' + pm.esc(task.id) + '"><b>' + pm.esc(task.id) +
      "</b> " + pm.esc(text.length > 200 ? text.slice(0, 200) + "…" : text) + "</button>" +
      '<div class="pm-task-meta">' + pm.esc(pm.t("popup.lead")) + ": <b>" + pm.esc(leads) + "</b> · " +
      pm.esc(pm.t("popup.deadline")) + ": " + pm.esc(pm.deadlineText(task)) +
      (task.overdue ? ' · <strong class="pm-overdue-label">' + pm.esc(pm.t("popup.overdue")) + "</strong>" : "") +
      "</div>" + pm.progressBar(task) + "</li>";
  };

  /** Task ids in ``root`` open their card. */
  pm.wireTaskLinks = function (root) {
    root.querySelectorAll("[data-open-task]").forEach((b) =>
      b.addEventListener("click", () => pm.openTask(b.dataset.openTask, { fromPopup: true })));
  };

  pm.popupHTML = function (d) {
    const length = d.properties && d.properties.length_km;
    const note = pm.lang === "vi" ? d.location_note_vi : d.location_note;
    const rows = [
      row(pm.t("popup.kind"), pm.esc(pm.t("kind." + d.kind))),
      row(pm.t("popup.where"), pm.esc(pm.whereText(d))),
      row(pm.t("popup.area"), d.planned_area_ha ? pm.num(d.planned_area_ha) + " " + pm.t("unit.ha") : null),
      row(pm.t("popup.length"), length ? pm.num(length) + " " + pm.t("unit.km") : null),
      row(pm.t("popup.occupancy"), d.occupancy_pct !== null ? pm.num(d.occupancy_pct) + " %" : null),
      row(pm.t("popup.status"), pm.esc(pm.t("status." + d.status))),
      row(pm.t("popup.precision"), pm.esc(pm.t("precision." + d.geometry_precision)) +
        (note ? '<div class="pm-note">' + pm.esc(note) + "</div>" : "")),
      row(pm.t("popup.source"), pm.esc(pm.sourceText(d.source)))
    ].join("");
    const tasks = d.tasks.length ? '<ul class="pm-tasks">' + d.tasks.map(pm.taskItem).join("") + "</ul>"
      : "<p>" + pm.esc(pm.t("popup.no_tasks")) + "</p>";
    return '<div class="pm-popup" data-feature="' + pm.esc(d.id) + '"><h2 class="pm-popup-title">' +
      pm.esc(pm.name(d)) + '</h2><table class="pm-props">' + rows + "</table>" + pm.landuseSlots(d) + "<h3>" +
      pm.esc(pm.t("popup.tasks")) + " (" + d.tasks.length + ")</h3>" + tasks + "</div>";
  };

  /** The space the corner controls take: popups keep clear of it. */
  pm.controlInsets = function () {
    const frame = pm.map.getContainer().getBoundingClientRect();
    let top = 0, bottom = 0;
    document.querySelectorAll(".leaflet-top .leaflet-control").forEach((c) => {
      top = Math.max(top, c.getBoundingClientRect().bottom - frame.top);
    });
    document.querySelectorAll(".leaflet-bottom .leaflet-control").forEach((c) => {
      bottom = Math.max(bottom, frame.bottom - c.getBoundingClientRect().top);
    });
    return { top: Math.max(0, top), bottom: Math.max(0, bottom) };
  };

  function popupOptions() {
    const size = pm.map.getSize(), inset = pm.controlInsets();
    const width = Math.min(400, size.x - 2 * MARGIN - 40);
    return { maxWidth: width, minWidth: Math.min(280, width), className: "pm-popup-frame",
             maxHeight: Math.max(160, size.y - inset.top - inset.bottom - 4 * MARGIN - 30),
             autoPanPaddingTopLeft: [MARGIN, inset.top + MARGIN],
             autoPanPaddingBottomRight: [MARGIN, inset.bottom + MARGIN] };
  }

  /** After the content has changed: lay the popup out again and pan until it is inside the free part of the map. */
  pm.keepInView = function (popup) {
    if (!popup.isOpen()) return;
    popup.update();
    const el = popup.getElement(), frame = pm.map.getContainer().getBoundingClientRect();
    const box = el.getBoundingClientRect(), inset = pm.controlInsets();
    const top = frame.top + inset.top + MARGIN, bottom = frame.bottom - inset.bottom - MARGIN;
    let dx = 0, dy = 0;
    if (box.top < top) dy = box.top - top; else if (box.bottom > bottom) dy = box.bottom - bottom;
    if (box.left < frame.left + MARGIN) dx = box.left - frame.left - MARGIN;
    else if (box.right > frame.right - MARGIN) dx = box.right - frame.right + MARGIN;
    if (dx || dy) pm.map.panBy([dx, dy], { animate: false });
  };

  function localiseClose(popup) {
    const close = popup.getElement() && popup.getElement().querySelector(".leaflet-popup-close-button");
    if (close) { close.setAttribute("aria-label", pm.t("leaflet.close")); close.title = pm.t("leaflet.close"); }
  }

  /** On a phone: the details in a sheet at the bottom, above the map's controls; the point stays visible. */
  pm.openSheet = function (html, latlng) {
    const sheet = pm.$("pm-sheet");
    sheet.querySelector(".pm-sheet-body").innerHTML = html;
    sheet.hidden = false;
    pm.openPanel(false);
    if (latlng) {
      const p = pm.map.latLngToContainerPoint(latlng), free = pm.map.getSize().y - sheet.offsetHeight;
      if (p.y > free - 40) pm.map.panBy([0, p.y - free / 2], { animate: false });
    }
    sheet.focus();
    return sheet;
  };

  pm.closeSheet = function () {
    pm.$("pm-sheet").hidden = true;
    pm.state.feature = null;
    pm.updateHash();
  };

  async function details(id) {
    try {
      return pm.popupHTML(await pm.fetchJSON(pm.config.feature_url.replace("{id}", encodeURIComponent(id))));
    } catch (err) {
      return "<p>" + pm.esc(pm.t("popup.error")) + "</p>";
    }
  }

  let opened = 0;

  /** Details at ``at`` in a popup that fits the map (on a phone a bottom sheet): "loading…" at once, then the HTML
   *  ``load()`` resolves to. ``opts.opened()`` runs once the previous popup has closed; ``opts.wire(root)`` wires
   *  the content's buttons and may return a promise of content still to come (the popup is fitted again after). */
  pm.openDetails = async function (at, load, opts) {
    const seq = ++opened, loading = '<p class="pm-hint">' + pm.esc(pm.t("popup.loading")) + "</p>";
    const wire = opts.wire || (() => null);
    if (pm.isNarrow()) {
      pm.map.closePopup();
      if (opts.opened) opts.opened();
      wire(pm.openSheet(loading, at));
      const html = await load();
      if (seq === opened) await wire(pm.openSheet(html, at));
      return;
    }
    if (pm.$("pm-legend-toggle")) pm.foldLegend(true);  // the popup needs the room more than the legend
    const popup = L.popup(popupOptions()).setLatLng(at).setContent(loading);
    popup.openOn(pm.map);  // closes the previous popup (and its popupclose) before this one is recorded
    if (opts.opened) opts.opened();
    localiseClose(popup);
    const html = await load();
    if (seq !== opened || !popup.isOpen()) return;
    // a node, not a string: Leaflet's popup.update() (keepInView) would otherwise parse the string again and drop
    // the listeners and the content added since
    const node = document.createElement("div");
    node.innerHTML = html;
    popup.setContent(node);
    const more = wire(node);
    pm.keepInView(popup);
    if (more) { await more; pm.keepInView(popup); }
  };

  pm.openFeature = async function (id, latlng) {
    const known = pm.features[id];
    pm.state.feature = id;
    await pm.openDetails(latlng || (known && known.latlng), () => details(id), {
      opened: () => { pm.state.feature = id; },
      wire: (root) => { pm.wireTaskLinks(root); return pm.fillLanduse(root, id); }
    });
    pm.updateHash();
  };

  pm.initSheet = function () {
    pm.$("pm-sheet").querySelector(".pm-sheet-close").addEventListener("click", pm.closeSheet);
    pm.$("pm-sheet").addEventListener("keydown", (e) => { if (e.key === "Escape") pm.closeSheet(); });
  };
})(window.planmap = window.planmap || {});
