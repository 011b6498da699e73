"""Pilot, snapshot and pty tests of the terminal interface."""
