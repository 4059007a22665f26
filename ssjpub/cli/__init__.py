"""Command-line interface: the only place where problems become printed messages and exit codes."""

from ssjpub.cli import clickzh

clickzh.install()  # before any command is defined: Click translates some help texts when applied
