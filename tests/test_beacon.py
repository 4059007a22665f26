"""drand quicknet verified offline: the pinned chain, real published rounds, and every way to break one."""

from __future__ import annotations

import hashlib
import json
import struct
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import drand_verify
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, REPO
from ssjpub.beacon import drand
from ssjpub.beacon.drand import CHINA, MAX_ROUND, QUICKNET, randomness, round_at, round_date, round_reason, round_time, verify, verify_hex

ROUNDS = json.loads((FIXTURES / "drand/rounds.json").read_text(encoding="utf-8"))["rounds"]
PINNED = json.loads((REPO / "ssjpub/beacon/quicknet.json").read_text(encoding="utf-8"))
Q = 0x1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB  # BLS12-381 base field


def _sig(entry: dict) -> bytes:
    return bytes.fromhex(entry["signature"])


def _ids(entry: dict) -> str:
    return f"round-{entry['round']}"


# --- the pinned chain ------------------------------------------------------------------------


def test_the_pinned_chain_is_the_one_the_issue_names():
    assert QUICKNET.hash == "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
    assert QUICKNET.scheme == "bls-unchained-g1-rfc9380"
    assert (QUICKNET.genesis, QUICKNET.period) == (1692803367, 3)
    assert QUICKNET.dst == "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"
    assert len(bytes.fromhex(QUICKNET.public_key)) == 96  # a compressed G2 point


def test_the_chain_hash_is_sha256_of_the_chain_info_as_drand_defines_it():
    # drand/drand chain/info.go, Info.Hash(): period (uint32 BE), genesis (int64 BE), the public key,
    # the group hash, and the beacon ID unless it is "default".
    info = PINNED["info"]
    material = (struct.pack(">Iq", info["period"], info["genesis_time"]) + bytes.fromhex(info["public_key"])
                + bytes.fromhex(info["groupHash"]) + info["metadata"]["beaconID"].encode())
    assert hashlib.sha256(material).hexdigest() == info["hash"] == QUICKNET.hash
    # Any other key, genesis or period gives another chain: the hash pins every field.
    other = struct.pack(">Iq", info["period"], info["genesis_time"] + 1) + material[12:]
    assert hashlib.sha256(other).hexdigest() != QUICKNET.hash


# --- real published rounds -------------------------------------------------------------------


def test_at_least_three_real_rounds_each_with_its_source():
    assert len(ROUNDS) >= 3
    assert all(r["found_in"] for r in ROUNDS)
    assert sum(r["published_randomness"] is not None for r in ROUNDS) >= 2


@pytest.mark.parametrize("entry", ROUNDS, ids=_ids)
def test_a_real_round_verifies_and_its_randomness_is_sha256_of_the_signature(entry):
    assert verify(entry["round"], _sig(entry)) is None
    assert verify_hex(entry["round"], entry["signature"]) is None
    assert randomness(_sig(entry)) == hashlib.sha256(_sig(entry)).hexdigest()
    if entry["published_randomness"] is not None:
        assert randomness(_sig(entry)) == entry["published_randomness"]


