"""The HTTP layer the three web adapters share: the app factory, who is asking (security), request
dependencies, content negotiation of errors, middleware. maadan.api, maadan.ogc and maadan.web are
siblings over it; each installs its own routes and none imports another."""
