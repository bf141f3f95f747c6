"""Demo data: ``manage.py seed_demo`` fills an empty install with organizations, jobs,
candidates, applications in every stage, interviews and feedback.

The top layer: it may import every app's services (and, to backdate rows to a believable
history, their models); nothing imports it.
"""
