"""Byte encoding and hashing of ssjpub-draw/1, /2 and /3: the only primitives a re-implementation needs.

The algorithm name is the domain label of every hash, so a /2 seed or ticket can never equal a /1
one; records name their algorithm and are re-executed by it.
"""

from __future__ import annotations

import hashlib
import unicodedata

ALGORITHM_1 = "ssjpub-draw/1"
ALGORITHM_2 = "ssjpub-draw/2"
ALGORITHM_3 = "ssjpub-draw/3"  # /2 with a population split into several files
ALGORITHM = ALGORITHM_2  # what `ssjpub draw` writes for a one-file snapshot
ALGORITHMS = (ALGORITHM_1, ALGORITHM_2, ALGORITHM_3)  # what `ssjpub verify` re-executes


def field(text: str) -> bytes:
    """A length-prefixed field: 4-byte big-endian length, then the UTF-8 bytes of the NFC text."""
    data = unicodedata.normalize("NFC", text).encode("utf-8")
    return len(data).to_bytes(4, "big") + data


def fields(*texts: str) -> bytes:
    return b"".join(field(t) for t in texts)


def sha256_fields(*texts: str) -> bytes:
    return hashlib.sha256(fields(*texts)).digest()


def canonical_lottery(sets: list[list[int]]) -> str:
    """RFC 3797 §3.2 style: each set sorted ascending, every number followed by '.', each set by '/'.

    Sorting makes the value independent of the order in which balls were drawn or reported.
    """
    out = []
    for numbers in sets:
        if not numbers or any(n < 0 for n in numbers):
            raise ValueError("each set needs non-negative numbers")
        out.append("".join(f"{n}." for n in sorted(numbers)) + "/")
    return "".join(out)


def canonical_digits(digits: str) -> str:
    """A ceremony's digits (at least 20), as read out, followed by '/'."""
    if len(digits) < 20 or not digits.isascii() or not digits.isdigit():
        raise ValueError("a ceremony needs at least 20 decimal digits")
    return digits + "/"


def canonical_drand(signature_hex: str) -> str:
    """A drand round: the round's randomness, SHA-256 of the signature's 48 bytes, in lowercase
    hex, followed by '/' (ssjpub-draw/2 only)."""
    signature = bytes.fromhex(signature_hex)
    if len(signature) != 48 or signature_hex != signature.hex():
        raise ValueError("a drand quicknet signature is 48 bytes in 96 lowercase hex digits")
    return hashlib.sha256(signature).hexdigest() + "/"


def derive_seed(
    agency: str, year: int, task: str, population_sha256: str, parameters_sha256: str, randomness: str,
    algorithm: str = ALGORITHM,
) -> str:
    """The seed, as 64 lowercase hex digits, from the committed inputs and the public randomness."""
    return sha256_fields(
        algorithm, "seed", agency, str(year), task, population_sha256, parameters_sha256, randomness
    ).hex()


def parts_digest(parts: list[tuple[str, str]], algorithm: str = ALGORITHM_3) -> str:
    """The digest of a split population (ssjpub-draw/3): H(A, "population", name_1, sha256_1, …)
    over its parts in order (file names, by code point), as 64 lowercase hex digits. It stands
    where a one-file population's SHA-256 stands in the seed."""
    texts = [t for name, sha in parts for t in (name, sha)]
    return sha256_fields(algorithm, "population", *texts).hex()
