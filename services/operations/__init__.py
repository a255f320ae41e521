"""Background work seen from outside: health, heartbeats, task runs."""
