"""The input hash of a score receipt: what a stored score was computed from.

SHA-256 over a canonical JSON (sorted keys, no spaces) of exactly the inputs that decide
the score: the job's and the candidate's fingerprints (``JobProfile.fingerprint``,
``CandidateProfile.fingerprint`` — long texts enter as their own SHA-256), the provider's
name and model version, :data:`hotgigs.ai.scoring.SCORING_VERSION` and
:data:`hotgigs.ai.redaction.REDACTION_VERSION` (the profiles are built from redacted text, and a
new receipt — with its evidence — is due when what redaction removes changes). A stored match
whose hash equals the hash of the current inputs is up to date and is not recomputed.
"""

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from hotgigs.ai.profiles import CandidateProfile, JobProfile
from hotgigs.ai.redaction import REDACTION_VERSION
from hotgigs.ai.scoring import SCORING_VERSION


def input_hash(job: JobProfile, candidate: CandidateProfile, *, provider: str, model_version: str) -> str:
    """64 hex digits; equal for equal inputs in any process, on any machine."""
    return _digest(job.fingerprint(), candidate.fingerprint(), provider=provider, model_version=model_version)


def input_hashes(
    jobs: Iterable[JobProfile], candidate: CandidateProfile, *, provider: str, model_version: str
) -> list[str]:
    """:func:`input_hash` of each of ``jobs`` with one ``candidate``, in order: the same digests,
    with the candidate's fingerprint (which hashes its resume text) taken once."""
    fingerprint = candidate.fingerprint()
    return [_digest(job.fingerprint(), fingerprint, provider=provider, model_version=model_version) for job in jobs]


def _digest(job: dict[str, Any], candidate: dict[str, Any], *, provider: str, model_version: str) -> str:
    payload = {
        "job": job,
        "candidate": candidate,
        "provider": provider,
        "model_version": model_version,
        "scoring_version": SCORING_VERSION,
        "redaction_version": REDACTION_VERSION,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
