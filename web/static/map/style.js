/* Symbology of the plan layers, read from the one file the print renderer reads too (web/symbology.json, put
   into the page as pm.config.symbology): colours by task progress, with a pattern besides the colour so that
   states stay apart for colour-blind readers; sizes by planned area; lines by kind and status. */
(function (pm) {
  "use strict";
  const S = () => pm.config.symbology;
  const SVG_NS = "http://www.w3.org/2000/svg";

  pm.stateColour = (state) => S().state_colours[state] || S().default_colour;
  pm.kindColour = (kind) => S().kind_colours[kind] || S().default_colour;
  pm.statePattern = (state) => (S().state_patterns[state] || {}).pattern || "solid";
  const dash = (pattern) => (pattern ? pattern.join(" ") : null);
  pm.statusDash = (status) => dash(status in S().status_dash ? S().status_dash[status] : S().status_dash.unknown);

  /** The fill of a progress state: its colour, or an SVG pattern of it (stripes, dots) defined once per page. */
  pm.stateFill = function (state) {
    const pattern = pm.statePattern(state);
    return pattern === "solid" ? pm.stateColour(state) : "url(#pm-pat-" + state + ")";
  };

  function patternSvg(state, spec) {
    const c = pm.stateColour(state);
    if (spec.pattern === "stripes") {
      return '<pattern id="pm-pat-' + state + '" width="6" height="6" patternUnits="userSpaceOnUse" ' +
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="' + c + '"/>' +
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2.2"/></pattern>';
    }
    if (spec.pattern === "dots") {
      return '<pattern id="pm-pat-' + state + '" width="5" height="5" patternUnits="userSpaceOnUse">' +
        '<rect width="5" height="5" fill="' + c + '"/><circle cx="2.5" cy="2.5" r="1.2" fill="#ffffff"/></pattern>';
    }
    return "";
  }

  /** Patterns in one hidden SVG of the page: url(#id) fills of every renderer find them there. */
  pm.addPatterns = function () {
    if (document.getElementById("pm-patterns")) return;
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.id = "pm-patterns";
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("width", "0");
    svg.setAttribute("height", "0");
    svg.style.position = "absolute";
    const specs = Object.entries(S().state_patterns).filter(([k]) => !k.startsWith("_"));
    svg.innerHTML = "<defs>" + specs.map(([state, spec]) => patternSvg(state, spec)).join("") +
      '<pattern id="pm-hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
      '<rect width="8" height="8" fill="rgba(77,172,38,0.10)"/><line x1="0" y1="0" x2="0" y2="8" stroke="' +
      S().base.raw_hatch + '" stroke-width="2.5" stroke-opacity="0.55"/></pattern></defs>';
    document.body.appendChild(svg);
  };

  function colour(rule, props) {
    if (rule === "by_state") return pm.stateColour(props.progress_state);
    if (rule === "by_kind") return pm.kindColour(props.kind);
    return rule;
  }

  function fill(rule, props) {
    return rule === "by_state" ? pm.stateFill(props.progress_state) : colour(rule, props);
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
             fillColor: fill(p.fills[layer] || p.fill, props),
             fillOpacity: schematic ? p.schematic.fill_opacity : p.fill_opacity,
             dashArray: schematic ? dash(p.schematic.dash) : null };
  };

  pm.layerStyle = function (layer, props) {
    const area = S().areas[layer];
    if (area) {
      const patterned = area.fill === "by_state" && pm.statePattern(props.progress_state) !== "solid";
      return { color: colour(area.stroke, props), weight: area.weight, fillColor: fill(area.fill, props),
               fillOpacity: patterned ? Math.max(area.fill_opacity, 0.55) : area.fill_opacity,
               dashArray: dash(area.dash) };
    }
    const line = S().lines;
    return { color: pm.kindColour(props.kind), weight: line.weights[props.kind] || line.weight, opacity: line.opacity,
             dashArray: pm.statusDash(props.status) };
  };

  pm.baseStyles = function () {
    const b = S().base;
    return {
      neighbour: { color: b.neighbour_edge, weight: 1, fillColor: b.neighbour_fill, fillOpacity: 1, interactive: false },
      subject: { color: b.subject_edge, weight: 2.2, fill: false, interactive: false },
      district: { color: b.district_edge, weight: 1, fillColor: b.district_fill, fillOpacity: 0.55 },
      districtSelected: { color: b.selected_edge, weight: 4, fillColor: b.selected_fill, fillOpacity: 0.45 },
      commune: { color: b.commune_edge, weight: 1, fillColor: b.district_fill, fillOpacity: 0.55 },
      communeSelected: { color: b.selected_edge, weight: 3.5, fillColor: b.selected_fill, fillOpacity: 0.45 },
      raw: { color: b.raw_material, weight: 1.5, dashArray: "4 3", fillColor: "url(#pm-hatch)", fillOpacity: 0.9,
             interactive: false }
    };
  };
})(window.planmap = window.planmap || {});
