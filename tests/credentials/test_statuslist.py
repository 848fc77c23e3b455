"""The Bitstring Status List encoding (W3C Bitstring Status List v1.0), without Flask."""

import base64
import gzip

import pytest

from learnhub.credentials import statuslist


def test_bit_zero_is_the_most_significant_bit_of_the_first_byte():
    encoded = statuslist.encode({0, 9, statuslist.LIST_SIZE - 1})
    assert encoded.startswith("u")  # multibase base64url, no padding
    assert "=" not in encoded
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(raw) == statuslist.LIST_SIZE // 8
    assert raw[0] == 0x80
    assert raw[1] == 0x40
    assert raw[-1] == 0x01
    bits = statuslist.decode(encoded)
    assert [i for i in (0, 1, 8, 9, 10, statuslist.LIST_SIZE - 1) if statuslist.bit(bits, i)] == [0, 9, statuslist.LIST_SIZE - 1]


def test_an_empty_list_is_all_zeros_and_small():
    encoded = statuslist.encode(set())
    assert len(encoded) < 300
    assert not any(statuslist.decode(encoded))


def test_positions_split_certificate_numbers_into_lists():
    assert statuslist.position(5) == (0, 5)
    assert statuslist.position(statuslist.LIST_SIZE + 3) == (1, 3)


@pytest.mark.parametrize("bad", ["", "u", "u!!!!", "uH4sIAAAA", "not base64 at all ~"])
def test_unreadable_lists_are_refused_with_a_message(bad):
    with pytest.raises(statuslist.StatusListProblem):
        statuslist.decode(bad)


def test_a_compressed_bomb_is_refused():
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(5 * 1024 * 1024))).decode().rstrip("=")
    with pytest.raises(statuslist.StatusListProblem, match="too large"):
        statuslist.decode(bomb)


def test_an_index_outside_the_list_is_refused():
    with pytest.raises(statuslist.StatusListProblem):
        statuslist.bit(statuslist.decode(statuslist.encode(set())), statuslist.LIST_SIZE)
