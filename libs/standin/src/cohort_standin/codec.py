"""Everything crosses into and out of the stand-in as BSON, as it crosses the wire.

Writing through ``bson.encode`` raises on what the real driver refuses (a set, a naive UUID,
an int over 64 bits), moves ``_id`` first and truncates datetimes to milliseconds; reading
through ``bson.decode`` gives every caller its own copy, with aware UTC datetimes when the
client is ``tz_aware`` (as campaign's is)."""

from collections.abc import Mapping
from typing import Any

import bson
from bson.codec_options import CodecOptions
from pymongo.errors import DocumentTooLarge

#: The server's maxBsonObjectSize.
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024

Document = dict[str, Any]


class Codec:
    def __init__(self, options: CodecOptions[Document]) -> None:
        self.options = options
        # Stored documents are decoded without the caller's tz options: only copies leave.
        self._plain: CodecOptions[Document] = CodecOptions(tz_aware=True)

    def normalized(self, value: Mapping[str, Any]) -> Document:
        """A filter, update or pipeline stage as the server receives it."""
        return bson.decode(bson.encode(value, codec_options=self.options), self._plain)

    def stored(self, doc: Mapping[str, Any]) -> Document:
        """A document as it is kept: BSON-valid, within the size limit, our own copy."""
        data = bson.encode(doc, codec_options=self.options)
        if len(data) > MAX_DOCUMENT_BYTES:
            raise DocumentTooLarge(
                f"BSON document too large ({len(data)} bytes) - the connected server supports "
                f"BSON document sizes up to {MAX_DOCUMENT_BYTES} bytes."
            )
        return bson.decode(data, self._plain)

    def encoded(self, doc: Mapping[str, Any]) -> bytes:
        return bson.encode(doc, codec_options=self._plain)

    def decoded(self, data: bytes) -> Document:
        return bson.decode(data, self._plain)

    def decode_out(self, data: bytes) -> Document:
        return bson.decode(data, self.options)

    def out(self, doc: Mapping[str, Any]) -> Document:
        """A copy for the caller, decoded with the client's options."""
        return bson.decode(bson.encode(doc, codec_options=self._plain), self.options)
