"""The app's screens: review, queue, audit and statistics (their dialogs are in ../dialogs)."""
