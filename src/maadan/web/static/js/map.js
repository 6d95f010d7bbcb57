/* The public map: every layer, a search by title number or deposit name, and ?q= to open on a hit. */
(function () {
  "use strict";
  var M = window.Maadan;
  var container = document.getElementById("map");
  var status = document.getElementById("map-status");
  var layerStatus = document.getElementById("layer-status");
  var results = document.getElementById("search-results");
  var notes = {};

  function say(text) { status.textContent = text; }

  function note(collection, returned, matched, error) {
    notes[collection] = error ? (collection + ": could not load (" + error + ")")
      : (matched > returned ? collection + ": " + returned + " of " + matched + " in view shown; zoom in for all" : "");
    layerStatus.textContent = Object.keys(notes).map(function (k) { return notes[k]; }).filter(Boolean).join(" · ");
  }

  var map = L.map(container, { keyboard: true, zoomControl: true, attributionControl: true, preferCanvas: false });
  var layers = M.addLayers(map, { note: note });
  var found = L.geoJSON(null, { pmIgnore: true, style: function () { return { color: "#ffbf00", weight: 4, fill: false }; },
                                 pointToLayer: function (f, ll) { return L.circleMarker(ll, { radius: 12, color: "#ffbf00", weight: 4, fill: false }); } });
  found.addTo(map);
  window.maadanMap = map; // for tests and the console
  window.maadanLayers = layers;

  function show(feature, popupHtml) {
    found.clearLayers();
    found.addData(feature);
    var layer = found.getLayers()[0];
    layer.bindPopup(popupHtml).openPopup();
    if (feature.geometry.type === "Point") {
      var c = feature.geometry.coordinates;
      map.setView([c[1], c[0]], Math.max(map.getZoom(), 9));
    } else {
      map.fitBounds(found.getBounds(), { maxZoom: 12, padding: [30, 30] });
    }
    layer.openPopup();
  }

  function sitePopup(p) {
    return '<div class="popup"><strong>' + M.esc(p.name) + "</strong> (" + M.esc(p.kind) + ")<br>Status: " + M.esc(p.status) +
      "<br>Commodities: " + M.esc((p.commodities || []).join(", ")) + '<br><a href="/projects/' +
      encodeURIComponent(p.id) + '">Details and sources</a></div>';
  }

  function listResults(hits) {
    results.innerHTML = "";
    hits.slice(0, 20).forEach(function (hit) {
      var li = document.createElement("li");
      if (!hit.feature) {
        var a = document.createElement("a");
        a.href = hit.href || "#";
        a.textContent = hit.label;
        li.appendChild(a);
        results.appendChild(li);
        return;
      }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.textContent = hit.label;
      button.addEventListener("click", function () { show(hit.feature, hit.popup); });
      li.appendChild(button);
      results.appendChild(li);
    });
  }

  function search(text) {
    var q = (text || "").trim();
    if (!q) { results.innerHTML = ""; return Promise.resolve(); }
    var needle = q.toLowerCase();
    // Title numbers hold '/' (PK-BA/EL/2026/0001): only those are looked up one by one.
    var exact = q.indexOf("/") < 0 ? Promise.resolve([]) :
      M.getJSON("/ogc/collections/titles/items/" + M.encodeId(q.toUpperCase()))
        .then(function (f) { return [f]; }).catch(function () { return []; });
    var server = M.getJSON("/api/search?q=" + encodeURIComponent(q))
      .then(function (r) { return r.items || []; }).catch(function () { return []; });
    return Promise.all([exact, layers.sites, server]).then(function (parts) {
      var hits = [];
      var seen = {};
      parts[0].forEach(function (f) {
        seen[f.properties.number] = true;
        hits.push({ label: (f.properties.synthetic ? "SYNTHETIC " : "") + "Title " + f.properties.number,
                    feature: f, popup: M.titlePopup(f.properties) });
      });
      layers.titles.eachLayer(function (l) {
        var p = l.feature.properties;
        if (!seen[p.number] && p.number.toLowerCase().indexOf(needle) >= 0) {
          seen[p.number] = true;
          hits.push({ label: (p.synthetic ? "SYNTHETIC " : "") + "Title " + p.number, feature: l.feature, popup: M.titlePopup(p) });
        }
      });
      (parts[1] || []).forEach(function (f) {
        var p = f.properties;
        if ((p.name || "").toLowerCase().indexOf(needle) >= 0 || (p.id || "").toLowerCase().indexOf(needle) >= 0) {
          hits.push({ label: p.name + " (" + p.kind + ")", feature: f, popup: sitePopup(p) });
        }
      });
      // Applications, minerals (their deposits) and places come from the server's search (/api/search).
      var labels = {};
      hits.forEach(function (h) { labels[h.label] = true; });
      (parts[2] || []).forEach(function (h) {
        var label = h.kind === "title" ? "Title " + h.label.replace(/^Title /, "") : h.label + " (" + h.kind + ")";
        if (labels[label] || labels[h.label] || (h.kind === "title" && seen[h.label.replace(/^Title /, "")])) { return; }
        labels[label] = true;
        var popup = '<div class="popup"><strong>' + M.esc(h.label) + "</strong><br>" + M.esc(h.detail) +
          (h.href ? '<br><a href="' + M.esc(h.href) + '">Its page</a>' : "") + "</div>";
        hits.push({ label: label + (h.detail ? " — " + h.detail : ""), href: h.href,
                    feature: h.geometry ? { type: "Feature", geometry: h.geometry, properties: {} } : null, popup: popup });
      });
      hits.sort(function (a, b) { return (a.feature ? 0 : 1) - (b.feature ? 0 : 1); });
      listResults(hits);
      if (hits.length === 0) {
        say("Nothing found for “" + q + "”. Try a title number, an application (PK-BA/A7), a deposit, a mineral or a place.");
      } else {
        say("Found " + hits[0].label + (hits.length === 1 ? "." : "; " + (hits.length - 1) + " more listed above the map."));
        if (hits[0].feature) { show(hits[0].feature, hits[0].popup); }
      }
    });
  }

  document.getElementById("map-search").addEventListener("submit", function (e) {
    e.preventDefault();
    var q = document.getElementById("q").value;
    history.replaceState(null, "", q ? "/map?q=" + encodeURIComponent(q) : "/map");
    search(q);
  });

  M.initialView(map).then(function () {
    var q = document.getElementById("q").value;
    if (q) { search(q); }
  });
})();
