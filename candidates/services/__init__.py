"""Writes of the candidates app, one module per concern.

* :mod:`.profiles` — candidate profiles and their skills: create, update, register
  (sign-up), and the erasure of what a profile holds (for ``privacy``);
* :mod:`.consents` — consents per purpose and wording: give, withdraw (the talent-pool
  consent puts a profile in discovery and matching);
* :mod:`.resumes` — resume files: upload, parse, reparse, delete, download links, and the
  skills a resume suggests;
* :mod:`.merges` — merging two of an organization's profiles, and undoing it.

Writes record internal domain events in the outbox (``candidate.profile_changed``,
``candidate.resumes_changed``, ``resume.parse_requested``, ``account.signup_attempt``,
``candidate.merged``, ``candidate.merge_undone``);
ranking, resume parsing and the signup-attempt email are ``candidates/subscribers.py``'s,
after commit.
"""
