/* Maadan map layers from the OGC API – Features (/ogc): titles by type and state, pending
   applications, projects and deposits, reserved areas and jurisdiction boundaries; popups,
   a legend and a layer switcher. No base tiles unless the server configured a tile URL. */
(function () {
  "use strict";

  var TYPE_COLOURS = { EL: "#1f5f8b", ML: "#b2182b", SSML: "#2e7d32", SSPL: "#7b3294" };
  var OTHER_COLOUR = "#555555";
  var TITLE_LIMIT = 2000;

  function esc(value) {
    return String(value === null || value === undefined ? "" : value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  // The OGC feature id of a key holding '/': the same rule as the server's encode_id.
  function encodeId(key) {
    return String(key).split("/").map(function (part) {
      return encodeURIComponent(part).replace(/~/g, "%7E");
    }).join("~");
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/geo+json, application/json" }, credentials: "same-origin" })
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) { throw new Error((body && body.message) || ("HTTP " + r.status)); }
          return body;
        });
      });
  }

  function items(collection, params) {
    var q = new URLSearchParams(params || {});
    return "/ogc/collections/" + collection + "/items?" + q.toString();
  }

  function synthetic(p) {
    return p.synthetic ? '<span class="badge synthetic">SYNTHETIC</span> ' : "";
  }

  function titleStyle(feature) {
    var p = feature.properties || {};
    var colour = TYPE_COLOURS[p.type] || OTHER_COLOUR;
    var active = p.state === "active";
    return { color: colour, weight: active ? 1.5 : 1, opacity: 0.9, fillColor: colour,
             fillOpacity: active ? 0.3 : 0.05, dashArray: active ? null : "4 4" };
  }

  function applicationStyle() {
    return { color: "#e66100", weight: 2, fillColor: "#e66100", fillOpacity: 0.15, dashArray: "6 3" };
  }

  function titlePopup(p) {
    var holders = (p.holders || []).map(function (h) {
      return esc(h.name) + " (" + esc(h.share_pct) + "%" + (h.country ? ", " + esc(h.country) : "") + ")";
    }).join("; ");
    return '<div class="popup"><strong>' + synthetic(p) + "Title " + esc(p.number) + "</strong><br>" +
      esc(p.type) + ", " + esc(p.state) + ", " + esc(Number(p.area_km2).toFixed(2)) + " km²<br>" +
      "Holders: " + holders + "<br>Minerals: " + esc((p.minerals || []).join(", ")) + "<br>" +
      "Granted " + esc(p.granted_on) + (p.expires_on ? ", expires " + esc(p.expires_on) : "") + "<br>" +
      '<a href="/cadastre/titles/' + esc(p.number) + '">Title page</a></div>';
  }

  function applicationPopup(p) {
    return '<div class="popup"><strong>' + synthetic(p) + "Application " + esc(p.ref) + "</strong><br>" +
      esc(p.type) + ", " + esc(p.state) + ", priority " + esc(p.priority) + "<br>" +
      "Received " + esc(p.received_at) + "<br>" + esc(Number(p.area_km2).toFixed(2)) + " km²<br>" +
      "Applicants: " + esc((p.applicants || []).join("; ")) + "<br>" +
      '<a href="/cadastre#A-' + esc(p.jurisdiction) + "-" + esc(p.number) + '">In the register</a></div>';
  }

  function sitePopup(p) {
    return '<div class="popup"><strong>' + esc(p.name) + "</strong> (" + esc(p.kind) + ")<br>" +
      "Status: " + esc(p.status) + "<br>Commodities: " + esc((p.commodities || []).join(", ")) + "<br>" +
      (p.location ? "Location: " + esc(p.location) + " (" + esc(p.location_confidence) + " confidence" +
        (p.location_derived ? ", derived" : "") + ")<br>" : "") +
      (p.operator ? "Operator: " + esc(p.operator) + "<br>" : "") +
      '<a href="/projects/' + encodeURIComponent(p.id) + '">Details and sources</a></div>';
  }

  function reservedPopup(p) {
    return '<div class="popup"><strong>' + synthetic(p) + esc(p.name) + "</strong><br>" + esc(p.kind) + ", " +
      esc(Number(p.area_km2).toFixed(2)) + " km²<br>Source: " + esc(p.source) + "</div>";
  }

  function boundaryPopup(p) {
    return '<div class="popup"><strong>' + esc(p.name) + "</strong> (" + esc(p.code) + ")<br>Source: " +
      esc(p.source) + (p.caveat ? "<br>Caveat: " + esc(p.caveat) : "") + "</div>";
  }

  function geojsonLayer(style, popup, extra) {
    var options = { pmIgnore: true, onEachFeature: function (f, layer) {
      layer.bindPopup(popup(f.properties || {}));
      layer.feature = f;
    } };
    if (style) { options.style = style; }
    for (var k in (extra || {})) { options[k] = extra[k]; }
    return L.geoJSON(null, options);
  }

  /* A layer that holds the features of `collection` inside the current view, reloaded when the
     view moves; `note(text)` reports when more match than were drawn. */
  function viewLayer(map, collection, layer, limit, note) {
    var seq = 0;
    function load() {
      if (!map.hasLayer(layer)) { return Promise.resolve(); }
      var b = map.getBounds();
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(",");
      var mine = ++seq;
      return getJSON(items(collection, { bbox: bbox, limit: limit })).then(function (fc) {
        if (mine !== seq) { return; }
        layer.clearLayers();
        layer.addData(fc);
        layer.matched = fc.numberMatched;
        if (note) { note(collection, fc.numberReturned, fc.numberMatched); }
      }).catch(function (e) { if (note) { note(collection, 0, 0, e.message); } });
    }
    map.on("moveend", load);
    map.on("overlayadd", function (e) { if (e.layer === layer) { load(); } });
    layer.reload = load;
    return layer;
  }

  /* The legend's contents in `div` (both maps): titles by type and state, applications, reserved
     areas, sites; `extra` adds lines (e.g. what a dot means on the tiled map). */
  function fillLegend(div, extra) {
    var rows = Object.keys(TYPE_COLOURS).map(function (code) {
      return '<li><span class="swatch" data-colour="' + code + '"></span>' + code + "</li>";
    }).join("");
    div.innerHTML = "<details" + (window.innerWidth >= 700 ? " open" : "") + "><summary>Legend</summary>" +
      "<strong>Titles by type</strong><ul>" + rows +
      '<li><span class="swatch" data-colour="other"></span>other</li>' +
      '<li><span class="swatch solid"></span>active (filled)</li>' +
      '<li><span class="swatch dashed"></span>surrendered, expired, revoked (dashed)</li>' +
      '<li><span class="swatch app"></span>pending application</li>' +
      '<li><span class="swatch reserved"></span>reserved area</li>' +
      '<li><span class="dot project"></span>project <span class="dot deposit"></span>deposit; dashed: where an imprecisely located one may lie</li>' +
      (extra || "") + '</ul><p>SYN- titles are <span class="badge synthetic">SYNTHETIC</span></p></details>';
    // Colours set through the DOM, not style="" markup, which the Content-Security-Policy forbids.
    div.querySelectorAll("[data-colour]").forEach(function (el) {
      var key = el.getAttribute("data-colour");
      el.style.background = key === "other" ? OTHER_COLOUR : TYPE_COLOURS[key];
    });
    return div;
  }

  function legend(map) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var div = fillLegend(L.DomUtil.create("div", "legend"));
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    control.addTo(map);
    return control;
  }

  function baseMap(map, container) {
    var url = container.getAttribute("data-tile-url");
    if (url) {
      var host = "";
      try { host = new URL(url.replace(/\{[a-z]\}/g, "a")).host; } catch (e) { host = "configured tiles"; }
      L.tileLayer(url, { maxZoom: 18, attribution: "Base map: " + esc(host) }).addTo(map);
    } else {
      container.classList.add("no-tiles");
    }
  }

  /* Every layer on `map`. options: {sites: bool, switcher: bool, legend: bool, note: fn} */
  function addLayers(map, options) {
    options = options || {};
    var container = map.getContainer();
    baseMap(map, container);
    var boundaries = geojsonLayer(function () { return { color: "#333", weight: 1.2, fill: false, dashArray: "2 4" }; },
                                  boundaryPopup, { interactive: true });
    var reserved = geojsonLayer(function () { return { color: "#444", weight: 1, fillColor: "#888", fillOpacity: 0.35 }; }, reservedPopup);
    var titles = viewLayer(map, "titles", geojsonLayer(titleStyle, titlePopup), TITLE_LIMIT, options.note);
    var applications = viewLayer(map, "applications", geojsonLayer(applicationStyle, applicationPopup), TITLE_LIMIT, options.note);
    /* A site is drawn at its point, with the area it may lie in when the source gives no exact
       position: the box, or the circle of its radius of uncertainty (dashed, lightly filled). */
    var point = function (colour) {
      return function (f, latlng) {
        var p = f.properties || {};
        var marker = L.circleMarker(latlng, { radius: 7, color: "#fff", weight: 1.5, fillColor: colour, fillOpacity: 0.95 });
        var area = null;
        var dashed = { color: colour, weight: 2, dashArray: "6 4", fillColor: colour, fillOpacity: 0.12 };
        if (p.location_kind === "circle" && p.radius_km) {
          area = L.circle(latlng, Object.assign({ radius: p.radius_km * 1000 }, dashed));
        } else if (p.location_kind === "box" && p.box_south !== null && p.box_north !== null) {
          area = L.rectangle([[p.box_south, p.box_west], [p.box_north, p.box_east]], dashed);
        }
        if (!area) { return marker; }
        area.options.className = "uncertainty";
        return L.featureGroup([area, marker]);
      };
    };
    var projects = geojsonLayer(null, sitePopup, { pointToLayer: point("#d4a017"),
      filter: function (f) { return f.properties.kind === "project"; } });
    var deposits = geojsonLayer(null, sitePopup, { pointToLayer: point("#6b4f2a"),
      filter: function (f) { return f.properties.kind !== "project"; } });
    var overlays = { "Jurisdiction boundaries": boundaries, "Reserved areas": reserved, "Titles": titles,
                     "Pending applications": applications };
    [boundaries, reserved, titles, applications].forEach(function (l) { l.addTo(map); });
    var sites = [];
    if (options.sites !== false) {
      overlays["Projects"] = projects;
      overlays["Deposits"] = deposits;
      projects.addTo(map);
      deposits.addTo(map);
      sites = getJSON(items("deposits", { limit: 1000 })).then(function (fc) {
        projects.addData(fc);
        deposits.addData(fc);
        return fc.features;
      });
    }
    getJSON(items("boundaries", { limit: 100 })).then(function (fc) { boundaries.addData(fc); boundaries.bringToBack(); });
    getJSON(items("reserved-areas", { limit: 10000 })).then(function (fc) { reserved.addData(fc); });
    var control = null;
    if (options.switcher !== false) {
      control = L.control.layers(null, overlays, { collapsed: window.innerWidth < 700 }).addTo(map);
    }
    if (options.legend !== false) { legend(map); }
    return { titles: titles, applications: applications, projects: projects, deposits: deposits,
             reserved: reserved, boundaries: boundaries, sites: Promise.resolve(sites), control: control };
  }

  /* Fit the map to the titles' extent (else to Pakistan), then load the view layers. */
  function initialView(map) {
    var pakistan = L.latLngBounds([23.5, 60.8], [37.1, 77.9]);
    return getJSON("/ogc/collections/titles").then(function (c) {
      var bbox = c.extent && c.extent.spatial && c.extent.spatial.bbox && c.extent.spatial.bbox[0];
      map.fitBounds(bbox ? L.latLngBounds([bbox[1], bbox[0]], [bbox[3], bbox[2]]) : pakistan);
    }).catch(function () { map.fitBounds(pakistan); });
  }

  window.Maadan = { esc: esc, encodeId: encodeId, getJSON: getJSON, items: items, addLayers: addLayers,
                    initialView: initialView, titleStyle: titleStyle, titlePopup: titlePopup,
                    applicationPopup: applicationPopup, sitePopup: sitePopup, reservedPopup: reservedPopup,
                    boundaryPopup: boundaryPopup, fillLegend: fillLegend, TYPE_COLOURS: TYPE_COLOURS };
})();
