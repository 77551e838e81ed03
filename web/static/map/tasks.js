/* The task browser: every task of both plans, filtered by plan and section, lead agency, former district (linked
 * directly or through a feature), 2025 unit, status and overdue, sorted by deadline or progress; a card per task.
 * The list's filters and the open card are in the page's link (#tplan=…&task=…), so both can be shared. */
(function (pm) {
  "use strict";
  const $ = pm.$;
  const FILTERS = ["plan", "lead", "district", "commune", "status", "overdue", "sort"];
  const STATUSES = ["not_reported", "not_started", "in_progress", "done", "cancelled"];
  const SORTS = ["document", "deadline", "progress_asc", "progress_desc"];
  let loading = null;

  pm.state.filters = {};
  pm.agency = (id) => (pm.tasks && pm.tasks.agencies[id]) || { name: id };

  pm.loadTasks = function () {
    if (pm.tasks) return Promise.resolve(pm.tasks);
    const url = pm.tasksStale ? pm.unversioned(pm.config.tasks_url) : pm.config.tasks_url;
    loading = loading || pm.fetchJSON(url).then((data) => {
      pm.tasks = data;
      pm.tasksById = Object.fromEntries(data.tasks.map((t) => [t.id, t]));
      fillSelects(data);
      loading = null;
      return data;
    });
    return loading;
  };

  function options(select, rows) {
    select.innerHTML = rows.map(([value, label, group]) => (group ? '<optgroup label="' + pm.esc(label) + '">' :
      '<option value="' + pm.esc(value) + '">' + pm.esc(label) + "</option>")).join("");
  }

  function fillSelects(data) {
    const form = $("pm-task-filters"), all = [["", pm.t("tasks.all")]];
    const byName = (a, b) => a[1].localeCompare(b[1], "vi");
    const plans = [];
    ["000", "001"].forEach((plan) => {
      plans.push([plan, pm.t("doc." + plan)]);
      const sections = [...new Set(data.tasks.filter((t) => t.plan === plan).map((t) => t.section))]
        .sort((a, b) => a.localeCompare(b, "vi", { numeric: true }));
      sections.forEach((s) => plans.push([plan + "|" + s, "— " + pm.sourceText([{ document: plan, section: s }])]));
    });
    options(form.plan, all.concat(plans));
    const leads = new Set(data.tasks.flatMap((t) => t.leads));
    options(form.lead, all.concat([...leads].map((id) => [id, pm.name(data.agencies[id])]).sort(byName)));
    options(form.district, all.concat(Object.entries(data.districts).map(([code, d]) => [code, pm.districtName(d)])
      .sort(byName)));
    const units = new Set(data.tasks.flatMap((t) => t.communes));
    options(form.commune, all.concat([...units].map((code) => [code, pm.unitName(data.communes[code])]).sort(byName)));
    options(form.status, all.concat(STATUSES.map((s) => [s, pm.t("state." + s)])));
    options(form.sort, SORTS.map((s) => [s, pm.t("tasks.sort." + s)]));
  }

  function matches(t, f) {
    if (f.plan) {
      const [plan, section] = f.plan.split("|");
      if (t.plan !== plan || (section && t.section !== section)) return false;
    }
    return (!f.lead || t.leads.includes(f.lead)) && (!f.district || t.districts.includes(Number(f.district))) &&
      (!f.commune || t.communes.includes(f.commune)) && (!f.status || t.status === f.status) &&
      (!f.overdue || t.overdue);
  }

  const progressOf = (t) => (t.percent === null ? -1 : t.percent);
  const SORTERS = {
    document: null,
    deadline: (a, b) => (a.deadline || "9999").localeCompare(b.deadline || "9999"),
    progress_asc: (a, b) => progressOf(a) - progressOf(b),
    progress_desc: (a, b) => progressOf(b) - progressOf(a)
  };

  /** The tasks the filters keep, in the order asked for. */
  pm.filteredTasks = function () {
    const f = pm.state.filters, rows = pm.tasks.tasks.filter((t) => matches(t, f));
    const sorter = SORTERS[f.sort || "document"];
    return sorter ? rows.slice().sort(sorter) : rows;
  };

  function renderList() {
    const rows = pm.filteredTasks();
    const done = rows.filter((t) => t.status === "done").length, overdue = rows.filter((t) => t.overdue).length;
    $("pm-tasks-summary").textContent = pm.t("tasks.summary", { n: rows.length, done: done, overdue: overdue });
    $("pm-tasks-list").innerHTML = rows.length ? rows.map(pm.taskItem).join("")
      : '<li class="pm-hint">' + pm.esc(pm.t("tasks.none")) + "</li>";
    pm.wireTaskLinks($("pm-tasks-list"));
  }

  function readForm() {
    const form = $("pm-task-filters"), f = {};
    FILTERS.forEach((k) => {
      const v = k === "overdue" ? form.overdue.checked : form[k].value;
      if (v && !(k === "sort" && v === "document")) f[k] = v;
    });
    return f;
  }

  function writeForm(f) {
    const form = $("pm-task-filters");
    FILTERS.forEach((k) => {
      if (k === "overdue") form.overdue.checked = !!f.overdue; else form[k].value = f[k] || (k === "sort" ? "document" : "");
    });
  }

  /** Open the task browser, with ``filters`` when given (null keeps the current ones). */
  pm.showTasks = async function (filters, opts) {
    await pm.loadTasks();
    if (filters) { pm.state.filters = Object.assign({}, filters); writeForm(pm.state.filters); }
    renderList();
    if (opts && opts.open) {
      $("pm-task-card").hidden = true;
      $("pm-tasks-browser").hidden = false;
      pm.state.task = null;
      if (pm.state.tab !== "tasks") pm.showTab("tasks");
      pm.updateHash();
    }
  };

  function names(ids) { return ids.map((id) => pm.name(pm.agency(id))).join("; "); }

  function cardRow(label, value) {
    return value ? "<tr><th scope=\"row\">" + pm.esc(label) + "</th><td>" + value + "</td></tr>" : "";
  }

  function cardHTML(t) {
    const d = pm.tasks.districts, u = pm.tasks.communes;
    const report = t.report ? pm.esc(pm.date(t.report.reported_on)) + (t.report.note ? ": " + pm.esc(t.report.note) : "")
      : pm.esc(pm.t("task.no_report"));
    const features = t.features.filter((id) => pm.features[id]).map((id) =>
      '<li>' + pm.esc(pm.name(pm.features[id].props)) + ' <button type="button" class="pm-link" data-show="' +
      pm.esc(id) + '">' + pm.esc(pm.t("task.show_on_map")) + "</button></li>").join("");
    return '<p><button type="button" class="pm-link" data-back>' + pm.esc(pm.t("task.back")) + "</button> · " +
      '<button type="button" class="pm-link" data-share>' + pm.esc(pm.t("share.copy")) + "</button></p>" +
      '<h2 tabindex="-1">' + pm.esc(pm.t("task.title", { id: t.id })) + "</h2>" +
      '<p class="pm-task-full">' + pm.esc(pm.taskText(t)) + "</p>" +
      (pm.lang === "en" ? '<details lang="vi"><summary>' + pm.esc(pm.t("task.original")) + "</summary><p>" +
        pm.esc(t.text) + "</p></details>" : "") +
      '<table class="pm-props">' +
      cardRow(pm.t("task.leads"), pm.esc(names(t.leads))) +
      cardRow(pm.t("task.partners"), pm.esc(names(t.partners))) +
      cardRow(pm.t("popup.deadline"), pm.esc(pm.deadlineText(t)) +
        (t.overdue ? ' <strong class="pm-overdue-label">' + pm.esc(pm.t("popup.overdue")) + "</strong>" : "")) +
      cardRow(pm.t("popup.progress"), pm.esc(pm.t("state." + t.status)) + pm.progressBar(t)) +
      cardRow(pm.t("task.report"), report) +
      cardRow(pm.t("task.districts"), pm.esc(t.districts.map((c) => pm.districtName(d[c])).join(", "))) +
      cardRow(pm.t("task.communes"), pm.esc(t.communes.map((c) => pm.unitName(u[c])).join(", "))) +
      cardRow(pm.t("popup.source"), pm.esc(pm.sourceText(t.source))) + "</table>" +
      "<h3>" + pm.esc(pm.t("task.features")) + " (" + t.features.length + ")</h3>" +
      (features ? '<ul class="pm-list">' + features + "</ul>" : "<p>" + pm.esc(pm.t("district.none")) + "</p>");
  }

  /** The card of one task, in the tasks tab. */
  pm.openTask = async function (id) {
    await pm.loadTasks();
    const t = pm.tasksById[id], card = $("pm-task-card");
    if (!t) { pm.notify(pm.t("task.unknown", { id: id })); return; }
    if (pm.isNarrow()) pm.closeSheet();
    pm.state.task = id;
    if (pm.state.tab !== "tasks") pm.showTab("tasks");
    pm.openPanel(true);
    $("pm-tasks-browser").hidden = true;
    card.innerHTML = cardHTML(t);
    card.hidden = false;
    card.querySelector("[data-back]").addEventListener("click", () => pm.showTasks(null, { open: true }));
    card.querySelector("[data-share]").addEventListener("click", () => pm.share());
    card.querySelectorAll("[data-show]").forEach((b) => b.addEventListener("click", () => pm.zoomToFeature(b.dataset.show)));
    card.querySelector("h2").focus();
    pm.updateHash();
  };

  pm.initTasks = function () {
    const form = $("pm-task-filters");
    form.addEventListener("change", () => { pm.state.filters = readForm(); renderList(); pm.updateHash(); });
    form.addEventListener("reset", () => setTimeout(() => {
      pm.state.filters = {}; writeForm({}); renderList(); pm.updateHash();
    }));
    form.addEventListener("submit", (e) => e.preventDefault());
  };

  /** The filters as hash parameters (``tplan``, ``tlead`` …) and back. */
  pm.filtersToHash = (params) => Object.entries(pm.state.filters).forEach(([k, v]) => params.set("t" + k, v === true ? "1" : v));
  pm.filtersFromHash = function (params) {
    const f = {};
    FILTERS.forEach((k) => { if (params.has("t" + k)) f[k] = k === "overdue" ? params.get("t" + k) === "1" : params.get("t" + k); });
    return Object.keys(f).length ? f : null;
  };
})(window.planmap = window.planmap || {});
