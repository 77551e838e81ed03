/* Labels on the map: growth poles, parks, clusters and the names of districts or 2025 units, each from the zoom at
 * which it fits (web/symbology.json "labels"), and never two on top of each other: after every move the labels
 * are placed in priority order and one that would overlap a placed one is hidden. */
(function (pm) {
  "use strict";
  const spec = () => pm.config.symbology.labels;
  const all = [];  // {kind, marker, group}

  function overlaps(a, b) {
    return !(a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top);
  }

  pm.labels = {
    kinds: ["growth_poles", "industrial_parks", "industrial_clusters"],

    /** A label's text: the feature's name without the layer's own words ("CCN Cái Tư", "Cái Tư IC"). */
    short: function (layer, props) {
      const bare = pm.name(props).replace(new RegExp(pm.t("label.strip"), "gi"), "").trim();
      return pm.t("label." + layer, { name: bare });
    },

    /** A label at [lon, lat], shown while ``group`` is on the map. */
    add: function (kind, lonlat, text, group) {
      const icon = L.divIcon({ className: "pm-label pm-label-" + kind, iconSize: null,
                               html: '<span>' + pm.esc(text) + "</span>" });
      const marker = L.marker([lonlat[1], lonlat[0]], { icon: icon, pane: "pm-labels", interactive: false,
                                                        keyboard: false });
      all.push({ kind: kind, marker: marker, group: group });
    },

    forget: function (kinds) {
      for (let i = all.length - 1; i >= 0; i--) {
        if (kinds.includes(all[i].kind)) { pm.map.removeLayer(all[i].marker); all.splice(i, 1); }
      }
    },

    /** Show the labels that fit at this zoom, by priority, hiding any that would overlap one already shown. */
    refresh: function () {
      const zoom = pm.map.getZoom(), order = spec().priority, placed = [];
      const sorted = all.slice().sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
      sorted.forEach((l) => {
        const wanted = zoom >= spec().min_zoom[l.kind] && pm.map.hasLayer(l.group);
        if (!wanted) { pm.map.removeLayer(l.marker); return; }
        if (!pm.map.hasLayer(l.marker)) l.marker.addTo(pm.map);
        const el = l.marker.getElement().firstChild;
        const box = el.getBoundingClientRect();
        const clear = box.width > 0 && !placed.some((p) => overlaps(p, box));
        l.marker.getElement().classList.toggle("pm-label-hidden", !clear);
        if (clear) placed.push(box);
      });
    },

    /** The labels on screen now: [{kind, text, box}] (tests and the legend read it). */
    shown: function () {
      return all.filter((l) => pm.map.hasLayer(l.marker) &&
                               !l.marker.getElement().classList.contains("pm-label-hidden"))
        .map((l) => ({ kind: l.kind, text: l.marker.getElement().textContent,
                       box: l.marker.getElement().firstChild.getBoundingClientRect().toJSON() }));
    }
  };

  pm.watchLabels = function () {
    ["zoomend", "moveend", "overlayadd", "overlayremove"].forEach((e) => pm.map.on(e, () => pm.labels.refresh()));
  };
})(window.planmap = window.planmap || {});
