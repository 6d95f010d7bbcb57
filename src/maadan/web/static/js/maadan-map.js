/* MaadanMap: the site's MapLibre GL map on Maadan's own vector tiles (OGC API – Tiles under /ogc).
   No base map server and no network beyond this site: a plain background, the jurisdiction
   boundaries, reserved areas, every title and public application at every zoom (styled by type
   and state), deposits and projects, a legend, a layer switcher and click-for-details popups.

   API (window.MaadanMap), for every page that shows a map:
     var m = MaadanMap.create(element, options)   options (all optional):
         cadastre: true    the tiled layers (boundaries, reserved areas, titles, applications)
         sites: true       deposits and projects (GeoJSON from /ogc/collections/deposits/items)
         legend: true, switcher: true, popups: true
         bounds: [west, south, east, north]   the first view (else the element's data-bounds, else the
                                              titles' extent from the collection, else Pakistan)
         baseTiles: a raster tile URL template ({z}/{x}/{y}, {s}); default: the element's data-tile-url
     m.map                          the maplibregl.Map
     m.ready                        a Promise, resolved once the style is loaded and the first view set
     m.addGeoJSONLayer(id, data, o) data: a GeoJSON object or a same-site URL; o: {kind: "fill"|"line"|
                                    "circle", color, opacity, width, dashed, radius, popup: fn(properties) -> html,
                                    label: name in the layer switcher}; returns the id; again with the
                                    same id replaces the data
     m.setGeoJSON(id, data)         new data for a layer added with addGeoJSONLayer
     m.fitTo(target, o)             target: [w, s, e, n] or a GeoJSON geometry/feature/collection; o: {maxZoom, padding}
     m.popup(lngLat, html)          opens a popup ([lon, lat])
     m.drawn(collection)            distinct titles/applications/... drawn in the current view
     m.show(feature, html)          outlines a feature (GeoJSON), fits the map to it and opens a popup
   Load layers.js first: its helpers (window.Maadan: esc, encodeId, getJSON, the popups, the legend) are used. */
