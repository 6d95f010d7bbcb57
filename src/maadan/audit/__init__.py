"""The register of changes as a verifiable log: events, Merkle tree, signed checkpoints, proofs."""
