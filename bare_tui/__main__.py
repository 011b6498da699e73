"""`python -m bare_tui ...` runs the same command line as the `bare-tui` entry point."""

import sys

from bare_tui.cli import main

sys.exit(main())
