"""A Mapbox Vector Tile layer written as protobuf bytes with NumPy, all features at once.

A low-zoom tile of a national cadastre holds 100,000 features; building one protobuf message per
feature in Python took most of a tile's time. Here every part of every feature (id, tags, type,
geometry commands) is encoded as varints in arrays, and the parts are interleaved into the
layer's bytes by index arithmetic. The wire format is the vector tile specification's 2.1
(`vector_tile.proto`): a Tile holds Layers (field 3); a Layer has name (1), features (2), keys
(3), values (4), extent (5) and version (15); a Feature has id (1), packed tags (2), type (3) and
packed geometry (4); a Value holds one of string (1), double (3), sint (6) or bool (7). The
integration and unit tests decode what this writes with mapbox-vector-tile's decoder.
"""

from __future__ import annotations

import functools
import itertools
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

POINT, POLYGON = 1, 3  # Feature.type


def varints(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Protobuf varints of non-negative integers: all their bytes, and each one's byte count."""
    v = np.asarray(values, dtype=np.uint64)
    if not len(v):
        return np.empty(0, dtype=np.uint8), np.zeros(0, dtype=np.int64)
    top = int(v.max())
    if top < 0x80:  # one byte each (most tags and geometry deltas of a dense tile)
        return v.astype(np.uint8), np.ones(len(v), dtype=np.int64)
    width = (top.bit_length() + 6) // 7
    n = np.ones(len(v), dtype=np.int64)
    for k in range(1, width):
        n += v >= np.uint64(1 << (7 * k))
    # byte k of every value in row-major (value, k) order; the bytes a value does not have are dropped
    table = np.empty((len(v), width), dtype=np.uint8)
    for k in range(width):
        table[:, k] = ((v >> np.uint64(7 * k)) & np.uint64(0x7F)) | ((n > k + 1).astype(np.uint64) << np.uint64(7))
    return table[np.arange(width) < n[:, None]], n


def _per_item(lengths: np.ndarray, owner: np.ndarray, count: int) -> np.ndarray:
    """Sum of `lengths` per owner (0..count-1)."""
    return np.bincount(owner, weights=lengths, minlength=count).astype(np.int64)


def interleave(columns: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Per item i, the bytes of column 0's i-th piece, then column 1's, ...; each column is (all
    its pieces' bytes in item order, each piece's length)."""
    lens = np.column_stack([np.asarray(lengths, dtype=np.int64) for _, lengths in columns])
    ends = np.cumsum(lens.ravel()).reshape(lens.shape)
    starts = ends - lens
    out = np.empty(int(lens.sum()), dtype=np.uint8)
    for j, (flat, lengths) in enumerate(columns):
        if not len(flat):
            continue
        source = np.cumsum(lengths) - lengths
        out[np.repeat(starts[:, j] - source, lengths) + np.arange(len(flat))] = flat
    return out


def _const(byte: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    return np.full(count, byte, dtype=np.uint8), np.ones(count, dtype=np.int64)


def _packed(values: np.ndarray, owner: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Packed varint fields, one per item: (bytes, byte length per item, varint of that length)."""
    data, each = varints(values)
    size = _per_item(each, owner, count)
    return data, size, size


_ONE_BYTE = [bytes((i,)) for i in range(0x80)]


def varint(value: int) -> bytes:
    """One protobuf varint (a non-negative integer), in plain Python: the key and value tables."""
    if value < 0x80:
        return _ONE_BYTE[value]
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _length_delimited(field: int, body: bytes) -> bytes:
    return bytes([field << 3 | 2]) + varint(len(body)) + body


def _value(v: Any) -> bytes:
    if isinstance(v, bool):
        return bytes([7 << 3, 1 if v else 0])
    if isinstance(v, int):
        return bytes([6 << 3]) + varint((v << 1) ^ (v >> 63))
    if isinstance(v, float):
        return bytes([3 << 3 | 1]) + struct.pack("<d", v)
    return _length_delimited(1, str(v).encode())


def _factorize(column: list[Any]) -> tuple[type | None, list[Any], np.ndarray]:
    """A column's distinct non-None values in first-seen order, and each row's index among them (-1
    for None). Values of one type (the usual case; the type is returned) are hashed in C, not per
    row in Python; a column mixing types (True and 1 are equal in Python) is keyed by (type,
    value), and its type is None."""
    kinds = set(map(type, column)) - {type(None)}
    mixed = len(kinds) > 1
    keyed = [None if v is None else (type(v), v) for v in column] if mixed else column
    distinct = dict.fromkeys(keyed)
    distinct.pop(None, None)
    position = dict(zip(distinct, range(len(distinct))))
    position[None] = -1
    index = np.fromiter(map(position.__getitem__, keyed), dtype=np.int64, count=len(keyed))
    return (None if mixed else next(iter(kinds), str)), list(distinct), index


@dataclass(frozen=True)
class Column:
    """One attribute of a run of features, factorized: the values' type (None when the types mix,
    and the values are then (type, value) pairs), the distinct values, and each feature's index
    among them (-1: the feature has none). A layer kept across tiles factorizes each attribute once
    (`column`); a tile then takes its features' rows (`take`) and writes only the values they use."""

    kind: type | None
    values: list[Any]
    index: np.ndarray

    def take(self, rows: np.ndarray) -> "Column":
        return Column(self.kind, self.values, self.index[rows])


def column(values: list[Any]) -> Column:
    kind, distinct, index = _factorize(values)
    return Column(kind, distinct, index.astype(np.int32))  # half the memory of a kept layer's columns


def concat(columns: list[Column]) -> Column:
    """The rows of several columns one after the other (a value in two of them is listed twice;
    `_compact` writes it once)."""
    kinds = {c.kind for c in columns if c.values}
    if len(kinds) <= 1:
        kind = next(iter(kinds), str)
        parts = [c.values for c in columns]
    else:
        kind = None
        parts = [c.values if c.kind is None else [(c.kind, v) for v in c.values] for c in columns]
    offsets = np.cumsum([0] + [len(v) for v in parts[:-1]])
    index = np.concatenate([np.where(c.index >= 0, c.index + o, -1) for c, o in zip(columns, offsets)])
    return Column(kind, [v for values in parts for v in values], index)


def _compact(c: Column) -> Column:
    """The column with only the values its rows use, each once, in the order they are listed."""
    present = c.index >= 0
    used, local = np.unique(c.index[present], return_inverse=True)
    values = [c.values[j] for j in used.tolist()]
    distinct = dict.fromkeys(values)
    if len(distinct) < len(values):  # the same value listed twice (see `concat`)
        position = dict(zip(distinct, range(len(distinct))))
        local = np.fromiter(map(position.__getitem__, values), dtype=np.int64, count=len(values))[local]
        values = list(distinct)
    index = np.full(len(c.index), -1, dtype=np.int64)
    index[present] = local
    return Column(c.kind, values, index)


def _entries(kind: type | None, values: list[Any]) -> bytes:
    """A Layer's values entries (field 4) for a column's distinct values, as `_factorize` gives them."""
    if kind is str:
        return b"".join(map(_string_entry, values))
    return b"".join(map(_table_entry, values if kind is None else [(kind, v) for v in values]))


@functools.lru_cache(maxsize=1 << 18)
def _string_entry(text: str) -> bytes:
    """A Layer's values entry for a string; kept, as the same numbers, types and states recur in
    tile after tile."""
    raw = text.encode()
    inner = b"\n" + varint(len(raw)) + raw
    return b'"' + varint(len(inner)) + inner  # field 4, length-delimited


@functools.lru_cache(maxsize=1 << 12)
def _table_entry(value: tuple[type, Any]) -> bytes:
    """A Layer's values entry (field 4) for one (type, value): a flag or a number, or any value of a
    column whose types mix (a string goes through `_string_entry`)."""
    kind, v = value
    if kind is str:
        return _string_entry(v)
    inner = _value(v)
    return b'"' + varint(len(inner)) + inner


def layer(name: str, extent: int, ids: np.ndarray, types: np.ndarray, commands: np.ndarray,
          command_counts: np.ndarray, props: list[dict[str, Any]] | dict[str, Column],
          only: tuple[str, ...] | None = None) -> bytes:
    """One tile holding one layer: feature i has id ids[i], type types[i], the next
    command_counts[i] geometry integers of `commands`, and the non-None properties of props[i]
    (those named in `only`, in its order, when given). `props` may instead be the attributes
    already factorized, {key: Column with one row per feature}, in the order they are written."""
    n = len(ids)
    keys: dict[str, int] = {}
    # Column by column (the features share a handful of keys): each key's values indexed at once,
    # None left out; the keys with the fewest distinct values take the lowest value indices (a
    # feature's type or state then costs one byte, not two).
    if isinstance(props, dict):
        factorized = [(k, _compact(c)) for k, c in props.items()]
    else:
        if only is not None:
            names = list(only)
        else:
            names = list(props[0]) + sorted(set().union(*props) - set(props[0])) if n else []
        factorized = [(k, Column(*_factorize(list(map(dict.get, props, itertools.repeat(k)))))) for k in names]
    found = [(len(c.values), k, c.kind, c.values, c.index) for k, c in factorized if c.values]
    for _, k, _, _, _ in found:  # keys in first-seen order
        keys[k] = len(keys)
    offsets, entries, count = {}, [], 0
    for size, k, kind, local, _ in sorted(found, key=lambda f: f[0]):  # values: fewest distinct first
        offsets[k] = count
        count += size
        entries.append(_entries(kind, local))
    columns = [np.where(index >= 0, index + offsets[k], -1) for _, k, _, _, index in found]
    table = (np.column_stack(columns) if columns else np.empty((n, 0), dtype=np.int64)).astype(np.int64)
    present = table >= 0
    tag_counts = 2 * present.sum(axis=1).astype(np.int64)
    pairs = np.stack([np.broadcast_to(np.arange(len(columns), dtype=np.int64), table.shape), table], axis=2)
    tag_values = pairs[present].ravel()
    feature_of_tag = np.repeat(np.arange(n), tag_counts)
    tags, tags_size, _ = _packed(tag_values, feature_of_tag, n)
    geometry, geometry_size, _ = _packed(commands, np.repeat(np.arange(n), command_counts), n)
    id_bytes, id_len = varints(ids)
    tags_head, tags_head_len = varints(tags_size)
    geometry_head, geometry_head_len = varints(geometry_size)
    has_tags = tags_size > 0
    columns = [
        _const(1 << 3, n), (id_bytes, id_len),
        (np.full(int(has_tags.sum()), 2 << 3 | 2, dtype=np.uint8), has_tags.astype(np.int64)),
        (tags_head[np.repeat(has_tags, tags_head_len)], np.where(has_tags, tags_head_len, 0)),
        (tags, tags_size),
        _const(3 << 3, n), (np.asarray(types, dtype=np.uint8), np.ones(n, dtype=np.int64)),
        _const(4 << 3 | 2, n), (geometry_head, geometry_head_len), (geometry, geometry_size),
    ]
    features = interleave(columns)
    feature_size = sum(lengths for _, lengths in columns)
    size_bytes, size_len = varints(feature_size)
    body = interleave([_const(2 << 3 | 2, n), (size_bytes, size_len), (features, feature_size)]).tobytes()
    out = _length_delimited(1, name.encode()) + body
    out += b"".join(_length_delimited(3, k.encode()) for k in keys)
    out += b"".join(entries)
    out += bytes([5 << 3]) + varint(extent) + bytes([15 << 3, 2])
    return _length_delimited(3, out)
