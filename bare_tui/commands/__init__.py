"""The `bare-tui` subcommands: each module gathers arguments and calls the headless core."""
