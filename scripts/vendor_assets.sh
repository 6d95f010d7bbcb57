#!/usr/bin/env bash
# Copy the web app's third-party browser assets from npm into src/maadan/web/static/vendor/<pkg>/,
# each with its licence. Versions are pinned in package.json and package-lock.json at the repo root.
# Run it after changing a version; the copied files are committed, so serving the web app needs
# neither npm nor a CDN. `npm ci --ignore-scripts`: no install script runs (swagger-ui-dist pulls in
# @scarf/scarf, whose install script would report the install to a third party).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v npm >/dev/null || { echo "vendor_assets: npm is needed (Debian: apt-get install npm)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp package.json package-lock.json "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
nm="$work/node_modules"
dest=src/maadan/web/static/vendor

copy() {  # copy PKG DEST_NAME FILE... (paths in the package; "dir/" copies a folder to DEST_NAME/<its last part>/)
    local pkg="$1" name="$2"
    shift 2
    rm -rf "${dest:?}/$name"
    mkdir -p "$dest/$name"
    for f in "$@"; do
        if [[ "$f" == */ ]]; then
            cp -R "$nm/$pkg/${f%/}" "$dest/$name/"
        else
            cp "$nm/$pkg/$f" "$dest/$name/"
        fi
    done
    local version
    version="$(node -p "require('$nm/$pkg/package.json').version")"
    local license
    license="$(node -p "require('$nm/$pkg/package.json').license")"
    printf '%s %s (%s), copied from npm by scripts/vendor_assets.sh\n' "$pkg" "$version" "$license" > "$dest/$name/VERSION"
    echo "  $pkg $version ($license) -> $dest/$name"
}

echo "vendoring into $dest"
copy leaflet leaflet dist/leaflet.js dist/leaflet.css dist/images/ LICENSE  # the CSS expects images/ beside it
# The plug-in's dist bundle already contains its dependencies (turf, lodash, polyclip-ts...).
copy @geoman-io/leaflet-geoman-free leaflet-geoman dist/leaflet-geoman.js dist/leaflet-geoman.css LICENSE
# The CSP build: its worker is a file under /static (maplibregl.setWorkerUrl), so the policy needs no blob: workers.
copy maplibre-gl maplibre-gl dist/maplibre-gl-csp.js dist/maplibre-gl-csp-worker.js dist/maplibre-gl.css LICENSE.txt
copy swagger-ui-dist swagger-ui swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE
# The Geoman bundle carries its npm dependencies: list them with their licences beside it.
# shellcheck disable=SC2016  # single quotes on purpose: the script is JavaScript, not shell
(cd "$work" && node -e '
  const fs = require("fs"), path = require("path");
  const seen = new Map();
  function walk(name, from) {
    let dir = from;
    for (;;) {  // resolve like node: nearest node_modules upwards
      const p = path.join(dir, "node_modules", name);
      if (fs.existsSync(path.join(p, "package.json"))) { dir = p; break; }
      const up = path.dirname(dir);
      if (up === dir) return;
      dir = up;
    }
    if (seen.has(dir)) return;
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json")));
    seen.set(dir, pkg);
    for (const dep of Object.keys(pkg.dependencies || {})) walk(dep, dir);
  }
  walk("@geoman-io/leaflet-geoman-free", process.cwd());
  let out = "Bundled into leaflet-geoman.js (npm packages, version, licence):\n";
  let texts = "";
  for (const [dir, pkg] of [...seen].slice(1).sort((a, b) => a[1].name.localeCompare(b[1].name))) {
    out += `${pkg.name} ${pkg.version} (${pkg.license})\n`;
    const lic = fs.readdirSync(dir).find(f => /^(licen[cs]e|copying)/i.test(f));
    texts += `==== ${pkg.name} ${pkg.version} (${pkg.license}) ====\n` +
             (lic ? fs.readFileSync(path.join(dir, lic), "utf8") : "(no licence file in the package)\n") + "\n";
  }
  fs.writeFileSync("THIRD-PARTY", out + "\n" + texts);
')
cp "$work/THIRD-PARTY" "$dest/leaflet-geoman/THIRD-PARTY-LICENSES"
echo "done"
