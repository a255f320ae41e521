"""Organisations: profiles, search, and the CORDIS import."""
