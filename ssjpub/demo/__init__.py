"""Deterministic, clearly fictional demo data modelled on S0 (宝丰县, 2024) and S1 (偃师区, 2023).

Run ``python -m ssjpub.demo ROOT`` (or ``make demo``) to regenerate the committed files. Every
enterprise code carries ``DEM0`` in its organisation part and every name the word 示例, so no demo
record can be mistaken for a real enterprise. Variation comes from SHA-256 of stable labels, not
from a random generator, so the output is identical on every machine.
"""