(function () {
  "use strict";

  var M = window.Maadan;  // layers.js: esc, encodeId, getJSON, the popups, the legend, the colours
  var TYPE_COLOURS = M.TYPE_COLOURS;
  var OTHER_COLOUR = "#555555";
  var APP_COLOUR = "#e66100";
  var PAKISTAN = [60.8, 23.5, 77.9, 37.1];
  var TILED = {  // collection -> deepest zoom its tiles are asked for (deeper zooms scale that tile)
    boundaries: 10, "reserved-areas": 14, titles: 16, applications: 16
  };
  var WORKER = "/static/vendor/maplibre-gl/maplibre-gl-csp-worker.js";
  var esc = M.esc;
  var getJSON = M.getJSON;

  function tileURL(collection) {
    return window.location.origin + "/ogc/collections/" + collection + "/tiles/WebMercatorQuad/{z}/{y}/{x}";
  }

  var typeColour = ["match", ["get", "type"], "EL", TYPE_COLOURS.EL, "ML", TYPE_COLOURS.ML,
                    "SSML", TYPE_COLOURS.SSML, "SSPL", TYPE_COLOURS.SSPL, OTHER_COLOUR];
  var isPoint = ["==", ["geometry-type"], "Point"];
  var isArea = ["!=", ["geometry-type"], "Point"];
  var active = ["==", ["get", "state"], "active"];

  function cadastreLayers() {
    // Bottom to top. Titles and applications smaller than a tile unit come as points: drawn as dots.
    return [
      { id: "boundaries-fill", type: "fill", source: "boundaries", "source-layer": "boundaries",
        paint: { "fill-color": "#fbfaf5", "fill-opacity": 1 } },
      { id: "reserved-fill", type: "fill", source: "reserved-areas", "source-layer": "reserved-areas",
        paint: { "fill-color": "#888888", "fill-opacity": 0.35 } },
      { id: "reserved-line", type: "line", source: "reserved-areas", "source-layer": "reserved-areas",
        paint: { "line-color": "#444444", "line-width": 1 } },
      { id: "titles-fill", type: "fill", source: "titles", "source-layer": "titles", filter: isArea,
        paint: { "fill-color": typeColour, "fill-opacity": ["case", active, 0.3, 0.12] } },
      // Below zoom 10 a title is a few pixels: its fill's own outline draws it; a line layer there would
      // only double the work of drawing 100,000 of them.
      { id: "titles-line", type: "line", source: "titles", "source-layer": "titles", filter: ["all", isArea, active],
        minzoom: 10,
        paint: { "line-color": typeColour, "line-width": 1.2, "line-opacity": 0.9 } },
      // Ended titles are outlined dashed from zoom 8; below, their fainter fill draws them. Each
      // layer reads every feature of a tile again, and a low-zoom tile holds 100,000 of them.
      { id: "titles-line-ended", type: "line", source: "titles", "source-layer": "titles",
        filter: ["all", isArea, ["!", active]], minzoom: 8,
        paint: { "line-color": typeColour, "line-width": 1, "line-opacity": 0.9, "line-dasharray": [3, 3] } },
      { id: "titles-point", type: "circle", source: "titles", "source-layer": "titles", filter: isPoint,
        paint: { "circle-color": typeColour, "circle-radius": 2, "circle-opacity": ["case", active, 0.9, 0.4] } },
      { id: "applications-fill", type: "fill", source: "applications", "source-layer": "applications", filter: isArea,
        paint: { "fill-color": APP_COLOUR, "fill-opacity": 0.15 } },
      { id: "applications-line", type: "line", source: "applications", "source-layer": "applications", filter: isArea,
        paint: { "line-color": APP_COLOUR, "line-width": 2, "line-dasharray": [3, 1.5] } },
      { id: "applications-point", type: "circle", source: "applications", "source-layer": "applications",
        filter: isPoint, paint: { "circle-color": APP_COLOUR, "circle-radius": 2.5 } },
      { id: "boundaries-line", type: "line", source: "boundaries", "source-layer": "boundaries",
        paint: { "line-color": "#333333", "line-width": 1.2, "line-dasharray": [1, 2] } }
    ];
  }

  var GROUPS = {  // the layer switcher: label -> the style layers it shows or hides
    "Jurisdiction boundaries": ["boundaries-fill", "boundaries-line"],
    "Reserved areas": ["reserved-fill", "reserved-line"],
    "Titles": ["titles-fill", "titles-line", "titles-line-ended", "titles-point"],
    "Pending applications": ["applications-fill", "applications-line", "applications-point"]
  };
  var CLICKABLE = { "titles-fill": "titles", "titles-point": "titles", "applications-fill": "applications",
                    "applications-point": "applications", "reserved-fill": "reserved-areas",
                    "boundaries-fill": "boundaries" };

  function style(options) {
    var s = { version: 8, sources: {}, layers: [
      { id: "background", type: "background", paint: { "background-color": "#dfe6ea" } }] };
    var base = options.baseTiles;  // a raster base map the server was configured with (MAADAN_TILE_URL), if any
    if (base) {
      s.sources.base = { type: "raster", tileSize: 256, maxzoom: 18, tiles: ["a", "b", "c"].map(function (sub) {
        return base.replace("{s}", sub);
      }), attribution: "Base map: " + esc(base.split("/")[2] || "") };
      s.layers.push({ id: "base", type: "raster", source: "base" });
    }
    if (options.cadastre !== false) {
      Object.keys(TILED).forEach(function (c) {
        s.sources[c] = { type: "vector", tiles: [tileURL(c)], minzoom: 0, maxzoom: TILED[c],
                         attribution: c === "boundaries" ? "Boundaries: see each one's source" : "Maadan register" };
      });
      s.layers = s.layers.concat(cadastreLayers());
    }
    return s;
  }

  function bboxOf(geojson) {
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    function walk(c) {
      if (typeof c[0] === "number") {
        b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]);
        b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
      } else { c.forEach(walk); }
    }
    function geom(g) {
      if (!g) { return; }
      if (g.type === "FeatureCollection") { g.features.forEach(geom); } else if (g.type === "Feature") { geom(g.geometry); }
      else if (g.type === "GeometryCollection") { g.geometries.forEach(geom); } else { walk(g.coordinates); }
    }
    geom(geojson);
    return b;
  }

  /* The area a site may lie in when its position is not exact: its box, or a circle of its radius. */
  function uncertainty(features) {
    var out = [];
    features.forEach(function (f) {
      var p = f.properties || {};
      var c = f.geometry && f.geometry.coordinates;
      if (p.location_kind === "circle" && p.radius_km && c) {
        var ring = [];
        for (var i = 0; i <= 64; i++) {
          var a = 2 * Math.PI * i / 64;
          var dlat = p.radius_km / 110.574 * Math.sin(a);
          var dlon = p.radius_km / (111.320 * Math.cos(c[1] * Math.PI / 180)) * Math.cos(a);
          ring.push([c[0] + dlon, c[1] + dlat]);
        }
        out.push({ type: "Feature", properties: p, geometry: { type: "Polygon", coordinates: [ring] } });
      } else if (p.location_kind === "box" && p.box_south !== null && p.box_north !== null) {
        out.push({ type: "Feature", properties: p, geometry: { type: "Polygon", coordinates: [[
          [p.box_west, p.box_south], [p.box_east, p.box_south], [p.box_east, p.box_north],
          [p.box_west, p.box_north], [p.box_west, p.box_south]]] } });
      }
    });
    return { type: "FeatureCollection", features: out };
  }

  function legendControl() {
    return {
      onAdd: function () {
        var div = document.createElement("div");
        div.className = "maplibregl-ctrl legend";
        M.fillLegend(div, "<li>a dot: a title or application too small to draw at this zoom</li>");
        this._div = div;
        return div;
      },
      onRemove: function () { this._div.remove(); }
    };
  }

  /* The layer switcher: one checkbox per group of style layers (handle.groups), rows added as pages
     add labelled layers (handle.refreshSwitcher). A group also hides the HTML labels of the map (markers
     whose element has data-map-group="<label>"). */
  function switcherControl(handle) {
    return {
      onAdd: function (map) {
        var div = document.createElement("div");
        div.className = "maplibregl-ctrl map-layers";
        var details = document.createElement("details");
        if (window.innerWidth >= 700) { details.open = true; }
        var summary = document.createElement("summary");
        summary.textContent = "Layers";
        details.appendChild(summary);
        var rendered = {};
        function row(label) {
          var id = "layer-" + label.toLowerCase().replace(/[^a-z]+/g, "-").replace(/-+$/, "");
          var line = document.createElement("div");
          var box = document.createElement("input");
          box.type = "checkbox"; box.id = id; box.checked = !handle.hidden[label];
          var name = document.createElement("label");
          name.htmlFor = id; name.textContent = label;
          box.addEventListener("change", function () { handle.setGroupVisible(label, box.checked); });
          line.appendChild(box); line.appendChild(name);
          details.appendChild(line);
          rendered[label] = true;
        }
        handle.refreshSwitcher = function () {
          Object.keys(handle.groups).forEach(function (label) { if (!rendered[label]) { row(label); } });
        };
        handle.refreshSwitcher();
        div.appendChild(details);
        this._div = div;
        return div;
      },
      onRemove: function () { this._div.remove(); }
    };
  }

  function popupFor(collection, p) {
    var synthetic = p.synthetic ? '<span class="badge synthetic">SYNTHETIC</span> ' : "";
    if (collection === "titles") {
      // The tile holds the public facts; the title's full record comes from the features API.
      return getJSON("/ogc/collections/titles/items/" + M.encodeId(p.number)).then(function (f) {
        return M.titlePopup(f.properties);
      }).catch(function () {
        return '<div class="popup"><strong>' + synthetic + "Title " + esc(p.number) + "</strong><br>" + esc(p.type) +
          ", " + esc(p.state) + "<br>Holders: " + (p.holder ? esc(p.holder) : "on the title's page") + "</div>";
      });
    }
    if (collection === "applications") {
      return getJSON("/ogc/collections/applications/items/" + M.encodeId(p.number)).then(function (f) {
        return M.applicationPopup(f.properties);
      }).catch(function () {
        return '<div class="popup"><strong>' + synthetic + "Application " + esc(p.number) + "</strong><br>" +
          esc(p.type) + ", " + esc(p.state) + "<br>Applicants: " + (p.holder ? esc(p.holder) : "on the application's page") + "</div>";
      });
    }
    if (collection === "reserved-areas") {
      return Promise.resolve('<div class="popup"><strong>' + synthetic + esc(p.name) + "</strong><br>" + esc(p.kind) +
        "<br>Source: " + esc(p.source) + "</div>");
    }
    if (collection === "boundaries") {
      return getJSON("/ogc/collections/boundaries/items/" + encodeURIComponent(p.code)).then(function (f) {
        return M.boundaryPopup(f.properties);
      });
    }
    return Promise.resolve("");
  }

  function create(container, options) {
    options = options || {};
    if (options.baseTiles === undefined) { options.baseTiles = container.getAttribute("data-tile-url") || null; }
    var given = (container.getAttribute("data-bounds") || "").split(",").map(Number);
    if (!options.bounds && given.length === 4 && given.every(isFinite)) {  // the page knows the first view
      options.bounds = given;
      options.padding = 10;
    }
    window.maplibregl.setWorkerUrl(WORKER);
    var map = new window.maplibregl.Map({
      container: container, style: style(options), bounds: options.bounds || PAKISTAN,
      fitBoundsOptions: { padding: options.padding || 0 },
      attributionControl: { compact: true }, dragRotate: false, pitchWithRotate: false, maxPitch: 0,
      fadeDuration: 0, localIdeographFontFamily: false
    });
    map.touchZoomRotate.disableRotation();
    map.keyboard.disableRotation();
    var handle = { map: map, groups: {}, popups: {}, hidden: {} };
    handle.setGroupVisible = function (label, visible) {
      handle.hidden[label] = !visible;
      (handle.groups[label] || []).forEach(function (layer) {
        if (map.getLayer(layer)) { map.setLayoutProperty(layer, "visibility", visible ? "visible" : "none"); }
      });
      container.querySelectorAll("[data-map-group]").forEach(function (el) {
        if (el.getAttribute("data-map-group") === label) { el.classList.toggle("group-hidden", !visible); }
      });
    };
    if (options.cadastre !== false) { Object.keys(GROUPS).forEach(function (k) { handle.groups[k] = GROUPS[k]; }); }
    map.addControl(new window.maplibregl.NavigationControl({ showCompass: false }), "top-left");
    var popup = new window.maplibregl.Popup({ maxWidth: "320px" });

    handle.popup = function (lngLat, html) {
      popup.setLngLat(lngLat).setHTML(html).addTo(map);
      return popup;
    };

    var loaded = new Promise(function (resolve) { map.on("load", resolve); });

    handle.addGeoJSONLayer = function (id, data, o) {
      o = o || {};
      return loaded.then(function () {
        var src = map.getSource(id);
        if (src) { src.setData(data); return id; }
        map.addSource(id, { type: "geojson", data: data });
        var kind = o.kind || "line";
        var colour = o.color || "#ffbf00";
        var paint = kind === "fill" ? { "fill-color": colour, "fill-opacity": o.opacity === undefined ? 0.2 : o.opacity }
          : kind === "circle" ? { "circle-color": colour, "circle-radius": o.radius || 6, "circle-stroke-color": "#ffffff",
                                  "circle-stroke-width": 1.5, "circle-opacity": o.opacity === undefined ? 0.95 : o.opacity }
          : { "line-color": colour, "line-width": o.width || 2 };
        if (kind === "line" && o.dashed) { paint["line-dasharray"] = [3, 2]; }
        var layer = { id: id, type: kind, source: id, paint: paint };
        if (o.filter) { layer.filter = o.filter; }
        map.addLayer(layer, o.before);
        if (o.popup) { handle.popups[id] = o.popup; }
        if (o.label) {
          handle.groups[o.label] = (handle.groups[o.label] || []).concat([id]);
          if (handle.hidden[o.label]) { map.setLayoutProperty(id, "visibility", "none"); }
          if (handle.refreshSwitcher) { handle.refreshSwitcher(); }
        }
        return id;
      });
    };
    handle.setGeoJSON = function (id, data) {
      return loaded.then(function () { map.getSource(id).setData(data); });
    };
    handle.fitTo = function (target, o) {
      o = o || {};
      var b = Array.isArray(target) ? target : bboxOf(target);
      if (b[0] === b[2] && b[1] === b[3]) {
        map.jumpTo({ center: [b[0], b[1]], zoom: Math.max(map.getZoom(), o.pointZoom || 9) });
      } else {
        map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { maxZoom: o.maxZoom || 12, padding: o.padding || 30, animate: false });
      }
    };
    handle.show = function (feature, html) {
      return handle.addGeoJSONLayer("found", feature, { kind: "line", color: "#ffbf00", width: 4 }).then(function () {
        handle.addGeoJSONLayer("found-point", feature, { kind: "circle", color: "#ffbf00", radius: 10, opacity: 0.6,
                                                          filter: isPoint });
        handle.fitTo(feature, { maxZoom: 12 });
        var b = bboxOf(feature);
        handle.popup([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2], html);
      });
    };
    handle.drawn = function (collection) {
      var layers = Object.keys(CLICKABLE).filter(function (l) { return CLICKABLE[l] === collection && map.getLayer(l); });
      if (collection === "titles") { layers = layers.concat(["titles-line", "titles-line-ended"]); }
      var seen = {};
      map.queryRenderedFeatures({ layers: layers }).forEach(function (f) {
        seen[f.properties.number || f.properties.name || f.properties.code] = true;
      });
      return Object.keys(seen).length;
    };
    handle.drawnNumbers = function (collection) {
      var layers = Object.keys(CLICKABLE).filter(function (l) { return CLICKABLE[l] === collection && map.getLayer(l); });
      var seen = {};
      map.queryRenderedFeatures({ layers: layers }).forEach(function (f) { seen[f.properties.number] = true; });
      return Object.keys(seen).sort();
    };

    if (options.popups !== false) {
      map.on("click", function (e) {
        var pad = 4;
        var box = [[e.point.x - pad, e.point.y - pad], [e.point.x + pad, e.point.y + pad]];
        var ids = Object.keys(handle.popups).concat(Object.keys(CLICKABLE)).filter(function (l) { return map.getLayer(l); });
        var hits = map.queryRenderedFeatures(box, { layers: ids });
        if (!hits.length) { return; }
        var hit = hits[0];  // the topmost
        var own = handle.popups[hit.layer.id];
        var html = own ? Promise.resolve(own(hit.properties, hit)) : popupFor(CLICKABLE[hit.layer.id], hit.properties);
        html.then(function (h) { if (h) { handle.popup(e.lngLat, h); } });
      });
      map.on("mousemove", function (e) {
        var ids = Object.keys(handle.popups).concat(Object.keys(CLICKABLE)).filter(function (l) { return map.getLayer(l); });
        var hit = map.queryRenderedFeatures(e.point, { layers: ids }).length > 0;
        map.getCanvas().style.cursor = hit ? "pointer" : "";
      });
    }

    var sites = Promise.resolve([]);
    if (options.sites !== false) {
      sites = getJSON("/ogc/collections/deposits/items?limit=1000").then(function (fc) {
        var popup = M.sitePopup;
        var label = "Deposits and projects (with location uncertainty)";
        var areas = uncertainty(fc.features);
        handle.siteAreas = areas;
        return Promise.all([
          handle.addGeoJSONLayer("site-areas", areas, { kind: "fill", color: "#6b4f2a", opacity: 0.1, popup: popup, label: label }),
          handle.addGeoJSONLayer("site-areas-line", areas, { kind: "line", color: "#6b4f2a", dashed: true, label: label }),
          handle.addGeoJSONLayer("deposits", fc, { kind: "circle", color: "#6b4f2a", radius: 6, popup: popup,
                                                   filter: ["!=", ["get", "kind"], "project"], label: label }),
          handle.addGeoJSONLayer("projects", fc, { kind: "circle", color: "#d4a017", radius: 7, popup: popup,
                                                   filter: ["==", ["get", "kind"], "project"], label: label })
        ]).then(function () { return fc.features; });
      });
    }
    handle.sites = sites;

    var first = options.bounds ? Promise.resolve() :
      getJSON("/ogc/collections/titles").then(function (c) {
        var b = c.extent && c.extent.spatial && c.extent.spatial.bbox && c.extent.spatial.bbox[0];
        if (b) { map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { animate: false, padding: 10 }); }
      }).catch(function () { /* Pakistan, as created */ });
    handle.ready = Promise.all([loaded, first, sites.catch(function () { return []; })]).then(function () {
      if (options.legend !== false) { map.addControl(legendControl(), "bottom-right"); }
      if (options.switcher !== false) { map.addControl(switcherControl(handle), "top-right"); }
      return handle;
    });
    return handle;
  }

  window.MaadanMap = { create: create, TYPE_COLOURS: TYPE_COLOURS };
})();
