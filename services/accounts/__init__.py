"""Accounts and access: users, sign-in, invitations, resets, memberships, API tokens."""
