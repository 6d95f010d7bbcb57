"""The web app: server-rendered pages over the same use cases as the API, a little JavaScript
for the map and the application form, and vendored browser assets (no CDN)."""
