"""The skill vocabulary: every spelling of a skill mapped to one canonical key.

``skills_vocabulary.json`` (built by ``data/build_vocabulary.py`` from O*NET technology
skills, ESCO transversal skills and a hand-written table of common tech spellings, see
``data/ATTRIBUTION.md``) lists canonical skills with their aliases. Two lookups are offered:

* :func:`canonical_skill` for a skill *name* someone typed ("JS", "Postgres", "React.js"):
  every alias counts, and a name the vocabulary does not know keeps its normalized form,
  so two unknown skills still match when they are spelled alike;
* :func:`skills_in_text` for free text (a summary, a resume): only aliases that are safe
  in prose count — "Go", "R" or "Word" are ordinary words there, so the build script
  marks such single-word aliases as name-only.

Pure Python and no Django: the build script and the engine both import it, and the file
is read once, on first use.
"""

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
VOCABULARY_FILE = DATA_DIR / "skills_vocabulary.json"

# Longest alias, in tokens, that free-text detection looks for.
MAX_ALIAS_TOKENS = 5

# Tokens keep the characters that make tech names different: c++, c#, .net, node.js.
_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#]*(?:\.[a-z0-9+#]+)*|\.[a-z][a-z0-9]*")
_COMPACT_DROP = re.compile(r"[\s.\-_/]+")


def normalize(text: str) -> str:
    """Lower-case, NFKC, trimmed, single spaces: the form every alias is stored in."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().replace("’", "'").split())


def compact(text: str) -> str:
    """``normalize`` without spaces, dots, dashes, underscores and slashes ("React.js" → "reactjs")."""
    return _COMPACT_DROP.sub("", normalize(text))


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens that keep tech punctuation ("C++", "node.js", ".NET")."""
    return [token.rstrip(".") or token for token in _TOKEN.findall(normalize(text))]


@dataclass(frozen=True)
class Vocabulary:
    """Alias lookups built from the JSON file; see the module docstring."""

    names: dict[str, str]  # canonical key → display name
    by_alias: dict[str, str]  # normalized alias → canonical key
    by_compact: dict[str, str]  # compact alias → canonical key
    in_text: dict[tuple[str, ...], str]  # tokenized text-safe alias → canonical key
    token_synonyms: dict[str, str]  # one-token alias → one-token canonical key
    first_tokens: dict[str, int]  # first token of a text-safe alias → longest such alias, in tokens

    def canonical(self, name: str) -> str:
        key = normalize(name)
        if not key:
            return ""
        return self.by_alias.get(key) or self.by_compact.get(compact(name)) or key

    def display(self, key: str) -> str:
        return self.names.get(key, key)

    def find_in_tokens(self, tokens: list[str]) -> list[str]:
        """Canonical keys of the skills mentioned in ``tokens``, longest alias first, in order."""
        found: list[str] = []
        seen: set[str] = set()
        i, n = 0, len(tokens)
        first_tokens = self.first_tokens
        while i < n:
            longest = first_tokens.get(tokens[i], 0)
            for size in range(min(longest, n - i), 0, -1):
                key = self.in_text.get(tuple(tokens[i : i + size]))
                if key is not None:
                    if key not in seen:
                        seen.add(key)
                        found.append(key)
                    i += size
                    break
            else:
                i += 1
        return found


def _key(display: str) -> str:
    return normalize(display)


@functools.cache
def load() -> Vocabulary:
    """The bundled vocabulary (read once per process)."""
    with VOCABULARY_FILE.open(encoding="utf-8") as handle:
        raw = json.load(handle)
    names: dict[str, str] = {}
    by_alias: dict[str, str] = {}
    by_compact: dict[str, str] = {}
    in_text: dict[tuple[str, ...], str] = {}
    token_synonyms: dict[str, str] = {}
    for display, aliases in raw["skills"]:
        key = _key(display)
        names[key] = display
        # The display name is an alias too, name-only when the file lists it with "!".
        spellings = aliases if f"!{display}" in aliases else [display, *aliases]
        for alias in spellings:
            name_only = alias.startswith("!")
            alias = alias.removeprefix("!")
            norm = normalize(alias)
            by_alias.setdefault(norm, key)
            by_compact.setdefault(compact(alias), key)
            tokens = tuple(tokenize(alias))
            # Folding a one-word spelling onto a one-word key is safe even in prose
            # ("js" → "javascript"): both stay single words of the same meaning.
            if len(tokens) == 1 and " " not in key and tokens[0] != key:
                token_synonyms.setdefault(tokens[0], key)
            if not name_only and tokens and len(tokens) <= MAX_ALIAS_TOKENS:
                in_text.setdefault(tokens, key)
    first_tokens: dict[str, int] = {}
    for alias_tokens in in_text:
        first_tokens[alias_tokens[0]] = max(first_tokens.get(alias_tokens[0], 0), len(alias_tokens))
    return Vocabulary(names, by_alias, by_compact, in_text, token_synonyms, first_tokens)


def canonical_skill(name: str) -> str:
    """The canonical key of a skill name ("JS" → "javascript"); unknown names are normalized."""
    return load().canonical(name)


def skill_display_name(key: str) -> str:
    """The display name of a canonical key ("javascript" → "JavaScript")."""
    return load().display(key)


def skills_in_text(text: str) -> list[str]:
    """Canonical keys of the skills that ``text`` mentions, in order of first mention."""
    return load().find_in_tokens(tokenize(text))
