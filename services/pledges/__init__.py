"""Pledges and funding: the pledge lifecycle, rules, decisions, notices, partner applications."""
