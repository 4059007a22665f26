"""The verifiable draw (algorithm ssjpub-draw/2, and /1 for its earlier records; specified byte for byte in
docs/draw-spec.md)."""
