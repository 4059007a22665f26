"""drand quicknet rounds, verified offline against the chain pinned in quicknet.json.

quicknet (scheme `bls-unchained-g1-rfc9380`) signs, every 3 seconds, the message
SHA-256(round as 8-byte big-endian) with a BLS12-381 threshold key: the group public key is on G2
(96 bytes), the signature on G1 (48 bytes), and the message is hashed to G1 as RFC 9380 says with
the DST ``BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_``. The pitfall: drand's earlier G1 chain
(fastnet, `bls-unchained-on-g1`) hashed to G1 with the *G2* DST ``BLS_SIG_BLS12381G2_XMD:…``, and
verifiers written for G2 signatures still use it; with that DST no quicknet signature verifies.

The pairing check and hash-to-curve are drand-verify's (the zkcrypto `bls12_381` crate behind a
PyO3 wheel; its `verify_quicknet` is G2PubkeyRfc with the G1 DST above). We always pass it the
pinned key rather than trusting its default, and hand it only well-formed hex of the right length:
its binding unwraps the hex decoding and would panic (a BaseException) on anything else.
bench/drand.py measures it against py_ecc.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

SIGNATURE_BYTES = 48  # a compressed G1 point
CHINA = timezone(timedelta(hours=8))  # a declaration's expected_on is the round's date in Beijing time


@dataclass(frozen=True)
class Chain:
    hash: str
    public_key: str  # hex, compressed G2 point
    genesis: int  # Unix seconds of round 1
    period: int  # seconds between rounds
    scheme: str
    beacon_id: str
    group_hash: str
    dst: str  # for the record and other verifiers: drand-verify's quicknet verifier has it built in


def _load() -> Chain:
    pinned = json.loads((Path(__file__).parent / "quicknet.json").read_text(encoding="utf-8"))
    info = pinned["info"]
    return Chain(
        hash=info["hash"], public_key=info["public_key"], genesis=info["genesis_time"],
        period=info["period"], scheme=info["schemeID"], beacon_id=info["metadata"]["beaconID"],
        group_hash=info["groupHash"], dst=pinned["dst"],
    )


QUICKNET = _load()
GENESIS = datetime.fromtimestamp(QUICKNET.genesis, tz=timezone.utc)
# The round is signed as an unsigned 64-bit integer, but only rounds up to the end of year 9999
# have a time a datetime can hold; none later will ever be declared.
MAX_ROUND = (datetime.max.replace(tzinfo=timezone.utc) - GENESIS) // timedelta(seconds=QUICKNET.period) + 1


def round_reason(round: object) -> str | None:
    """Why ``round`` cannot be a quicknet round, or None."""
    if isinstance(round, bool) or not isinstance(round, int) or not 1 <= round <= MAX_ROUND:
        return f"drand 轮次须是 1 到 {MAX_ROUND} 之间的整数，而不是 {round!r}"
    return None


def verify(round: int, signature: bytes) -> str | None:
    """None if ``signature`` is quicknet's signature of ``round``; otherwise why not, in Chinese."""
    reason = round_reason(round)
    if reason is not None:
        return reason
    if len(signature) != SIGNATURE_BYTES:
        return (f"签名长度不对：quicknet 的签名是 {SIGNATURE_BYTES} 字节（{2 * SIGNATURE_BYTES} 位十六进制），"
                f"这里是 {len(signature)} 字节")
    import drand_verify  # the pairing library, imported only when a signature is checked

    try:
        drand_verify.verify_quicknet(round, signature.hex(), QUICKNET.public_key)
    except ValueError as exc:
        if "Invalid point" in str(exc):
            return ("签名不是 BLS12-381 的 G1 群元素：这 48 字节不是曲线上某点的合法压缩编码，"
                    "或该点不在 G1 子群中（多半是抄错了字符）")
        if "Verification Failed" in str(exc):
            return (f"签名验证不通过：它不是 drand quicknet（链 {QUICKNET.hash[:16]}…）"
                    f"用固定公钥对第 {round} 轮的签名（轮次写错，或签名抄错、来自别的链）")
        return f"签名验证出错：{exc}"
    return None


def verify_hex(round: int, signature: str) -> str | None:
    """As verify, for the signature as written in a values file: lowercase hexadecimal."""
    if len(signature) != 2 * SIGNATURE_BYTES:
        return (f"签名长度不对：quicknet 的签名是 {2 * SIGNATURE_BYTES} 位十六进制（{SIGNATURE_BYTES} 字节），"
                f"这里是 {len(signature)} 位")
    bad = next((c for c in signature if c not in "0123456789abcdef"), None)
    if bad is not None:
        return f"签名只能由小写十六进制字符 0-9、a-f 组成，其中有“{bad}”"
    return verify(round, bytes.fromhex(signature))


def randomness(signature: bytes) -> str:
    """The round's randomness as drand defines it: lowercase hex of SHA-256(signature)."""
    return hashlib.sha256(signature).hexdigest()


def round_time(round: int) -> datetime:
    """When ``round`` is published (UTC): genesis + period × (round − 1). ValueError for a
    number that is no round (see round_reason)."""
    reason = round_reason(round)
    if reason is not None:
        raise ValueError(reason)
    return GENESIS + timedelta(seconds=QUICKNET.period * (round - 1))


def round_date(round: int) -> date:
    """The date of ``round`` in Beijing time: what a declaration's `expected_on` says."""
    return round_time(round).astimezone(CHINA).date()


def round_at(moment: datetime) -> int:
    """The first round published at or after ``moment`` (timezone-aware): the one to declare."""
    if moment.tzinfo is None:
        raise ValueError("round_at needs a timezone-aware datetime")
    elapsed = moment - GENESIS
    if elapsed <= timedelta(0):
        return 1
    period_us = QUICKNET.period * 1_000_000
    us = (elapsed.days * 86_400 + elapsed.seconds) * 1_000_000 + elapsed.microseconds
    return -(-us // period_us) + 1  # integer ceiling: no floats
