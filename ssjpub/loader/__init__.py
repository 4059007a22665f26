"""Loaders turn files into plain values with positions, and report problems instead of raising."""
