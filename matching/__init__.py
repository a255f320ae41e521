"""Partnering Machine: matching."""
