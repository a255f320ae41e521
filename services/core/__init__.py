"""The shared core: errors users can cause, audit, money, markdown, settings, exports."""
