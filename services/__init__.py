"""Partnering Machine: services."""
