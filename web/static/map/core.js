/* The map's namespace (window.planmap) and its small helpers: words from the one catalogue (pm.config.i18n,
 * web/i18n/<lang>.json), numbers, dates and names as the language on screen writes them. Loaded first. */
(function (pm) {
  "use strict";
  pm.loaded = {};
  pm.state = { district: null, commune: null, feature: null, task: null, bounds: "districts", tab: "search" };

  /** The catalogue's text of ``key``, with {name} placeholders filled from ``values``. */
  pm.t = function (key, values) {
    const text = pm.config.i18n[key] !== undefined ? pm.config.i18n[key] : key;
    return values ? text.replace(/\{(\w+)\}/g, (m, k) => (values[k] === undefined ? m : values[k])) : text;
  };
  pm.esc = (s) => String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  pm.locale = () => (pm.lang === "en" ? "en-GB" : "vi-VN");
  pm.num = (v) => (v === null || v === undefined ? "" :
    new Intl.NumberFormat(pm.locale(), { maximumFractionDigits: 1 }).format(v));
  /** A date as people write it: 05/03/2026 (vi), 5 Mar 2026 (en). */
  pm.date = function (iso) {
    if (!iso) return "";
    const d = new Date(iso + "T00:00:00");
    return pm.lang === "en"
      ? d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" })
      : d.toLocaleDateString("vi-VN", { day: "2-digit", month: "2-digit", year: "numeric" });
  };
  pm.name = (o) => (pm.lang === "en" && o.name_en ? o.name_en : o.name);
  /** A former district's name in the language on screen: "Huyện Gò Quao", "Gò Quao District". */
  pm.districtName = (d) => pm.t("district_name", { short: d.short_name, type: pm.t("district_type." + d.type) });
  /** A name as the data writes it, "Huyện Gò Quao" or "Xã Vĩnh Hòa Hưng Bắc", in the language on screen
   *  ("Gò Quao District", "Vĩnh Hòa Hưng Bắc commune"); other names as they are. */
  pm.placeName = function (name) {
    const m = /^(Huyện|Thành phố|Thị xã|Xã|Phường|Thị trấn|Đặc khu) (.+)$/.exec(name || "");
    if (!m || pm.lang !== "en") return name;
    const district = ["Huyện", "Thành phố", "Thị xã"].includes(m[1]);
    return district ? pm.districtName({ short_name: m[2], type: m[1] }) : m[2] + " " + pm.t("place_type." + m[1]);
  };
  pm.isNarrow = () => window.matchMedia("(max-width: 760px)").matches;
  pm.$ = (id) => document.getElementById(id);

  /** A record's source for people: "Kế hoạch 2024, mục III.3.c, chú thích 5". */
  pm.sourceText = function (refs) {
    return (refs || []).map((r) => {
      if (!r.document) return r.section;
      const section = pm.lang === "en" ? r.section.replace(/^([IVX]+)\. .*$/, "$1") : r.section;
      const parts = [pm.t("doc." + r.document), pm.t("ref.section", { s: section })];
      if (r.paragraph) parts.push(pm.t("ref.paragraph", { n: r.paragraph }));
      if (r.footnote) parts.push(pm.t("ref.footnote", { n: r.footnote }));
      return parts.join(", ");
    }).join("; ");
  };

})(window.planmap = window.planmap || {});
