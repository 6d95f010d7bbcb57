"""Analytics: supply risk, what-if of new supply, project economics and Monte Carlo (see docs/analytics.md).

Pure functions in criticality, validation, whatif, economics, montecarlo and charts; parameter files
in params; use cases that read the knowledge base in service."""
