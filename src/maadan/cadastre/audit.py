"""The register of changes lives in `maadan.audit`; these names stay importable from here."""

from maadan.audit.events import GENESIS, Document, Event, Verification, canonical, document_from_bytes, seal, verify

__all__ = ["GENESIS", "Document", "Event", "Verification", "canonical", "document_from_bytes", "seal", "verify"]
