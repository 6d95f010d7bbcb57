/* Finding ground on the public map (issue 16 item 6): a scale bar, the pointer's coordinates, the
   international border labelled, populated places (GeoNames), province names, and the ground still
   available in a jurisdiction (its boundary minus active titles, pending applications and reserved
   areas, computed by the server). Needs map.js (window.maadanMap, window.Maadan). */
(function () {
  "use strict";
  var map = window.maadanMap;
  var M = window.Maadan;
  if (!map || !M) { return; }
  var readout = document.getElementById("map-coords");

  L.control.scale({ metric: true, imperial: false, maxWidth: 160 }).addTo(map);

  function showCoords(latlng) {
    if (readout) {
      readout.textContent = "Pointer: " + latlng.lat.toFixed(5) + "° N, " + latlng.lng.toFixed(5) + "° E (WGS 84)";
    }
  }
  map.on("mousemove", function (e) { showCoords(e.latlng); });
  map.on("moveend", function () { showCoords(map.getCenter()); });  // keyboard users: the centre

  var border = L.geoJSON(null, { pmIgnore: true, interactive: false,
                                 style: function () { return { color: "#8b0000", weight: 2.5, dashArray: "8 5" }; } });
  var borderLabels = L.layerGroup();
  M.getJSON("/api/reference/border").then(function (f) {
    border.addData(f);
    f.properties.label_points.forEach(function (pt) {
      L.marker([pt[1], pt[0]], { opacity: 0, interactive: false, keyboard: false })
        .bindTooltip("International border", { permanent: true, direction: "center", className: "border-label" })
        .addTo(borderLabels);
    });
  });

  var places = L.geoJSON(null, {
    pmIgnore: true,
    pointToLayer: function (f, latlng) {
      var pop = f.properties.population || 0;
      return L.circleMarker(latlng, { radius: pop >= 1000000 ? 5 : (pop >= 200000 ? 4 : 3), color: "#222",
                                      weight: 1, fillColor: "#fff", fillOpacity: 1 });
    },
    onEachFeature: function (f, layer) {
      var p = f.properties;
      layer.bindTooltip(M.esc(p.name), { permanent: p.population >= 500000, direction: "right", className: "place-label" });
      layer.bindPopup('<div class="popup"><strong>' + M.esc(p.name) + "</strong><br>" +
                      Number(p.population).toLocaleString("en") + " people (GeoNames)</div>");
    }
  });
  M.getJSON("/api/places").then(function (fc) { places.addData(fc); });

  var available = L.geoJSON(null, { pmIgnore: true,
    style: function () { return { color: "#1a7f37", weight: 1, fillColor: "#2ea043", fillOpacity: 0.25 }; },
    onEachFeature: function (f, layer) {
      var p = f.properties;
      layer.bindPopup('<div class="popup"><strong>Available ground, ' + M.esc(p.jurisdiction) + "</strong><br>" +
        Number(p.area_km2).toLocaleString("en", { maximumFractionDigits: 0 }) + " km² of " +
        Number(p.jurisdiction_area_km2).toLocaleString("en", { maximumFractionDigits: 0 }) + " km²<br>" +
        M.esc(p.note) + '<br><a href="/cadastre/apply">Apply</a></div>');
    } });
  var select = document.getElementById("available-jurisdiction");
  var availableStatus = document.getElementById("available-status");
  function loadAvailable() {
    var code = select ? select.value : "PK-BA";
    available.clearLayers();
    if (availableStatus) { availableStatus.textContent = "Computing the available ground of " + code + "…"; }
    return M.getJSON("/api/cadastre/available-ground?jurisdiction=" + encodeURIComponent(code)).then(function (f) {
      available.addData(f);
      if (availableStatus) {
        availableStatus.textContent = "Available ground in " + code + ": " +
          Number(f.properties.area_km2).toLocaleString("en", { maximumFractionDigits: 0 }) + " km² (green).";
      }
    }).catch(function (e) { if (availableStatus) { availableStatus.textContent = "Could not compute it: " + e.message; } });
  }
  map.on("overlayadd", function (e) { if (e.layer === available && available.getLayers().length === 0) { loadAvailable(); } });
  if (select) { select.addEventListener("change", function () { if (map.hasLayer(available)) { loadAvailable(); } }); }

  border.addTo(map);
  borderLabels.addTo(map);
  places.addTo(map);
  var overlays = { "International border": border, "Border labels": borderLabels,
                   "Populated places (GeoNames)": places, "Available ground": available };
  var control = window.maadanLayers && window.maadanLayers.control;
  if (control) {  // one layer list: the map's own
    Object.keys(overlays).forEach(function (name) { control.addOverlay(overlays[name], name); });
  } else {
    L.control.layers(null, overlays, { collapsed: window.innerWidth < 700 }).addTo(map);
  }
  window.maadanGround = { available: available, loadAvailable: loadAvailable, places: places, border: border };
})();
