"""W3C Bitstring Status List v1.0: encoding and decoding the list (no Flask, no database).

Bit ``i`` is the ``i``-th bit counting from the most significant bit of the first byte; the
list is GZIP-compressed and written as multibase base64url without padding (a leading ``u``).
"""

import base64
import gzip
import io

#: Bits per list: the specification's minimum (16 KB), for herd privacy.
LIST_SIZE = 131_072
#: A compressed list larger than this is refused when decoding (a gzip bomb).
MAX_DECODED_BYTES = 1024 * 1024


class StatusListProblem(ValueError):
    """The encoded list cannot be read."""


def position(number: int) -> tuple[int, int]:
    """The list and the index within it for a certificate number."""
    return divmod(number, LIST_SIZE)


def encode(set_bits: set[int] | list[int], size: int = LIST_SIZE) -> str:
    """The ``encodedList`` for a list of ``size`` bits where ``set_bits`` are 1."""
    data = bytearray(size // 8)
    for index in set_bits:
        if not 0 <= index < size:
            raise ValueError(f"index {index} outside the list")
        data[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(data), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode(encoded: str) -> bytes:
    """The bitstring of an ``encodedList`` (multibase ``u`` prefix optional)."""
    if not isinstance(encoded, str) or not encoded:
        raise StatusListProblem("The status list has no encoded list.")
    body = encoded[1:] if encoded.startswith("u") else encoded
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        with gzip.GzipFile(fileobj=io.BytesIO(packed)) as stream:
            data = stream.read(MAX_DECODED_BYTES + 1)
    except (ValueError, OSError, EOFError) as problem:
        raise StatusListProblem("The status list is not valid compressed data.") from problem
    if len(data) > MAX_DECODED_BYTES:
        raise StatusListProblem("The status list is too large.")
    if not data:
        raise StatusListProblem("The status list is empty.")
    return data


def bit(bitstring: bytes, index: int) -> bool:
    """Whether bit ``index`` is set."""
    if not 0 <= index < len(bitstring) * 8:
        raise StatusListProblem("The credential's place in the status list is outside the list.")
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))
