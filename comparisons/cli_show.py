"""`triptych show`: registered by comparisons.cli (placeholder, to be written)."""

from __future__ import annotations


def add_parser(commands) -> None:
    """Register the `show` subcommand on the argparse subparsers `commands`."""
