/* Symbology of the plan layers: colours by task progress, sizes by planned area, lines by kind and status. */
(function (pm) {
  "use strict";
  pm.STATE_COLOURS = {
    overdue: "#d7191c", in_progress: "#f29e2e", done: "#1a9641", not_reported: "#5b7fa6", no_tasks: "#9a9a9a"
  };
  const KIND_COLOURS = {
    expressway: "#b2182b", national_road: "#e66101", road: "#8c510a", power_grid: "#7b3294",
    renewable_energy: "#4dac26", sea_dike: "#2166ac", embankment: "#4393c3", tourism_access: "#01665e",
    airport: "#542788", port: "#0571b0", logistics: "#5e3c99", research_centre: "#c51b7d",
    park_infrastructure: "#80cdc1", urban: "#762a83", sub_region: "#bf812d"
  };
  pm.kindColour = (kind) => KIND_COLOURS[kind] || "#444";

  // Dashes say how real a project is: built solid, under construction dash-dot, planned/proposed dashed.
  const STATUS_DASH = { operating: null, under_construction: "10 4 2 4", planned: "8 6", proposed: "2 6",
                        unknown: "4 4" };

  /** Marker radius in px: grows with the square root of the planned area so circles compare by area. */
  pm.radiusFor = function (ha) {
    if (!ha) return 6;
    return Math.max(5, Math.min(24, 3 + Math.sqrt(ha) * 0.6));
  };

  pm.pointStyle = function (props) {
    const colour = pm.STATE_COLOURS[props.progress_state] || pm.STATE_COLOURS.no_tasks;
    return { radius: pm.radiusFor(props.planned_area_ha), color: "#222", weight: 1.2, fillColor: colour,
             fillOpacity: 0.85, dashArray: props.geometry_precision === "schematic" ? "3 3" : null };
  };

  pm.layerStyle = function (layer, props) {
    switch (layer) {
      case "economic_zones":
        return { color: "#d95f02", weight: 2, fillColor: "#fdb863", fillOpacity: 0.25 };
      case "growth_poles":
        return { color: "#7570b3", weight: 2.5, fillColor: "#7570b3", fillOpacity: 0.15, dashArray: "6 4" };
      case "infrastructure_projects":
        return { color: pm.kindColour(props.kind), weight: props.kind === "expressway" ? 5 : 3.5, opacity: 0.9,
                 dashArray: STATUS_DASH[props.status] || null, fillOpacity: 0.3 };
      case "industrial_parks":
      case "industrial_clusters":
        return { color: pm.STATE_COLOURS[props.progress_state] || "#555", weight: 1.5, fillOpacity: 0.2 };
      default:
        return { color: "#555", weight: 1 };
    }
  };

  pm.baseStyles = {
    neighbour: { color: "#8a8a8a", weight: 1, fillColor: "#e4e1da", fillOpacity: 1, interactive: false },
    subject: { color: "#1f4e79", weight: 2.2, fill: false, interactive: false },
    district: { color: "#5a6f82", weight: 1, fillColor: "#fbf8ef", fillOpacity: 0.55 },
    districtSelected: { color: "#0b3d91", weight: 4, fillColor: "#ffe680", fillOpacity: 0.45 },
    raw: { color: "#3f7f2f", weight: 1.5, dashArray: "4 3", fillColor: "url(#pm-hatch)", fillOpacity: 0.9,
           interactive: false }
  };
})(window.planmap = window.planmap || {});
