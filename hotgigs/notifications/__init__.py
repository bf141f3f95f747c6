"""Email and in-app notifications for domain events (kernel app).

Domain services call :func:`hotgigs.notifications.services.notify` inside their
transaction; it stores the in-app notifications and, after commit, queues one email per
recipient through :mod:`hotgigs.notifications.tasks`.
"""
