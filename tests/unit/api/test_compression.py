"""Gzip once, sent only where Accept-Encoding admits it (http/compression.py)."""

from __future__ import annotations

import gzip

import pytest

from maadan.http import compression


@pytest.mark.parametrize("header, admitted", [
    ("gzip", True),
    ("GZIP", True),
    ("x-gzip", True),
    ("gzip, deflate, br", True),
    ("br;q=1.0, gzip;q=0.5", True),
    ("gzip;q=0", False),
    ("gzip; q=0.000", False),
    ("*", True),
    ("*;q=0", False),
    ("*, gzip;q=0", False),  # gzip named and refused: the wildcard does not bring it back
    ("gzip;q=0.1, *;q=0", True),
    ("identity", False),
    ("deflate, br", False),
    ("", False),
    (None, False),
    ("gzip;q=abc", False),  # a weight that is not a number refuses
    ("gzip;q=2", False),  # nor one outside 0..1
    ("notgzip", False),  # a token is matched whole, not as a substring
    ("gzipx;q=1", False),
])
def test_accepts_gzip_reads_codings_and_their_weights(header, admitted):
    assert compression.accepts_gzip(header) is admitted


def test_gzip_once_is_the_same_bytes_every_time_and_decompresses():
    body = b'{"type": "Feature"}' * 500
    assert compression.gzip_once(body) == compression.gzip_once(body)  # no timestamp inside
    assert gzip.decompress(compression.gzip_once(body)) == body


def test_cached_gzip_compresses_an_object_once_and_tells_equal_objects_apart():
    body = bytes(range(256)) * 100
    first = compression.cached_gzip(body)
    assert compression.cached_gzip(body) is first  # the same object: the kept copy
    other = bytes(bytearray(body))  # equal bytes, another object (another store's answer, say)
    assert other is not body and compression.cached_gzip(other) is not first
    assert gzip.decompress(compression.cached_gzip(other)) == body
    for n in range(compression.KEPT_BODIES + 1):  # the oldest copies make room
        compression.cached_gzip(bytes([n]) * 2000)
    assert compression.cached_gzip(body) is not first


def test_encoded_sends_the_gzipped_copy_only_when_there_is_one_and_it_is_admitted():
    body = b"x" * 4000
    packed = compression.gzip_once(body)
    sent = compression.encoded("gzip", body, packed, "application/geo+json")
    assert sent.body == packed and sent.headers["content-encoding"] == "gzip"
    assert sent.headers["vary"] == "Accept-Encoding"
    for header, gzipped in [("gzip;q=0", packed), ("identity", packed), ("gzip", None)]:
        plain = compression.encoded(header, body, gzipped, "application/geo+json", {"ETag": '"t"'})
        assert plain.body == body and "content-encoding" not in plain.headers and plain.headers["etag"] == '"t"'


def test_the_middleware_streams_through_zlib_ng_and_the_stream_is_plain_gzip():
    """The responder's compressor is zlib-ng's (should Starlette stop asking `compressor`, this fails
    rather than falling back to zlib unnoticed), and what it writes, chunk by chunk, is gzip any
    reader inflates."""
    import asyncio

    from zlib_ng import zlib_ng

    body = b'{"type": "FeatureCollection", "features": []}' * 400
    responder = compression._FastGZipResponder(lambda *a: None, compression.MINIMUM_SIZE,
                                               compresslevel=compression.LEVEL)
    half = len(body) // 2
    first = asyncio.run(responder.apply_compression(body[:half], more_body=True))
    rest = asyncio.run(responder.apply_compression(body[half:], more_body=False))
    assert type(getattr(responder, "_compressor", None)) is type(zlib_ng.compressobj())  # what compressed it
    assert gzip.decompress(first + rest) == body


def test_vary_names_each_field_once():
    headers = [(b"content-type", b"application/json"), (b"vary", b"Accept, Accept-Encoding, Authorization, Cookie"),
               (b"etag", b'"t"'), (b"Vary", b"accept-encoding"), (b"vary", b"Origin")]
    assert compression.one_vary(headers) == [
        (b"content-type", b"application/json"), (b"vary", b"Accept, Accept-Encoding, Authorization, Cookie, Origin"),
        (b"etag", b'"t"')]
    plain = [(b"content-type", b"text/plain")]
    assert compression.one_vary(plain) is plain
