"""bare-tui test suite."""
