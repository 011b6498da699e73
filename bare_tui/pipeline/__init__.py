"""The automated verification pipeline: one pure function per stage, shared tree-sitter helpers."""
