"""What matching never sees: a candidate's identity, contact details, age, gender and address.

The matching engine scores a :class:`~hotgigs.ai.profiles.CandidateProfile`; the domain app
builds it (``applications.matching.candidate_profile``) from text passed through
:func:`redact` first, so no feature — TF-IDF, BM25, an embedding sent to a remote server, the
input hash — is computed from:

* the candidate's **name** (every word of it, and its initials next to it) → "the candidate";
* **email addresses, URLs, social handles, phone numbers** → removed;
* **dates of birth and age** ("DOB: 1990-04-01", "born in 1988", "aged 34", "34 years old")
  and labelled personal lines ("Gender: …", "Pronouns: …", "Marital status: …",
  "Nationality: …", "Address: …") → removed;
* **street addresses and postcodes** ("12 Baker Street", "SW1A 1AA", "TX 78701",
  "10115 Berlin") → removed;
* the candidate's own **city** → removed (the location component sees the region, below);
* **gendered words** → one neutral word per pair, so swapping them changes nothing:
  he/she → they, him/her/his → them/their (chosen from the next word, the same rule for all
  three), himself/herself → themselves, Mr/Mrs/Ms/Miss/Mx before a name → removed,
  man/woman → person, male/female → removed, husband/wife → spouse, and so on
  (:data:`NEUTRAL`).

**Location granularity.** :func:`region` keeps the region of a location: everything after
the first comma-separated part (the city) when there is more than one part ("Austin, Texas,
US" → "Texas, US"); a one-part location stays as written (it names a region or country, or a
city whose region is unknown). Both sides of the location component use it (the job's
location too, so "same city" in ``hotgigs.ai.matrix`` now means *same region*): a move within
a region — a proxy for neighbourhood, and so for who lives there — never changes a score.

Photos never reach the engine: only the extracted text of a resume is read.
Self-identification answers (gender, ethnicity, disability…) are not fields of
``CandidateProfile`` at all (``tests/ai/test_redaction.py`` guards the field list).

Pure Python, no Django: the kernel's engine and the domain app's profile builder both use it.
The placeholders are words the local text features drop as stop words ("the", "candidate",
"they"…), so redaction adds no feature of its own.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

# Part of every receipt's input hash (``hotgigs.ai.hashing``): bump it when what is removed
# changes, so stored matches are recomputed from the new redaction (and get the new evidence).
REDACTION_VERSION = 1

NAME_PLACEHOLDER = "the candidate"

# Each gendered word and its neutral replacement; a pair maps to the same word, so a
# counterfactual swap (he ↔ she, husband ↔ wife) gives the same text.
NEUTRAL: dict[str, str] = {
    "he": "they",
    "she": "they",
    "himself": "themselves",
    "herself": "themselves",
    "hers": "theirs",
    "man": "person",
    "woman": "person",
    "men": "people",
    "women": "people",
    "male": "",
    "female": "",
    "gentleman": "person",
    "lady": "person",
    "gentlemen": "people",
    "ladies": "people",
    "boy": "child",
    "girl": "child",
    "boys": "children",
    "girls": "children",
    "husband": "spouse",
    "wife": "spouse",
    "father": "parent",
    "mother": "parent",
    "dad": "parent",
    "mom": "parent",
    "mum": "parent",
    "son": "child",
    "daughter": "child",
    "brother": "sibling",
    "sister": "sibling",
    "boyfriend": "partner",
    "girlfriend": "partner",
    "chairman": "chair",
    "chairwoman": "chair",
    "spokesman": "spokesperson",
    "spokeswoman": "spokesperson",
    "businessman": "businessperson",
    "businesswoman": "businessperson",
    "salesman": "salesperson",
    "saleswoman": "salesperson",
    "fraternity": "student society",
    "sorority": "student society",
    "maternity": "parental",
    "paternity": "parental",
    "masculine": "",
    "feminine": "",
}
# him / her / his: object or possessive is read from the next word, by one rule for all three
# ("her team" and "his team" → "their team"; "told her." and "told him." → "told them.").
OBJECT_OR_POSSESSIVE = frozenset({"him", "her", "his"})
_OBJECT_FOLLOWERS = frozenset(
    [
        "a",
        "an",
        "the",
        "to",
        "for",
        "with",
        "in",
        "on",
        "at",
        "and",
        "or",
        "but",
        "as",
        "from",
        "by",
        "of",
        "that",
        "this",
        "when",
        "after",
        "before",
        "about",
        "into",
        "over",
        "up",
        "out",
        "off",
        "through",
        "during",
    ]
)
_TITLES = r"(?i:mr|mrs|ms|miss|mx|sir|madam|dame|lord|lady)"

_LABELLED_LINE = re.compile(
    r"(?im)^[ \t]*(?:gender|sex|pronouns|marital status|family status|nationality|citizenship|religion|"
    r"ethnicity|race|date of birth|birth ?date|d\.?o\.?b\.?|age|place of birth|address|home address|"
    r"photo)[ \t]*[:\-][^\n]*$"
)
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_URL = re.compile(
    r"(?i)\b(?:https?://|www\.)\S+|\b(?:linkedin|github|gitlab|twitter|x|facebook|instagram|medium|behance|"
    r"dribbble)\.com/\S*"
)
_URL_MARKERS = ("http", "www.", ".com/")
_BIRTH_MARKERS = ("birth", "dob", "d.o.b", "born")
_HANDLE = re.compile(r"(?<![\w@])@\w[\w.\-]*\w")
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d \t().\-]{6,}\d(?!\w)")
_YEAR_RANGE = re.compile(r"^\d{4}\s*[-–]\s*\d{4}$")
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    rf"(?:\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS},?\s+\d{{4}}"
    rf"|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|{_MONTHS}\s+\d{{4}}|\d{{4}})"
)
_BIRTH = re.compile(rf"(?i)\b(?:date of birth|birth ?date|d\.o\.b\.?|dob|born(?:\s+(?:on|in))?)\s*[:\-]?\s*{_DATE}")
_AGE = re.compile(
    r"(?i)\b(?:age|aged)\s*[:\-]?\s*\d{1,3}\b|\b\d{1,3}[\s\-]*(?:years?|yrs?)[\s\-]*old\b|\b\d{1,3}\s*(?:y/o|y\.o\.)"
)
_STREET = re.compile(
    r"\b\d{1,5}[a-zA-Z]?\s+(?:[A-Z][\w.'\-]*\s+){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|"
    r"Drive|Dr|Way|Court|Ct|Place|Pl|Terrace|Square|Sq|Close|Crescent|Highway|Hwy|Parkway|Pkwy)\b\.?"
    r"(?:,?\s*(?:Apt|Apartment|Suite|Unit|Flat|#)\.?\s*[\w\-]+)?"
    r"|\b[A-ZÄÖÜ][\wäöüß\-]*(?:straße|strasse|str\.|weg|gasse|platz|allee)\s+\d{1,4}[a-z]?\b"
)
_UK_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
_US_ZIP = re.compile(r"\b([A-Z]{2})\s+\d{5}(?:-\d{4})?\b")
_EU_POSTCODE = re.compile(r"\b\d{5}(?=\s+[A-ZÄÖÜ][a-zäöüß])")
_WORD = re.compile(r"[^\W\d_][\w'’\-]*", re.UNICODE)
_ANY_WORD = re.compile(r"\w")
_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+([,.;:!?])")


def location_parts(location: str) -> list[str]:
    """The comma-separated parts of a location, trimmed, empty ones dropped."""
    return [" ".join(part.split()) for part in (location or "").split(",") if part.strip()]


def region(location: str) -> str:
    """The region of ``location``: its parts after the city when it has more than one (see the module docstring)."""
    parts = location_parts(location)
    if len(parts) > 1:
        parts = parts[1:]
    return ", ".join(parts)


def _name_words(names: Iterable[str]) -> list[str]:
    words: set[str] = set()
    for name in names:
        for word in _WORD.findall(name or ""):
            for piece in re.split(r"[\-'’]", word):
                if len(piece) > 1:
                    words.add(piece)
            if len(word) > 1:
                words.add(word)
    return sorted(words, key=lambda w: (-len(w), w.lower()))


def _match_case(word: str, replacement: str) -> str:
    if not replacement:
        return ""
    if word.isupper() and len(word) > 1:
        return replacement.upper()
    if word[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


@dataclass(frozen=True)
class Identity:
    """What identifies one candidate, to be taken out of their text: names, emails, phones, city."""

    names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    location: str = ""

    @cached_property
    def _name_pattern(self) -> re.Pattern[str] | None:
        words = _name_words(self.names)
        if not words:
            return None
        word = "(?:" + "|".join(re.escape(w) for w in words) + ")"
        # Any initial next to a name word: a middle initial is as telling as the name.
        initial = r"(?-i:[A-Z]\.)"
        title = rf"(?:{_TITLES}\.?\s+)?"
        element = f"(?:{word}|{initial})"
        # A run of name words and initials ("J. Smith", "Jane Smith-Jones", "SMITH, Jane").
        return re.compile(rf"(?<![\w@]){title}{element}(?:(?:[ \t]+|[ \t]*[\-'’,][ \t]*){element})*(?![\w@])", re.I)

    @cached_property
    def _city_pattern(self) -> re.Pattern[str] | None:
        parts = location_parts(self.location)
        if not parts:
            return None
        return re.compile(rf"(?<!\w){re.escape(parts[0])}(?!\w)", re.I)

    def _names_out(self, text: str) -> str:
        pattern = self._name_pattern
        if pattern is None:
            return text
        words = {w.lower() for w in _name_words(self.names)}

        def replace(match: re.Match[str]) -> str:
            found = match.group(0)
            tokens = [t for t in re.split(r"[\s,\-'’.]+", found) if t]
            # A name word counts only written as a name (capitalised): "Will" yes, "will" no;
            # a run of initials or titles alone is not a name.
            if not any(t.lower() in words and t[:1].isupper() for t in tokens):
                return found
            trailing = "," if found.endswith(",") else ""
            return NAME_PLACEHOLDER + trailing

        return pattern.sub(replace, text)

    def redact(self, text: str) -> str:
        """``text`` with this candidate's identity, contact details, age, address and gender taken out."""
        if not text:
            return ""
        for phone in self.phones:
            if phone and phone.strip():
                text = text.replace(phone.strip(), "")
        for email in self.emails:
            if email:
                text = re.sub(re.escape(email), "", text, flags=re.I)
        # Cheap substring checks first: most patterns cannot match text without their marker.
        lower = text.lower()
        text = _LABELLED_LINE.sub("", text)
        if "@" in text:
            text = _HANDLE.sub("", _EMAIL.sub("", text))
        if any(marker in lower for marker in _URL_MARKERS):
            text = _URL.sub("", text)
        if any(marker in lower for marker in _BIRTH_MARKERS):
            text = _BIRTH.sub("", text)
        text = _AGE.sub("", text)
        text = _PHONE.sub(_phone_out, text)
        text = _STREET.sub("", text)
        text = _UK_POSTCODE.sub("", text)
        text = _US_ZIP.sub(r"\1", text)
        text = _EU_POSTCODE.sub("", text)
        text = self._names_out(text)
        if self._city_pattern is not None:
            text = self._city_pattern.sub(_city_out, text)
        text = neutral_words(text)
        text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
        text = _SPACES.sub(" ", text)
        # A line left with punctuation only (a contact line) goes too.
        return "\n".join(line.strip() for line in text.splitlines() if _ANY_WORD.search(line)).strip()


