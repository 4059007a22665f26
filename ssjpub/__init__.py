"""ssjpub: publish 双随机、一公开 inspections as a public, verifiable static website."""

__version__ = "0.1.0"
