"""Partnering Machine: workers."""
