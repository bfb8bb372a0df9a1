"""Shared fixtures: the app, its database, users of every role, and the live-forum harness."""
