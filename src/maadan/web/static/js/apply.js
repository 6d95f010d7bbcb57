/* The application form: holders, an area drawn (Geoman), uploaded or pasted, a live check against
   POST /api/cadastre/check, conflicts outlined on the map, and the filing with the CSRF token. */
(function () {
  "use strict";
  var M = window.Maadan;
  var config = JSON.parse(document.getElementById("apply-config").textContent);
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var form = document.getElementById("apply-form");
  var jurisdiction = document.getElementById("jurisdiction");
  var titleType = document.getElementById("title_type");
  var minerals = document.getElementById("minerals");
  var rows = document.getElementById("holder-rows");
  var areaText = document.getElementById("area-geojson");
  var fileInput = document.getElementById("area-file");
  var result = document.getElementById("check-result");
  var submitError = document.getElementById("submit-error");
  var receipt = document.getElementById("receipt");
  var esc = M.esc;

  // --- title types for the chosen jurisdiction ------------------------------------------------
  function fillTypes() {
    var j = config.jurisdictions.filter(function (x) { return x.code === jurisdiction.value; })[0];
    titleType.innerHTML = "";
    (j ? j.types : []).forEach(function (t) {
      var o = document.createElement("option");
      o.value = t.code;
      o.textContent = t.name + " (" + t.code + ")" + (t.max_area_km2 ? ", up to " + t.max_area_km2 + " km²" : "");
      titleType.appendChild(o);
    });
  }
  fillTypes();
  jurisdiction.addEventListener("change", function () { fillTypes(); scheduleCheck(); });
  titleType.addEventListener("change", scheduleCheck);

  // --- holders ----------------------------------------------------------------------------------
  function renumber() {
    var sets = rows.querySelectorAll("fieldset.holder");
    sets.forEach(function (fs, i) {
      fs.querySelector("legend").textContent = "Holder " + (i + 1);
      fs.querySelector(".remove-holder").hidden = sets.length === 1;
    });
    var total = holders(true).reduce(function (s, h) { return s + (h.share_pct || 0); }, 0);
    var rounded = Math.round(total * 100) / 100;
    var shareTotal = document.getElementById("share-total");
    shareTotal.textContent = "Shares add up to " + rounded + "%" + (Math.abs(total - 100) > 0.001 ? ": they must add up to 100%." : ".");
    shareTotal.className = Math.abs(total - 100) > 0.001 ? "error" : "hint";
    var own = config.organisation_name;
    if (own && !holders(true).some(function (h) { return h.organisation_id === config.organisation || h.name.toLowerCase() === own.toLowerCase(); })) {
      shareTotal.textContent += " Your organisation, " + own + ", must be among the holders.";
      shareTotal.className = "error";
    }
  }

  function addHolder(values) {
    var node = document.getElementById("holder-row").content.firstElementChild.cloneNode(true);
    values = values || {};
    node.querySelector('[name="name"]').value = values.name || "";
    node.querySelector('[name="share"]').value = values.share || "";
    node.querySelector('[name="country"]').value = values.country || "";
    var nameInput = node.querySelector('[name="name"]');
    var orgInput = node.querySelector('[name="organisation_id"]');
    var status = node.querySelector(".holder-status");
    function lookUp() {  // a name from the directory carries its id; another is proposed as a new organisation
      var typed = nameInput.value.trim().toLowerCase();
      var hit = (config.directory || []).filter(function (o) { return o.name.toLowerCase() === typed; })[0];
      orgInput.value = hit ? hit.id : "";
      status.textContent = !typed ? "" : hit ? "In the organisations directory." : "Not in the directory: proposed as a new organisation, which an officer confirms.";
    }
    nameInput.addEventListener("input", lookUp);
    orgInput.value = values.organisation_id || "";
    lookUp();
    node.querySelector(".remove-holder").addEventListener("click", function () {
      node.remove(); renumber(); scheduleCheck();
    });
    node.addEventListener("input", function () { renumber(); scheduleCheck(); });
    rows.appendChild(node);
    renumber();
    return node;
  }
  document.getElementById("add-holder").addEventListener("click", function () {
    addHolder().querySelector('[name="name"]').focus();
  });
  if (config.organisation_name) {  // the applicant's own organisation first: it must be among the holders
    addHolder({ name: config.organisation_name, organisation_id: config.organisation, share: 100 });
  } else {
    addHolder({ share: 100, country: "PK" });
  }

  function holders(loose) {
    var out = [];
    rows.querySelectorAll("fieldset.holder").forEach(function (fs) {
      var name = fs.querySelector('[name="name"]').value.trim();
      var share = parseFloat(fs.querySelector('[name="share"]').value);
      var country = fs.querySelector('[name="country"]').value.trim().toUpperCase();
      var kind = fs.querySelector('[name="kind"]').value;
      var org = fs.querySelector('[name="organisation_id"]').value;
      if (loose || (name && !isNaN(share))) {
        var h = { name: name, share_pct: isNaN(share) ? 0 : share, country: country || null, kind: kind };
        if (org) { h.organisation_id = org; }
        out.push(h);
      }
    });
    return out;
  }

  // --- the map and the area ---------------------------------------------------------------------
  var map = L.map("map", { keyboard: true });
  var layers = M.addLayers(map, { sites: false, switcher: true, legend: false });
  var drawn = L.featureGroup().addTo(map);
  var conflictsLayer = L.geoJSON(null, { pmIgnore: true, style: function () {
    return { color: "#d00000", weight: 4, fillColor: "#d00000", fillOpacity: 0.25 }; } }).addTo(map);
  window.maadanApplyMap = map; // for tests and the console
  window.maadanApplyLayers = layers;
  M.initialView(map);

  map.pm.addControls({ position: "topleft", drawMarker: false, drawCircleMarker: false, drawPolyline: false,
                       drawCircle: false, drawText: false, cutPolygon: false, rotateMode: false,
                       dragMode: false, drawRectangle: true, drawPolygon: true, editMode: true, removalMode: true });
  map.pm.setGlobalOptions({ snappable: false, layerGroup: drawn });
  // Geoman's toolbar buttons carry their name only as a tooltip on a wrapper: give each button
  // its name, so screen readers and keyboard users know what it does.
  document.querySelectorAll(".leaflet-pm-toolbar .button-container").forEach(function (box) {
    var button = box.querySelector(".leaflet-buttons-control-button");
    if (button && box.title) { button.setAttribute("aria-label", box.title); }
  });

  var area = null; // the GeoJSON geometry to check and file

  function setArea(geometry, from) {
    area = geometry;
    if (from !== "text") { areaText.value = geometry ? JSON.stringify(geometry) : ""; }
    if (from !== "draw") {
      drawn.clearLayers();
      if (geometry) {
        L.geoJSON(geometry, { style: function () { return { color: "#000", weight: 2, fillOpacity: 0.1 }; } })
          .eachLayer(function (l) { drawn.addLayer(l); });
        try { map.fitBounds(drawn.getBounds(), { maxZoom: 12, padding: [40, 40] }); } catch (e) { /* empty */ }
      }
    }
    scheduleCheck();
  }

  function drawnGeometry() {
    var polys = [];
    drawn.eachLayer(function (l) {
      var g = l.toGeoJSON().geometry;
      if (g.type === "Polygon") { polys.push(g.coordinates); }
      if (g.type === "MultiPolygon") { polys = polys.concat(g.coordinates); }
    });
    if (!polys.length) { return null; }
    return polys.length === 1 ? { type: "Polygon", coordinates: polys[0] } : { type: "MultiPolygon", coordinates: polys };
  }

  map.on("pm:create", function (e) {
    // One area: a new drawing replaces the old one.
    drawn.eachLayer(function (l) { if (l !== e.layer) { drawn.removeLayer(l); } });
    e.layer.on("pm:edit", function () { setArea(drawnGeometry(), "draw"); });
    setArea(drawnGeometry(), "draw");
  });
  map.on("pm:remove", function () { setArea(drawnGeometry(), "draw"); });

  areaText.addEventListener("input", function () {
    var text = areaText.value.trim();
    if (!text) { setArea(null, "text"); return; }
    try { setArea(JSON.parse(text), "text"); } catch (e) {
      area = null;
      result.innerHTML = '<p class="error">Area: not valid JSON yet (' + esc(e.message) + ").</p>";
    }
  });
  areaText.addEventListener("change", function () { if (area) { setArea(area, "load"); } });

  document.getElementById("clear-area").addEventListener("click", function () {
    fileInput.value = "";
    setArea(null, "load");
  });

  fileInput.addEventListener("change", function () {
    var file = fileInput.files[0];
    if (!file) { return; }
    var name = file.name.toLowerCase();
    if (name.endsWith(".geojson") || name.endsWith(".json")) {
      file.text().then(function (text) {
        try { setArea(JSON.parse(text), "load"); } catch (e) {
          result.innerHTML = '<p class="error">' + esc(file.name) + ": not valid GeoJSON (" + esc(e.message) + ").</p>";
        }
      });
      return;
    }
    var body = new FormData();
    body.append("file", file);
    result.innerHTML = '<p class="hint">Reading ' + esc(file.name) + "…</p>";
    fetch("/cadastre/upload-area", { method: "POST", body: body, credentials: "same-origin",
                                      headers: { "Accept": "application/json", "X-CSRF-Token": csrf } })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (r) {
        if (!r.ok) { result.innerHTML = '<p class="error">' + esc(r.body.message || "the file could not be read") + "</p>"; return; }
        setArea(r.body.geometry, "load");
      })
      .catch(function (e) { result.innerHTML = '<p class="error">Upload failed: ' + esc(e.message) + "</p>"; });
  });

  // --- the coordinate table -----------------------------------------------------------------------
  var coordResult = document.getElementById("coord-result");
  document.getElementById("coord-preview").addEventListener("click", function () {
    var fmt = document.getElementById("coord-format").value;
    var body = { jurisdiction: jurisdiction.value, format: fmt, text: document.getElementById("coord-text").value };
    if (fmt === "utm") { body.zone = parseInt(document.getElementById("coord-zone").value, 10); }
    coordResult.className = "hint";
    coordResult.textContent = "Reading the table…";
    post("/cadastre/coordinates", body).then(function (r) {
      if (!r.ok) {
        coordResult.className = "error";
        coordResult.textContent = r.body.message || ("the table could not be read (HTTP " + r.status + ")");
        return;
      }
      coordResult.className = "ok";
      coordResult.textContent = r.body.vertices + " vertices, " + Number(r.body.area_km2).toLocaleString("en", { maximumFractionDigits: 3 }) + " km²: shown on the map and checked below.";
      setArea(r.body.geometry, "table");
    }).catch(function (e) { coordResult.className = "error"; coordResult.textContent = "Preview failed: " + e.message; });
  });

  // --- the live check ---------------------------------------------------------------------------
  var timer = null;
  var checkSeq = 0;
  function scheduleCheck() {
    clearTimeout(timer);
    timer = setTimeout(runCheck, 350);
  }

  function post(url, payload, key) {
    var headers = { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf };
    if (key) { headers["Idempotency-Key"] = key; }
    return fetch(url, { method: "POST", credentials: "same-origin", headers: headers,
                        body: JSON.stringify(payload) })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, status: r.status, body: b }; }); });
  }

  function payload() {
    var p = { jurisdiction: jurisdiction.value, title_type: titleType.value, area: { geojson: area } };
    var hs = holders(false);
    if (hs.length) { p.holders = hs; }
    return p;
  }

  function highlight(conflicts) {
    conflictsLayer.clearLayers();
    conflicts.forEach(function (c) {
      var url = null;
      if (c.kind === "title") { url = "/ogc/collections/titles/items/" + M.encodeId(c.ref); }
      if (c.kind === "application") { url = "/ogc/collections/applications/items/" + M.encodeId(jurisdiction.value + "/A" + c.ref); }
      if (url) { M.getJSON(url).then(function (f) { conflictsLayer.addData(f); }).catch(function () { /* gone since */ }); }
      if (c.kind === "reserved") {
        layers.reserved.eachLayer(function (l) { if (l.feature.properties.name === c.ref) { conflictsLayer.addData(l.feature); } });
      }
    });
  }

  // The rule version applied and why; flagged when which rules are in force is uncertain.
  function rulesBasis(basis, jurisdictionCode, version) {
    if (!basis || !basis.version) { return esc(jurisdictionCode) + " " + esc(version); }
    var link = '<a href="/cadastre/rules/' + encodeURIComponent(basis.jurisdiction) + "?at=" + encodeURIComponent(basis.day) + '">' +
      esc(basis.jurisdiction) + " " + esc(basis.version) + "</a>: " + esc(basis.title) + ". " + esc(basis.why);
    if (basis.certain) { return link; }
    return '<span class="badge unverified">uncertain</span> ' + link +
      (basis.reasons || []).map(function (x) { return "<br>" + esc(x); }).join("");
  }

  function showCheck(r) {
    var b = r.body;
    if (!r.ok) {
      conflictsLayer.clearLayers();
      result.innerHTML = '<p class="error">' + esc(b.message || ("check failed (HTTP " + r.status + ")")) + "</p>";
      return;
    }
    var fee = b.fee.amount === null ? "none in the rules"
      : esc(Number(b.fee.amount).toLocaleString()) + " " + esc(b.fee.currency) + (b.fee.verified ? "" : ' <span class="badge unverified">unverified</span>');
    var html = '<dl class="facts"><div><dt>Area</dt><dd id="check-area">' + esc(Number(b.area_km2).toFixed(3)) + " km²</dd></div>" +
      "<div><dt>Vertices</dt><dd>" + esc(b.vertex_count) + "</dd></div>" +
      '<div><dt>Application fee</dt><dd id="check-fee">' + fee + "</dd></div>" +
      '<div><dt>Rules</dt><dd id="check-rules">' + rulesBasis(b.rules, b.jurisdiction, b.rules_version) + "</dd></div></dl>";
    if (b.notes && b.notes.length) {
      html += '<ul class="notes">' + b.notes.map(function (n) { return "<li>" + esc(n) + "</li>"; }).join("") + "</ul>";
    }
    if (b.unverified_rules && b.unverified_rules.length) {
      html += '<p class="hint">Unverified rule values: ' + esc(b.unverified_rules.join("; ")) + "</p>";
    }
    if (b.problems.length) {
      html += '<h3>Problems</h3><ul class="problems">' + b.problems.map(function (p) { return "<li>" + esc(p) + "</li>"; }).join("") + "</ul>";
    }
    if (b.conflicts.length) {
      html += '<h3>Conflicts</h3><ul class="conflicts" id="check-conflicts">' + b.conflicts.map(function (c) {
        var synthetic = String(c.ref).indexOf("SYN-") === 0 ? '<span class="badge synthetic">SYNTHETIC</span> ' : "";
        var what = c.kind === "application" ? "pending application " + esc(jurisdiction.value) + "/A" + esc(c.ref)
          : c.kind === "title" ? synthetic + "title " + esc(c.ref) : "reserved area " + esc(c.ref);
        var blocks = c.kind === "application" ? " (you would queue behind it or compete with it)" : " (the ground is not free)";
        return '<li class="conflict-' + esc(c.kind) + '">Overlaps ' + what + " by " + esc(Number(c.overlap_km2).toFixed(3)) + " km²" + blocks + "</li>";
      }).join("") + "</ul>";
    }
    html += b.ok ? '<p class="ok" id="check-ok">No problem and no conflict found.</p>' : "";
    result.innerHTML = html;
    highlight(b.conflicts);
  }

  function runCheck() {
    if (!area || !titleType.value) { return; }
    var mine = ++checkSeq;
    post("/api/cadastre/check", payload()).then(function (r) { if (mine === checkSeq) { showCheck(r); } })
      .catch(function (e) { result.innerHTML = '<p class="error">Check failed: ' + esc(e.message) + "</p>"; });
  }

  // --- filing -----------------------------------------------------------------------------------
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    submitError.hidden = true;
    var names = minerals.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
    var problems = [];
    if (!names.length) { problems.push("Minerals: name at least one mineral."); }
    if (!holders(false).length) { problems.push("Holders: give at least one holder with a name and a share."); }
    if (!area) { problems.push("Area: draw, upload or paste the area."); }
    if (problems.length) {
      submitError.innerHTML = problems.map(esc).join("<br>");
      submitError.hidden = false;
      submitError.focus();
      return;
    }
    var p = payload();
    p.minerals = names;
    p.holders = holders(false);
    var button = document.getElementById("submit");
    button.disabled = true;
    // The form's one key: a double click, a retry or a resent request files once and gets the same receipt.
    post("/api/cadastre/applications", p, config.idempotency_key).then(function (r) {
      button.disabled = false;
      if (!r.ok) {
        var b = r.body || {};
        submitError.textContent = b.message || ("the application was not filed (HTTP " + r.status + ")");
        submitError.hidden = false;
        if (b.details && b.details.conflicts) { highlight(b.details.conflicts); }
        return;
      }
      var a = r.body;
      var received = String(a.received_at).replace("T", " ").slice(0, 19) + " UTC";
      var facts = [["Number", a.ref], ["Received", received], ["Priority", a.priority + (a.holds_priority ? " (holds priority)" : "")],
                   ["State", a.state], ["Area", Number(a.area_km2).toFixed(3) + " km²"],
                   ["Fee", a.fee.amount === null ? "none" : Number(a.fee.amount).toLocaleString("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + " " + a.fee.currency + (a.fee.verified ? "" : " (unverified)")]];
      if (a.competition_group) {
        facts.push(["Competition", a.competition_group + " with " + a.competing_with.join(", ") +
                    " (received the same day: simultaneous under rule 10; the group is decided first)"]);
      }
      if (a.waits_on && a.waits_on.length) {
        facts.push(["Waits on", a.waits_on.map(function (w) { return w.kind + " " + w.ref; }).join("; ")]);
      }
      if (a.simultaneous_until && a.priority !== "behind") {
        facts.push(["Same-day filings", "until " + a.simultaneous_until + " an overlapping filing would compete with it"]);
      }
      document.getElementById("receipt-facts").innerHTML = facts.map(function (f) {
        return '<div><dt>' + esc(f[0]) + '</dt><dd data-field="' + esc(f[0].toLowerCase()) + '">' + esc(f[1]) + "</dd></div>";
      }).join("") + '<div><dt>Rules</dt><dd data-field="rules">' + rulesBasis(a.rules_basis, a.jurisdiction, a.rules_version) +
        "</dd></div>" + (a.notes || []).map(function (n) {
          return '<div><dt>Note</dt><dd data-field="note">' + esc(n) + "</dd></div>";
        }).join("");
      document.getElementById("receipt-link").href = "/cadastre/applications/" + encodeURIComponent(a.jurisdiction) + "/" + a.number;
      document.getElementById("receipt-pdf").href = "/documents/receipt/" + encodeURIComponent(a.jurisdiction) + "/A" + a.number + ".pdf";
      form.hidden = true;  // the form is replaced by its receipt: nothing left to submit twice
      receipt.hidden = false;
      receipt.focus();
      receipt.scrollIntoView();
      layers.applications.reload();
    }).catch(function (err) {
      button.disabled = false;
      submitError.textContent = "The application was not filed: " + err.message;
      submitError.hidden = false;
    });
  });
})();
