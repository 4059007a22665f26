"""The verifiable draw (algorithm ssjpub-draw/1, specified byte for byte in docs/draw-spec.md)."""
