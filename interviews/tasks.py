"""Celery tasks of the interviews app: thin, idempotent, ids in, calling services.

None are needed yet; background work for this app (matching, notifications, roll-ups)
lands here with the capability that needs it.
"""
