"""Notifications: queueing, delivery, digests, reminders, the inbox, preferences."""
