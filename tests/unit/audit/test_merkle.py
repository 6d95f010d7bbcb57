"""RFC 9162 Merkle trees: the published reference values, every proof over small trees, and
proofs that must fail."""

import hashlib

import pytest

from maadan.audit import merkle, tiles
from maadan.audit.merkle import ProofError

# The RFC 6962 reference leaves and tree heads published with the Certificate Transparency code
# (transparency-dev/merkle, testonly/constants.go), used as data: if the prefixes, the split rule
# or the empty-tree hash drifted from the standard, no other implementation would agree with ours.
LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                     "606162636465666768696a6b6c6d6e6f")]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION_5_OF_8 = ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]
CONSISTENCY = {(2, 8): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
               (6, 8): ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
               (2, 5): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]}

HASHES = [merkle.leaf_hash(x) for x in LEAVES]
REF = merkle.memory_subtree(HASHES)


def test_reference_roots():
    for n, expected in enumerate(ROOTS):
        assert merkle.root(HASHES[:n]).hex() == expected
        assert merkle.tree_root(n, REF).hex() == expected


def test_reference_proofs():
    assert [p.hex() for p in merkle.inclusion_proof(5, 8, REF)] == INCLUSION_5_OF_8
    for (m, n), proof in CONSISTENCY.items():
        assert [p.hex() for p in merkle.consistency_proof(m, n, REF)] == proof
        merkle.verify_consistency(m, n, bytes.fromhex(ROOTS[m]), bytes.fromhex(ROOTS[n]), [bytes.fromhex(p) for p in proof])


def test_split_is_the_largest_power_of_two_below():
    assert [merkle.split(n) for n in (2, 3, 4, 5, 8, 9, 1000)] == [1, 2, 2, 4, 4, 8, 512]


MANY = [merkle.leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(40)]
MANY_TREE = merkle.memory_subtree(MANY)


def test_every_proof_in_trees_up_to_40_verifies():
    roots = [merkle.root(MANY[:n]) for n in range(41)]
    for n in range(1, 41):
        for i in range(n):
            merkle.verify_inclusion(i, n, MANY[i], merkle.inclusion_proof(i, n, MANY_TREE), roots[n])
        for m in range(n + 1):
            merkle.verify_consistency(m, n, roots[m], roots[n], merkle.consistency_proof(m, n, MANY_TREE))


def test_mangled_proofs_are_rejected():
    roots = [merkle.root(MANY[:n]) for n in range(41)]
    for n in range(2, 41):
        for i in range(n):
            proof = merkle.inclusion_proof(i, n, MANY_TREE)
            flipped = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
            for bad_index, bad_proof, bad_leaf in ((i, flipped, MANY[i]), (i, proof[:-1], MANY[i]),
                                                   (i, proof + [MANY[0]], MANY[i]), ((i + 1) % n, proof, MANY[i]),
                                                   (i, proof, MANY[(i + 1) % n])):
                with pytest.raises(ProofError):
                    merkle.verify_inclusion(bad_index, n, bad_leaf, bad_proof, roots[n])
        for m in range(1, n):
            proof = merkle.consistency_proof(m, n, MANY_TREE)
            with pytest.raises(ProofError):
                merkle.verify_consistency(m, n, roots[m], roots[n], proof[:-1])
            with pytest.raises(ProofError):
                merkle.verify_consistency(m, n, roots[m], roots[n], proof + [MANY[0]])
            with pytest.raises(ProofError):
                merkle.verify_consistency(m, n, roots[m - 1], roots[n], proof)  # a different older tree


def test_bad_arguments_say_what():
    with pytest.raises(ProofError, match="beyond a tree of 8"):
        merkle.verify_inclusion(8, 8, HASHES[0], [], bytes(32))
    with pytest.raises(ProofError, match="not 32 bytes"):
        merkle.verify_inclusion(0, 2, HASHES[0], [b"short"], bytes(32))
    with pytest.raises(ProofError, match="same tree size"):
        merkle.verify_consistency(4, 4, bytes(32), bytes([1]) * 32, [])
    with pytest.raises(ValueError, match="not in a tree of 8"):
        merkle.inclusion_proof(8, 8, REF)
    with pytest.raises(ValueError):
        merkle.consistency_proof(5, 3, REF)


def test_compact_range_reports_every_completed_node():
    seen = {}
    cr = merkle.CompactRange(on_node=lambda level, index, h: seen.__setitem__((level, index), h))
    cr.extend(MANY[:37])
    assert cr.root() == merkle.root(MANY[:37])
    assert seen[(1, 0)] == merkle.node_hash(MANY[0], MANY[1])
    assert seen[(5, 0)] == merkle.perfect_root(MANY[:32]) and (5, 1) not in seen
    assert seen[(2, 8)] == merkle.perfect_root(MANY[32:36])


def test_stored_tiles_give_the_same_tree():
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(70_000)]
    nodes = {(level, index): h for level, index, h in tiles.build(leaves)}
    assert len(nodes) == 273 + 1  # 273 nodes of 256 leaves, one of 65,536
    assert nodes[(16, 0)] == merkle.perfect_root(leaves[:65_536])
    assert tiles.completed_by(65_536) == [(8, 255), (16, 0)] and tiles.completed_by(300) == []

    def fetch(level, first, last):
        if level == 0:
            return leaves[first:last]
        return [nodes[(level, i)] for i in range(first, last) if (level, i) in nodes]

    stored, memory = tiles.subtree_reader(fetch), merkle.memory_subtree(leaves)
    for size in (1, 255, 256, 257, 65_536, 65_537, 69_999):
        assert merkle.tree_root(size, stored) == merkle.root(leaves[:size])
    for index, size in ((0, 69_999), (65_535, 65_537), (69_998, 69_999), (300, 513)):
        assert merkle.inclusion_proof(index, size, stored) == merkle.inclusion_proof(index, size, memory)
    assert merkle.consistency_proof(65_000, 69_999, stored) == merkle.consistency_proof(65_000, 69_999, memory)
