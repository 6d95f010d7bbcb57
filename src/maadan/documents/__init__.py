"""Documents the authority issues (receipts, letters, notices, certificates, invoices): each kind is
one template (a function building a `Paper` of plain blocks) drawn two ways, as PDF and as HTML,
byte for byte the same for the same inputs so that their SHA-256 can be recorded and re-checked."""
