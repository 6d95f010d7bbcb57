/* Finding ground on the public map (issue 16 item 6), on the MaadanMap (maadan-map.js): a scale bar,
   the pointer's coordinates, the international border labelled, populated places (GeoNames), and the
   ground still available in a jurisdiction (its boundary minus active titles, pending applications
   and reserved areas, computed by the server). Labels are HTML markers: the map loads no glyphs;
   place names show by size as the map zooms in. Every layer is in the map's layer switcher. */
(function () {
  "use strict";
  var view = window.maadanView;
  var M = window.Maadan;
  if (!view || !M || !window.maplibregl) { return; }
  var map = view.map;
  var gl = window.maplibregl;
  var readout = document.getElementById("map-coords");
  var select = document.getElementById("available-jurisdiction");
  var availableStatus = document.getElementById("available-status");

  map.addControl(new gl.ScaleControl({ maxWidth: 160, unit: "metric" }), "bottom-left");

  function showCoords(ll) {
    if (readout) {
      readout.textContent = "Pointer: " + ll.lat.toFixed(5) + "° N, " + ll.lng.toFixed(5) + "° E (WGS 84)";
    }
  }
  map.on("mousemove", function (e) { showCoords(e.lngLat); });
  map.on("moveend", function () { showCoords(map.getCenter()); });  // keyboard users: the centre

  var BORDER = "International border";
  var PLACES = "Populated places (GeoNames)";

  function label(lngLat, text, className, group) {
    var el = document.createElement("div");
    el.className = className;
    el.textContent = text;
    el.setAttribute("data-map-group", group);
    if (view.hidden && view.hidden[group]) { el.classList.add("group-hidden"); }
    new gl.Marker({ element: el, anchor: className === "place-label" ? "left" : "center" }).setLngLat(lngLat).addTo(map);
    // A label, not a control: no tab stop or "Map marker" button per place (the names are in the search
    // and in each place's popup).
    el.removeAttribute("role");
    el.removeAttribute("tabindex");
    el.setAttribute("aria-hidden", "true");
    return el;
  }

  // Place names by size and zoom, so that the map stays legible: the biggest cities at the country
  // view, towns of 50,000 and more from zoom 6, every place bundled (15,000 and more) from zoom 8.
  function minPopulation(zoom) {
    return zoom >= 8 ? 0 : zoom >= 6.5 ? 50000 : zoom >= 5.5 ? 150000 : 500000;
  }
  var placeLabels = [];
  function showPlaceLabels() {
    var least = minPopulation(map.getZoom());
    placeLabels.forEach(function (pl) { pl.el.classList.toggle("zoom-hidden", pl.population < least); });
  }
  map.on("zoomend", showPlaceLabels);

  function placePopup(p) {
    return '<div class="popup"><strong>' + M.esc(p.name) + "</strong><br>" +
      Number(p.population).toLocaleString("en") + " people (GeoNames, CC BY 4.0)</div>";
  }

  function availablePopup(p) {
    return '<div class="popup"><strong>Available ground, ' + M.esc(p.jurisdiction) + "</strong><br>" +
      Number(p.area_km2).toLocaleString("en", { maximumFractionDigits: 0 }) + " km² of " +
      Number(p.jurisdiction_area_km2).toLocaleString("en", { maximumFractionDigits: 0 }) + " km²<br>" +
      M.esc(p.note) + '<br><a href="/cadastre/apply">Apply</a></div>';
  }

  var empty = { type: "FeatureCollection", features: [] };

  function loadAvailable() {
    var code = select ? select.value : "PK-BA";
    if (availableStatus) { availableStatus.textContent = "Computing the available ground of " + code + "…"; }
    return M.getJSON("/api/cadastre/available-ground?jurisdiction=" + encodeURIComponent(code)).then(function (f) {
      return view.setGeoJSON("available-ground", f).then(function () {
        if (availableStatus) {
          availableStatus.textContent = "Available ground in " + code + ": " +
            Number(f.properties.area_km2).toLocaleString("en", { maximumFractionDigits: 0 }) + " km² (green).";
        }
        return f;
      });
    }).catch(function (e) { if (availableStatus) { availableStatus.textContent = "Could not compute it: " + e.message; } });
  }

  view.ready.then(function () {
    view.addGeoJSONLayer("border", "/api/reference/border", { kind: "line", color: "#8b0000", width: 2.5, dashed: true,
                                                              label: BORDER });
    M.getJSON("/api/reference/border").then(function (f) {
      f.properties.label_points.forEach(function (pt) { label(pt, "International border", "border-label", BORDER); });
    });
    view.addGeoJSONLayer("available-ground", empty, { kind: "fill", color: "#2ea043", opacity: 0.3, popup: availablePopup,
                                                       label: "Available ground" });
    view.addGeoJSONLayer("places", "/api/places", { kind: "circle", color: "#222222", radius: 3.5, popup: placePopup,
                                                    label: PLACES });
    M.getJSON("/api/places").then(function (fc) {
      fc.features.forEach(function (f) {
        placeLabels.push({ population: f.properties.population || 0,
                           el: label(f.geometry.coordinates, f.properties.name, "place-label", PLACES) });
      });
      showPlaceLabels();
    });
    // Once the titles in view are drawn: the available ground of a large cadastre is a large
    // computation and a large body, which would otherwise hold up the first drawing of the map.
    map.once("idle", function () { loadAvailable(); });
  });
  if (select) { select.addEventListener("change", loadAvailable); }
  window.maadanGround = { loadAvailable: loadAvailable };
})();
