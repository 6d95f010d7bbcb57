"""Merkle trees as RFC 9162 (Certificate Transparency 2.0, section 2.1) defines them: the tree
head of any number of leaves, inclusion proofs (a leaf is in a tree) and consistency proofs (a
tree is a prefix of a bigger one), and their verification.

Only the standard library: the standalone verifier imports this module. Proofs are generated
from a `Subtree` function that returns the hash of a perfect, aligned subtree, so the same code
runs over a list in memory and over hashes stored in a database."""

from __future__ import annotations

import hashlib
from typing import Callable, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()  # MTH({}): the hash of the empty string

# The hash of the perfect subtree over leaves [start, end): end - start is a power of two and
# start is a multiple of it.
Subtree = Callable[[int, int], bytes]


class ProofError(ValueError):
    """A proof that does not prove what it claims; the message says why."""


def leaf_hash(leaf: bytes) -> bytes:
    """SHA-256(0x00 || leaf)."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2): where RFC 9162 splits a tree of n leaves."""
    return 1 << ((n - 1).bit_length() - 1)


def is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


def perfect_root(hashes: Sequence[bytes]) -> bytes:
    """The root of a perfect tree whose bottom row is `hashes` (a power of two of them)."""
    row = list(hashes)
    while len(row) > 1:
        row = [node_hash(row[i], row[i + 1]) for i in range(0, len(row), 2)]
    return row[0]


class CompactRange:
    """A tree built leaf by leaf in O(log n) memory: the roots of the perfect subtrees it is made
    of, largest (leftmost) first. `on_node(level, index, hash)` hears of every interior node
    completed (level 1 covers 2 leaves; index counts from the left at that level)."""

    def __init__(self, on_node: Callable[[int, int, bytes], None] | None = None):
        self.size = 0
        self._roots: list[bytes] = []
        self._on_node = on_node

    def append(self, leaf_h: bytes) -> None:
        roots = self._roots
        roots.append(leaf_h)
        n, level = self.size, 0
        self.size += 1
        while n & 1:  # each trailing 1 bit of the old size is a perfect subtree to merge with
            right = roots.pop()
            roots[-1] = node_hash(roots[-1], right)
            n >>= 1
            level += 1
            if self._on_node is not None:
                self._on_node(level, (self.size >> level) - 1, roots[-1])

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        for h in leaf_hashes:
            self.append(h)

    def root(self) -> bytes:
        """MTH of the leaves so far: the subtree roots folded from the right."""
        if not self._roots:
            return EMPTY_ROOT
        r = self._roots[-1]
        for h in reversed(self._roots[:-1]):
            r = node_hash(h, r)
        return r


def root(leaf_hashes: Iterable[bytes]) -> bytes:
    """MTH over the leaf hashes given, in order."""
    cr = CompactRange()
    cr.extend(leaf_hashes)
    return cr.root()


def memory_subtree(leaf_hashes: Sequence[bytes]) -> Subtree:
    """A `Subtree` over leaf hashes held in memory (tests, small trees)."""
    return lambda start, end: perfect_root(leaf_hashes[start:end])


def range_hash(lo: int, hi: int, subtree: Subtree) -> bytes:
    """MTH(D[lo:hi]) for a range the RFC's recursion visits (lo is a multiple of the smallest
    power of two >= hi - lo), as perfect subtrees joined from the right."""
    n = hi - lo
    if is_power_of_two(n):
        return subtree(lo, hi)
    k = split(n)
    return node_hash(subtree(lo, lo + k), range_hash(lo + k, hi, subtree))


def tree_root(size: int, subtree: Subtree) -> bytes:
    return EMPTY_ROOT if size == 0 else range_hash(0, size, subtree)


def inclusion_proof(index: int, size: int, subtree: Subtree) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 9162 2.1.3.1, the sibling nearest the leaf first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of {size} leaves")
    path: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = split(hi - lo)
        if index < lo + k:
            path.append(range_hash(lo + k, hi, subtree))
            hi = lo + k
        else:
            path.append(subtree(lo, lo + k))
            lo += k
    return path[::-1]


def consistency_proof(first: int, second: int, subtree: Subtree) -> list[bytes]:
    """PROOF(first, D[0:second]) of RFC 9162 2.1.4.1 (empty when first is 0 or equals second)."""
    if not 0 <= first <= second:
        raise ValueError(f"no consistency proof from a tree of {first} leaves to one of {second}")
    if first in (0, second):
        return []
    proof: list[bytes] = []
    lo, hi, whole = 0, second, True  # `whole`: the subtree still starts at leaf 0 (the RFC's b)
    while True:
        size, m = hi - lo, first - lo
        if m == size:
            if not whole:
                proof.append(range_hash(lo, hi, subtree))
            break
        k = split(size)
        if m <= k:
            proof.append(range_hash(lo + k, hi, subtree))
            hi = lo + k
        else:
            proof.append(subtree(lo, lo + k))
            lo += k
            whole = False
    return proof[::-1]


def _check_hashes(proof: Sequence[bytes], what: str) -> None:
    for i, h in enumerate(proof):
        if not isinstance(h, (bytes, bytearray)) or len(h) != HASH_SIZE:
            raise ProofError(f"{what} hash {i + 1} is not {HASH_SIZE} bytes")


def root_from_inclusion_proof(index: int, size: int, leaf_h: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that `proof` leads to from the leaf (RFC 9162 2.1.3.2); ProofError when the proof
    has the wrong shape for `index` in a tree of `size`."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is beyond a tree of {size} leaves")
    _check_hashes([leaf_h, *proof], "inclusion proof")
    fn, sn, r = index, size - 1, leaf_h
    for p in proof:
        if sn == 0:
            raise ProofError(f"the inclusion proof has {len(proof)} hashes, more than a tree of {size} needs")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"the inclusion proof has {len(proof)} hashes, fewer than a tree of {size} needs")
    return r


def verify_inclusion(index: int, size: int, leaf_h: bytes, proof: Sequence[bytes], root_h: bytes) -> None:
    """Raise ProofError unless `proof` shows leaf `index` with hash `leaf_h` is in the tree `root_h`."""
    if root_from_inclusion_proof(index, size, leaf_h, proof) != root_h:
        raise ProofError(f"the inclusion proof for leaf {index} does not lead to the root of the tree of {size}")


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       proof: Sequence[bytes]) -> None:
    """Raise ProofError unless `proof` shows the tree (first, first_root) is a prefix of the tree
    (second, second_root), as RFC 9162 2.1.4.2 checks it."""
    if not 0 <= first <= second:
        raise ProofError(f"a tree of {first} leaves cannot be a prefix of one of {second}")
    _check_hashes([first_root, second_root, *proof], "consistency proof")
    if first == second:
        if proof:
            raise ProofError("trees of the same size need an empty consistency proof")
        if first_root != second_root:
            raise ProofError(f"two different roots for the same tree size {first}")
        return
    if first == 0:
        if proof:
            raise ProofError("the empty tree needs an empty consistency proof")
        return
    if not proof:
        raise ProofError("the consistency proof is empty")
    path = list(proof)
    if is_power_of_two(first):
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError(f"the consistency proof has {len(proof)} hashes, more than needed")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"the consistency proof has {len(proof)} hashes, fewer than needed")
    if fr != first_root:
        raise ProofError(f"the consistency proof does not lead to the root of the tree of {first}")
    if sr != second_root:
        raise ProofError(f"the consistency proof does not lead to the root of the tree of {second}")
