"""Which tree nodes the store keeps, so proofs over a million events read a few hundred hashes
instead of rehashing every leaf.

The leaf hashes are level 0 (one per event). Above them the store keeps the roots of the perfect
subtrees at every 8th level: level 8 nodes each cover 256 leaves, level 16 nodes 65,536, and so
on (the tile height of C2SP tlog-tiles). A node exists once all its leaves exist and never
changes. The hash of any perfect aligned subtree is then at most 128 stored hashes hashed up."""

from __future__ import annotations

from typing import Callable, Iterable, Iterator

from maadan.audit.merkle import CompactRange, Subtree, perfect_root

HEIGHT = 8
WIDTH = 1 << HEIGHT  # children per stored node

# fetch(level, first, last): the stored hashes at `level` (0 = leaves) with indices first..last-1.
Fetch = Callable[[int, int, int], list[bytes]]


def subtree_reader(fetch: Fetch) -> Subtree:
    """A `Subtree` over stored hashes: one fetch of at most WIDTH/2 hashes per subtree."""

    def subtree(start: int, end: int) -> bytes:
        level = (end - start).bit_length() - 1
        base = level - level % HEIGHT
        first = start >> base
        hashes = fetch(base, first, first + (1 << (level - base)))
        if len(hashes) != 1 << (level - base):
            raise LookupError(f"the store lacks tree nodes at level {base} from {first}: "
                              f"has {len(hashes)} of {1 << (level - base)} (run `maadan audit verify`)")
        return perfect_root(hashes)

    return subtree


def completed_by(size: int) -> list[tuple[int, int]]:
    """(level, index) of the stored nodes that a tree of `size` leaves has just completed."""
    out, level = [], HEIGHT
    while size % (1 << level) == 0 and size:
        out.append((level, (size >> level) - 1))
        level += HEIGHT
    return out


def node_from_children(children: list[bytes]) -> bytes:
    if len(children) != WIDTH:
        raise LookupError(f"a stored node needs {WIDTH} children, found {len(children)}")
    return perfect_root(children)


def build(leaf_hashes: Iterable[bytes]) -> Iterator[tuple[int, int, bytes]]:
    """Every stored node (level, index, hash) of the tree over these leaves, in order of completion."""
    found: list[tuple[int, int, bytes]] = []
    cr = CompactRange(on_node=lambda level, index, h: found.append((level, index, h)) if level % HEIGHT == 0 else None)
    for h in leaf_hashes:
        cr.append(h)
        if found:
            yield from found
            found.clear()
