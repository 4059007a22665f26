"""Verify the real quicknet rounds of tests/fixtures/drand/rounds.json: drand-verify vs py_ecc.

    .venv/bin/python bench/drand.py [REPEATS]

drand-verify (PyPI 0.2.1) is what ssjpub.beacon.drand uses: the zkcrypto `bls12_381` Rust crate
behind PyO3. py_ecc (PyPI 8.0.0, Ethereum Foundation, pure Python) has no G1-signature
ciphersuite, only the pieces (RFC 9380 hash_to_G1, decompression, subgroup check, Miller loop), so
it is assembled here the way drand verifies: e(sig, g2) == e(H(m), pk). It is not a dependency of
ssjpub; install it into the venv to compare (`.venv/bin/pip install py_ecc==8.0.0`).
Both must accept every round; timings are wall-clock seconds per round, best of REPEATS.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import time
from pathlib import Path

from ssjpub.beacon.drand import QUICKNET, verify

ROUNDS = json.loads((Path(__file__).resolve().parent.parent / "tests/fixtures/drand/rounds.json")
                    .read_text(encoding="utf-8"))["rounds"]


def best_of(repeats: int, fn) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def py_ecc_verifier():
    try:
        from py_ecc.bls.g2_primitives import decompress_G1, decompress_G2, subgroup_check
        from py_ecc.bls.hash_to_curve import hash_to_G1
        from py_ecc.optimized_bls12_381 import FQ12, G2, final_exponentiate, neg
        from py_ecc.optimized_bls12_381.optimized_pairing import miller_loop
    except ImportError:
        return None
    key = bytes.fromhex(QUICKNET.public_key)
    pk = decompress_G2((int.from_bytes(key[:48], "big"), int.from_bytes(key[48:], "big")))

    def check(number: int, signature: bytes) -> bool:
        sig = decompress_G1(int.from_bytes(signature, "big"))
        if not subgroup_check(sig):
            return False
        h = hash_to_G1(hashlib.sha256(number.to_bytes(8, "big")).digest(), QUICKNET.dst.encode(), hashlib.sha256)
        return final_exponentiate(miller_loop(G2, sig, False) * miller_loop(neg(pk), h, False)) == FQ12.one()

    return check


def main(repeats: int = 5) -> None:
    print(f"Python {platform.python_version()} on {platform.machine()}, {len(ROUNDS)} rounds, best of {repeats}")
    other = py_ecc_verifier()
    for entry in ROUNDS:
        number, sig = entry["round"], bytes.fromhex(entry["signature"])
        fast, reason = best_of(repeats, lambda: verify(number, sig))
        assert reason is None, reason
        line = f"round {number:>9}: drand-verify {fast * 1000:7.2f} ms"
        if other is not None:
            slow, ok = best_of(max(1, repeats // 5), lambda: other(number, sig))
            assert ok, f"py_ecc rejects round {number}"
            line += f" | py_ecc {slow * 1000:8.1f} ms ({slow / fast:,.0f}×)"
        print(line)
    if other is None:
        print("py_ecc is not installed: only drand-verify was measured")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
