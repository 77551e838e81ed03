/* Symbology of the plan layers, read from the one file the print renderer reads too (web/symbology.json, put
   into the page as pm.config.symbology): colours by task progress, sizes by planned area, lines by kind and
   status. */
(function (pm) {
  "use strict";
  const S = () => pm.config.symbology;

  pm.stateColour = (state) => S().state_colours[state] || S().default_colour;
  pm.kindColour = (kind) => S().kind_colours[kind] || S().default_colour;
  const dash = (pattern) => (pattern ? pattern.join(" ") : null);
  const statusDash = (status) => dash(status in S().status_dash ? S().status_dash[status] : S().status_dash.unknown);

  function colour(rule, props) {
    if (rule === "by_state") return pm.stateColour(props.progress_state);
    if (rule === "by_kind") return pm.kindColour(props.kind);
    return rule;
  }

  /** Marker radius in px: grows with the square root of the planned area so markers compare by area. */
  pm.radiusFor = function (ha) {
    const r = S().points.radius;
    if (!ha) return r.unknown_area;
    return Math.max(r.min, Math.min(r.max, r.base + Math.sqrt(ha) * r.per_sqrt_ha));
  };

  pm.pointStyle = function (layer, props) {
    const p = S().points, schematic = props.geometry_precision === "schematic";
    return { radius: pm.radiusFor(props.planned_area_ha), color: p.stroke, weight: p.weight,
             fillColor: colour(p.fills[layer] || p.fill, props),
             fillOpacity: schematic ? p.schematic.fill_opacity : p.fill_opacity,
             dashArray: schematic ? dash(p.schematic.dash) : null };
  };

  pm.layerStyle = function (layer, props) {
    const area = S().areas[layer];
    if (area) {
      return { color: colour(area.stroke, props), weight: area.weight, fillColor: colour(area.fill, props),
               fillOpacity: area.fill_opacity, dashArray: dash(area.dash) };
    }
    const line = S().lines;
    return { color: pm.kindColour(props.kind), weight: line.weights[props.kind] || line.weight, opacity: line.opacity,
             dashArray: statusDash(props.status) };
  };

  pm.baseStyles = function () {
    const b = S().base;
    return {
      neighbour: { color: b.neighbour_edge, weight: 1, fillColor: b.neighbour_fill, fillOpacity: 1, interactive: false },
      subject: { color: b.subject_edge, weight: 2.2, fill: false, interactive: false },
      district: { color: b.district_edge, weight: 1, fillColor: b.district_fill, fillOpacity: 0.55 },
      districtSelected: { color: b.selected_edge, weight: 4, fillColor: b.selected_fill, fillOpacity: 0.45 },
      raw: { color: b.raw_material, weight: 1.5, dashArray: "4 3", fillColor: "url(#pm-hatch)", fillOpacity: 0.9,
             interactive: false }
    };
  };
})(window.planmap = window.planmap || {});
