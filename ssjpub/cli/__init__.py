"""Command-line interface: the only place where problems become printed messages and exit codes."""
