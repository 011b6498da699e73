"""Modal dialogs over a screen: help, a note, the raw response, an adjudication's reason."""
