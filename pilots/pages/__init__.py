"""Pilot pages. Views stay thin: selectors read (and decide visibility), services write."""
