"""Reading news texts: decode and clean a document, find entities with a rule-and-gazetteer pipeline,
and propose agreement drafts whose every field carries its evidence (text span and offsets)."""
