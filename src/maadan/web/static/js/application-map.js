/* The application page's map: the application's area and every conflict on it (titles, reserved
   areas, other applications), over the register's layers. One entry point, drawApplicationMap,
   so the map library underneath can be swapped (the MapLibre map of the tiles stream). */
(function () {
  "use strict";
  var M = window.Maadan;

  function drawApplicationMap(el, data) {
    var map = L.map(el, { keyboard: true });
    var layers = M.addLayers(map, { sites: false, switcher: true, legend: false });
    var area = L.geoJSON(data.area, { pmIgnore: true, style: function () { return { color: "#0050b3", weight: 3, fillOpacity: 0.15 }; } })
      .bindTooltip(data.ref).addTo(map);
    var conflicts = L.geoJSON(null, { pmIgnore: true, style: function () { return { color: "#c00000", weight: 3, dashArray: "6 4", fillOpacity: 0.1 }; } })
      .addTo(map);
    (data.conflicts || []).forEach(function (c) {
      var url = null;
      if (c.kind === "title") { url = "/ogc/collections/titles/items/" + M.encodeId(c.ref); }
      if (c.kind === "application") { url = "/ogc/collections/applications/items/" + M.encodeId(data.jurisdiction + "/A" + c.ref); }
      if (url) { M.getJSON(url).then(function (f) { conflicts.addData(f); }).catch(function () { /* not public, or gone */ }); }
      if (c.kind === "reserved") {
        layers.reserved.eachLayer(function (l) { if (l.feature.properties.name === c.ref) { conflicts.addData(l.feature); } });
      }
    });
    var b = area.getBounds();
    if (b.isValid()) { map.fitBounds(b.pad(0.6)); } else { M.initialView(map); }
    el.setAttribute("data-ready", "1");
    return map;
  }

  window.Maadan.drawApplicationMap = drawApplicationMap;
  var el = document.getElementById("application-map");
  var cfg = document.getElementById("application-geo");
  if (el && cfg) { drawApplicationMap(el, JSON.parse(cfg.textContent)); }
})();
