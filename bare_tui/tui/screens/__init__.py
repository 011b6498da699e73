"""The app's screens: review, help, note dialog, and the queue, audit and stats screens."""
