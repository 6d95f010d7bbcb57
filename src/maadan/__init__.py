"""Maadan: an open platform for critical-minerals cooperation."""

__version__ = "0.1.0"
