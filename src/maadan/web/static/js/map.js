/* The public map (MaadanMap, maadan-map.js): every title and application at every zoom from the
   vector tiles, a search by title number or deposit name, and ?q= to open on a hit. */
(function () {
  "use strict";
  var M = window.Maadan;
  var status = document.getElementById("map-status");
  var results = document.getElementById("search-results");
  var view = window.MaadanMap.create(document.getElementById("map"), {});
  var map = view.map;
  window.maadanMap = map;   // for tests and the console
  window.maadanView = view;

  function say(text) { status.textContent = text; }

  map.on("error", function (e) {
    var what = (e && e.error && e.error.message) || "a map layer could not be loaded";
    document.getElementById("layer-status").textContent = "Map: " + what;
  });

  function listResults(hits) {
    results.innerHTML = "";
    hits.slice(0, 20).forEach(function (hit) {
      var li = document.createElement("li");
      if (!hit.feature) {  // a mineral: its page (its deposits are listed as hits of their own)
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
      button.addEventListener("click", function () { view.show(hit.feature, hit.popup); });
      li.appendChild(button);
      results.appendChild(li);
    });
  }

  function titleHit(f) {
    var p = f.properties;
    return { label: (p.synthetic ? "SYNTHETIC " : "") + "Title " + p.number, feature: f, popup: M.titlePopup(p) };
  }

  function search(text) {
    var q = (text || "").trim();
    if (!q) { results.innerHTML = ""; return Promise.resolve(); }
    var needle = q.toLowerCase();
    // Title numbers hold '/' (PK-BA/EL/2026/0001): looked up exactly; parts of one among the titles in view.
    var exact = q.indexOf("/") < 0 ? Promise.resolve([]) :
      M.getJSON("/ogc/collections/titles/items/" + M.encodeId(q.toUpperCase()))
        .then(function (f) { return [f]; }).catch(function () { return []; });
    var inView = [];
    var seen = {};
    map.querySourceFeatures("titles", { sourceLayer: "titles" }).forEach(function (f) {
      var n = f.properties.number;
      if (!seen[n] && n.toLowerCase().indexOf(needle) >= 0) { seen[n] = true; inView.push(n); }
    });
    var partial = Promise.all(inView.slice(0, 20).map(function (n) {
      return M.getJSON("/ogc/collections/titles/items/" + M.encodeId(n)).catch(function () { return null; });
    }));
    var server = M.getJSON("/api/search?q=" + encodeURIComponent(q))
      .then(function (r) { return r.items || []; }).catch(function () { return []; });
    return Promise.all([exact, partial, view.sites, server]).then(function (parts) {
      var hits = [];
      var listed = {};
      parts[0].concat(parts[1]).forEach(function (f) {
        if (f && !listed[f.properties.number]) { listed[f.properties.number] = true; hits.push(titleHit(f)); }
      });
      (parts[2] || []).forEach(function (f) {
        var p = f.properties;
        if ((p.name || "").toLowerCase().indexOf(needle) >= 0 || (p.id || "").toLowerCase().indexOf(needle) >= 0) {
          hits.push({ label: p.name + " (" + p.kind + ")", feature: f, popup: M.sitePopup(p) });
        }
      });
      // Applications, minerals (with their deposits) and places: the server's search (/api/search).
      var labels = {};
      hits.forEach(function (h) { labels[h.label] = true; });
      (parts[3] || []).forEach(function (h) {
        var label = h.kind === "title" ? h.label : h.label + " (" + h.kind + ")";
        if (labels[label] || (h.kind === "title" && listed[h.label.replace(/^Title /, "")])) { return; }
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
        return;
      }
      say("Found " + hits[0].label + (hits.length === 1 ? "." : "; " + (hits.length - 1) + " more listed above the map."));
      if (hits[0].feature) { return view.show(hits[0].feature, hits[0].popup); }
    });
  }

  document.getElementById("map-search").addEventListener("submit", function (e) {
    e.preventDefault();
    var q = document.getElementById("q").value;
    history.replaceState(null, "", q ? "/map?q=" + encodeURIComponent(q) : "/map");
    search(q);
  });

  view.ready.then(function () {
    var q = document.getElementById("q").value;
    if (q) { search(q); }
  });
})();
