"""Subcommands of `omniroute`."""
