"""Where resume files are kept: the ``resumes`` entry of ``STORAGES``.

By default a private folder (``RESUME_STORAGE_ROOT``, under MEDIA_ROOT) that no URL
serves; with ``RESUME_STORAGE_BUCKET`` set, an S3-compatible bucket through
django-storages (the ``s3`` extra), private, whose presigned URLs serve downloads.
Files are only ever handed out through the short-lived signed links of
``candidates.services.resumes.resume_download_link``.
"""

from typing import Any

from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

STORAGE_ALIAS = "resumes"


class _ResumeStorage(LazyObject):
    def _setup(self) -> None:
        self._wrapped = storages[STORAGE_ALIAS]


resume_storage_instance: Any = _ResumeStorage()


def resume_storage() -> Storage:
    """The storage of ``Resume.file`` (a callable, so migrations do not freeze the backend)."""
    return resume_storage_instance  # type: ignore[no-any-return]


def storage_signs_urls() -> bool:
    """Whether the backend serves files itself through presigned URLs (S3), not through our view."""
    storage = storages[STORAGE_ALIAS]
    return type(storage).__module__.startswith("storages.backends.s3")


@receiver(setting_changed)
def _reset(*, setting: str, **kwargs: Any) -> None:
    # Tests (and only tests) change STORAGES at run time; follow them like default_storage does.
    if setting in {"STORAGES", "MEDIA_ROOT", "RESUME_STORAGE_ROOT"}:
        resume_storage_instance._wrapped = empty


def file_delete_on_commit(storage: Storage, name: str) -> None:
    """Delete a stored file once the transaction commits (a rolled-back delete keeps it). A
    storage error is logged and fails nothing: the row is gone, the file is an orphan."""

    def delete_file() -> None:
        storage.delete(name)

    transaction.on_commit(delete_file, robust=True)
