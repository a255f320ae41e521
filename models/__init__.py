"""Partnering Machine: models."""