def _phone_out(match: re.Match[str]) -> str:
    found = match.group(0)
    digits = sum(ch.isdigit() for ch in found)
    if digits < 9 or _YEAR_RANGE.match(found.strip()):
        return found
    return ""


def _city_out(match: re.Match[str]) -> str:
    # Only the place written as a name ("Austin"), not a common word of the same spelling.
    return "" if match.group(0)[:1].isupper() else match.group(0)


_FIRST_LETTERS = "".join(sorted({w[0] for w in [*NEUTRAL, *OBJECT_OR_POSSESSIVE]} | {w[0].upper() for w in NEUTRAL}))
_GENDERED = re.compile(
    # The lookahead on the first letter lets the engine skip most positions before the alternation.
    rf"(?<![\w\-])(?=[{_FIRST_LETTERS}])("
    + "|".join(sorted([*NEUTRAL, *OBJECT_OR_POSSESSIVE], key=len, reverse=True))
    + r")(?![\w\-])",
    re.I,
)
_TITLE_BEFORE_NAME = re.compile(rf"(?<!\w){_TITLES}\.?[ \t]*(?=[ \t][A-Z])")
_NEXT_WORD = re.compile(r"\s*([\w']+)?")


def neutral_words(text: str) -> str:
    """``text`` with every gendered word of :data:`NEUTRAL` (and him/her/his) made neutral."""

    def replace(match: re.Match[str]) -> str:
        word = match.group(1)
        lower = word.lower()
        if lower in OBJECT_OR_POSSESSIVE:
            following = _NEXT_WORD.match(text, match.end())
            nxt = (following.group(1) or "").lower() if following else ""
            neutral = "them" if not nxt or nxt in _OBJECT_FOLLOWERS else "their"
        else:
            neutral = NEUTRAL[lower]
        return _match_case(word, neutral)

    return _GENDERED.sub(replace, _TITLE_BEFORE_NAME.sub("", text))


def redact(text: str, *, identity: Identity) -> str:
    """``text`` as matching may see it (see the module docstring)."""
    return identity.redact(text)
