"""Partnering Machine: webapp."""
