"""Programmes: the rules a programme sets for itself (thresholds, matching, shares...)."""
