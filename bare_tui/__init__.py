"""bare-tui: check automated code-evaluation pipelines against human judgement."""

__version__ = "0.1.0"