@pytest.mark.parametrize("entry", ROUNDS, ids=_ids)
def test_every_single_bit_flip_of_a_real_signature_fails(entry):
    sig = bytearray(_sig(entry))
    for bit in range(8 * len(sig)):
        flipped = bytearray(sig)
        flipped[bit // 8] ^= 0x80 >> (bit % 8)
        reason = verify(entry["round"], bytes(flipped))
        assert reason is not None, f"bit {bit} flipped still verifies"
        assert "G1" in reason or "验证不通过" in reason


@pytest.mark.parametrize("entry", ROUNDS, ids=_ids)
def test_a_real_signature_does_not_verify_for_another_round(entry):
    others = {entry["round"] - 1, entry["round"] + 1, *(r["round"] for r in ROUNDS)} - {entry["round"], 0}
    for other in sorted(others):
        assert f"第 {other} 轮" in verify(other, _sig(entry))


@pytest.mark.parametrize("entry", ROUNDS, ids=_ids)
def test_verifying_with_the_g2_dst_on_the_g1_signature_fails(entry):
    # The known pitfall: fastnet (bls-unchained-on-g1) hashed to G1 with BLS_SIG_BLS12381G2_XMD:…;
    # drand-verify's fastnet verifier does exactly that, and no quicknet signature passes it.
    with pytest.raises(ValueError, match="Verification Failed"):
        drand_verify.verify_bls_unchained_on_g1(entry["round"], entry["signature"], QUICKNET.public_key)
    assert drand_verify.verify_bls_unchained_g1_rfc9380(
        entry["round"], entry["signature"], QUICKNET.public_key) == randomness(_sig(entry))


# --- malformed signatures: a reason, never an exception ---------------------------------------


@pytest.mark.parametrize("size", [0, 1, 47, 49, 96])
def test_a_signature_of_the_wrong_length_is_refused_before_any_curve_work(size):
    assert "签名长度不对" in verify(8, b"\x01" * size)


def test_hex_text_must_be_96_lowercase_hex_digits():
    good = ROUNDS[0]["signature"]
    assert "96 位" in verify_hex(8, good[:-2])
    assert "小写十六进制" in verify_hex(8, good.upper())
    assert "“g”" in verify_hex(8, "g" + good[1:])
    assert "小写十六进制" in verify_hex(8, "０" + good[1:])  # a fullwidth digit is not hex


def _compressed(x: int) -> bytes:
    return (x | (1 << 383)).to_bytes(48, "big")  # the compression flag, sign bit 0


def _x_where(on_curve: bool) -> int:
    # Euler's criterion: x^3 + 4 has a square root mod q iff (x^3 + 4)^((q-1)/2) == 1.
    return next(x for x in range(1, 1000) if (pow(x**3 + 4, (Q - 1) // 2, Q) == 1) == on_curve)


def test_a_point_off_the_curve_is_not_a_g1_element():
    assert "G1" in verify(8, _compressed(_x_where(on_curve=False)))


def test_a_curve_point_outside_the_prime_order_subgroup_is_not_a_g1_element():
    # A point of E(Fq) lies in G1 with probability 1/h (h ≈ 2^126): this one, the first on the curve, does not.
    assert "G1" in verify(8, _compressed(_x_where(on_curve=True)))


def test_an_x_coordinate_beyond_the_field_is_not_a_g1_element():
    assert "G1" in verify(8, _compressed(Q))


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=48, max_size=48), st.integers(min_value=1, max_value=MAX_ROUND))
def test_arbitrary_bytes_never_raise_and_never_verify(sig, number):
    assert isinstance(verify(number, sig), str)


@pytest.mark.parametrize("bad", [0, -1, MAX_ROUND + 1, True, 1.5, "8", None])
def test_a_number_that_is_no_round_is_refused(bad):
    assert "drand 轮次须是" in round_reason(bad)
    assert "drand 轮次须是" in verify(bad, _sig(ROUNDS[0]))
    with pytest.raises(ValueError):
        round_time(bad)


# --- round times -----------------------------------------------------------------------------


def test_round_time_is_genesis_plus_period_times_round_minus_one():
    assert round_time(1) == datetime(2023, 8, 23, 15, 9, 27, tzinfo=timezone.utc)
    assert round_time(8) == datetime.fromtimestamp(1692803367 + 3 * 7, tz=timezone.utc)
    assert round_time(MAX_ROUND).year == 9999


def test_round_date_is_the_date_in_beijing_time():
    assert round_date(8) == date(2023, 8, 23)  # 23:09 in Beijing
    number = round_at(datetime(2024, 1, 9, 16, 0, tzinfo=timezone.utc))
    assert round_time(number).date() == date(2024, 1, 9) and round_date(number) == date(2024, 1, 10)


def test_round_at_the_issue_example():
    number = round_at(datetime(2024, 1, 9, 21, 30, tzinfo=CHINA))
    assert round_time(number) == datetime(2024, 1, 9, 13, 30, tzinfo=timezone.utc)
    assert round_at(datetime(2000, 1, 1, tzinfo=timezone.utc)) == 1
    with pytest.raises(ValueError):
        round_at(datetime(2024, 1, 9, 21, 30))  # naive: which clock?


@given(st.datetimes(min_value=datetime(2023, 8, 23, 15, 9, 27), max_value=datetime(9999, 12, 31, 23, 59, 57),
                    timezones=st.just(timezone.utc)))
def test_round_at_is_the_first_round_at_or_after_the_moment(moment):
    number = round_at(moment)
    assert round_time(number) >= moment
    assert number == 1 or round_time(number - 1) < moment


@given(st.integers(min_value=1, max_value=MAX_ROUND))
def test_round_at_inverts_round_time(number):
    assert round_at(round_time(number)) == number
    assert round_at(round_time(number) + timedelta(microseconds=1)) == number + 1


def test_the_module_names_the_g1_dst_and_the_pitfall():
    source = Path(drand.__file__).read_text(encoding="utf-8")
    assert QUICKNET.dst in source and "BLS_SIG_BLS12381G2_XMD" in source
