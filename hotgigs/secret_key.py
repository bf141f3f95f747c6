"""Where the secret key comes from, read by settings before Django is configured.

The key signs sessions, resume download links and (by default) JWTs: anyone who knows it can
forge them. So with ``DEBUG`` off a process never starts on a key this repository ever
published, nor without one:

1. ``DJANGO_SECRET_KEY``, when set;
2. else ``DJANGO_SECRET_KEY_FILE``: the key stored in that file. A missing file is created
   with a new random key (mode 600, atomically, so processes starting together agree); its
   folder must exist (a secret volume that is not mounted is an error, not a new folder).
   ``make run`` uses ``var/secret-key``, the Docker stack a volume shared by its services;
3. else, with ``DEBUG`` on, the public development key;
4. else ``ImproperlyConfigured``.
"""

import contextlib
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_KEY = "insecure-local-development-key-change-me-for-any-real-deployment"
# Keys published in this repository's history, and Django's own marker of a throwaway key.
PUBLIC_KEYS = frozenset({DEVELOPMENT_KEY, "compose-local-only-insecure-key-change-me"})
PUBLIC_PREFIX = "django-insecure-"
HINT = (
    "Set DJANGO_SECRET_KEY to a long random value "
    "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), or DJANGO_SECRET_KEY_FILE "
    "to a file that holds one (created with a random key if missing); "
    "DJANGO_DEBUG=true runs on a public development key."
)


def read_or_create(path: Path) -> str:
    """The key in ``path``; a missing file is first created with a random key (mode 600)."""
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        key = _create(path)
    except OSError as exc:
        raise ImproperlyConfigured(f"DJANGO_SECRET_KEY_FILE={path} cannot be read: {exc}") from exc
    if not key:
        raise ImproperlyConfigured(f"DJANGO_SECRET_KEY_FILE={path} is empty. {HINT}")
    return key


def _create(path: Path) -> str:
    if not path.parent.is_dir():
        raise ImproperlyConfigured(f"DJANGO_SECRET_KEY_FILE={path}: the folder {path.parent} does not exist. {HINT}")
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    try:
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(50) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            # Atomic and never overwrites: of several processes starting together, one wins.
            os.link(draft, path)
    except OSError as exc:
        raise ImproperlyConfigured(f"DJANGO_SECRET_KEY_FILE={path} cannot be created: {exc}") from exc
    finally:
        with contextlib.suppress(OSError):
            draft.unlink()
    return path.read_text().strip()


def secret_key(*, key: str, key_file: str, debug: bool) -> str:
    """The secret key to use (see the module docstring); raises ImproperlyConfigured."""
    if not key and key_file:
        key = read_or_create(Path(key_file))
    if not key:
        if debug:
            return DEVELOPMENT_KEY
        raise ImproperlyConfigured(f"DJANGO_SECRET_KEY is not set and DEBUG is off. {HINT}")
    if not debug and (key in PUBLIC_KEYS or key.startswith(PUBLIC_PREFIX)):
        raise ImproperlyConfigured(f"DJANGO_SECRET_KEY is public (published in this repository or Django's). {HINT}")
    return key
