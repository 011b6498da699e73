"""The terminal interface: screens and widgets that gather keys and paint; the work is done headless."""
