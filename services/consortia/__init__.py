"""Consortia: match requests, the expertise index, review, invitations."""
