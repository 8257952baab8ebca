"""Privacy guard: deviation reports must never contain patient-identifying data.

Every way into a deviation (web forms, answers, comments, imports, API) calls `check` with the
text of every field before anything is stored.

* Identity numbers (fødselsnummer, D, H and FH numbers), phone numbers and e-mail addresses are
  refused outright: they identify a person on their own and are never needed in a report.
* Likely personal names only warn: names are ambiguous ("Per" is also a preposition, "Liv" means
  life) so the reporter may confirm that the text is not about a person.

The number rules are deliberately narrow, because reports are full of harmless numbers: dates,
times, case numbers, HER ids, doses and counts must pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from stdnum.no import fodselsnummer

from .data.norwegian_names import FIRST_NAMES, PLACES, SURNAMES

# User-facing messages, one per finding kind. Placeholders: label (the field's label as the
# reporter sees it) and excerpt (the masked match). Tests reuse these.
MESSAGES = {
    "national_id": _(
        "Feltet «%(label)s» ser ut til å inneholde et fødselsnummer («%(excerpt)s»). "
        "Fjern det før du sender."
    ),
    "d_number": _(
        "Feltet «%(label)s» ser ut til å inneholde et D-nummer («%(excerpt)s»). "
        "Fjern det før du sender."
    ),
    "h_number": _(
        "Feltet «%(label)s» ser ut til å inneholde et H-nummer («%(excerpt)s»). "
        "Fjern det før du sender."
    ),
    "fh_number": _(
        "Feltet «%(label)s» ser ut til å inneholde et FH-nummer («%(excerpt)s»). "
        "Fjern det før du sender."
    ),
    "phone": _(
        "Feltet «%(label)s» ser ut til å inneholde et telefonnummer («%(excerpt)s»). "
        "Fjern det før du sender."
    ),
    "email": _(
        "Feltet «%(label)s» ser ut til å inneholde en e-postadresse («%(excerpt)s»). "
        "Fjern den før du sender."
    ),
    "name": _(
        "Feltet «%(label)s» inneholder det som kan være et navn («%(excerpt)s»). "
        "Skriv «pasienten» i stedet, eller bekreft at det ikke er en person."
    ),
}

MASK = "•"


@dataclass(frozen=True)
class Finding:
    field: str  # the field name as given in the input dict
    kind: str  # "national_id", "d_number", "h_number", "fh_number", "phone", "email", "name"
    start: int  # character offsets of the match in that field's text
    end: int
    excerpt: str  # the match with digits masked except the first two; names as written
    message: str  # Norwegian, names the field's label and shows the excerpt


@dataclass(frozen=True)
class GuardResult:
    errors: tuple[Finding, ...]  # refuse
    warnings: tuple[Finding, ...]  # names: must be confirmed

    @property
    def ok(self) -> bool:
        return not self.errors

    def needs_confirmation(self) -> bool:
        return self.ok and bool(self.warnings)


# --- Identity numbers ------------------------------------------------------------------------
# Eleven digits: ddmmyy + three individual digits + two mod-11 check digits. People write them
# as 01019012345, 010190 12345, 010190-12345, 01.01.90 123 45 or 01 01 90 12345. The shape is
# spelled out (rather than "any 11 digits with any separators") so that a date followed by a
# number, like "12.03.2024 123", is never read as one. No digit may touch either end.
_ID = re.compile(
    r"(?<!\d)(?<!\d[ .\-])"
    r"\d{2}(?P<sep>[ .\-]?)\d{2}(?P=sep)\d{2}[ .\-]?\d{3}[ .]?\d{2}"
    r"(?![ .\-]?\d)"
)


def _id_kind(digits: str) -> str | None:
    """Classify 11 digits, or None when the check digits (or the date) are not valid."""
    if digits[0] in "89":
        # FH numbers (felles hjelpenummer) carry no birth date, and stdnum refuses them for that
        # reason (get_birth_date raises InvalidComponent). They use the same two mod-11 check
        # digits, so check those with stdnum's own functions.
        body_ok = digits[9] == fodselsnummer.calc_check_digit1(digits[:9])
        if body_ok and digits[10] == fodselsnummer.calc_check_digit2(digits[:10]):
            return "fh_number"
        return None
    # stdnum checks both check digits and the birth date, and understands D numbers (day + 40)
    # and H numbers (month + 40). It does not accept dots, so callers pass bare digits.
    if not fodselsnummer.is_valid(digits):
        return None
    if digits[0] >= "4":
        return "d_number"
    if digits[2] >= "4":
        return "h_number"
    return "national_id"


# --- Phone numbers ---------------------------------------------------------------------------
# Norwegian numbers have 8 digits. Mobile numbers start with 4 or 9, landlines with 2, 3, 5, 6 or
# 7; 0 and 1 never start a subscriber number. The last lookahead keeps longer runs (identity
# numbers, account numbers) out.
_PHONE_DIGITS = r"(?P<num>[2-9](?:[ .\-]?\d){7})(?![ .\-]?\d)"
# With +47 / 0047 in front it is a phone number whatever the grouping.
_PHONE_PREFIXED = re.compile(r"(?<![\d+(])\(?(?:\+|\b00)[ \t]?47\)?[ \t.\-]?" + _PHONE_DIGITS)
# So it is after a word that announces one: "tlf. 22112233", "mob: 41234567", "ring 73 86 80 00".
_PHONE_KEYWORD = re.compile(
    r"(?i:\b(?:tlf|tel|telefon|mob|mobil|ring|ringt|ringte|ringer|sms)(?:\.?[ \t]*(?:nr|nummer))?)"
    r"\b[ \t.:]*" + _PHONE_DIGITS
)
# Without either, only shapes that are hardly anything else. A bare 8-digit run starting with 4 or
# 9 is a mobile number; one starting with 2, 3, 5, 6 or 7 may be a date (20240312, 31122024), so
# landlines are refused only when grouped like a phone number: 3-2-3 or 2-2-2-2 with one kind of
# separator. Dates with separators (12.03.2024, 2024-03-12) have other shapes and pass.
_PHONE_BARE = re.compile(
    r"(?<![\d,])(?<!\d[ .\-/])"
    r"(?:[49]\d{7}"
    r"|[2-79]\d{2}(?P<a>[ .\-])\d{2}(?P=a)\d{3}"
    r"|[2-79]\d(?P<b>[ .\-])\d{2}(?P=b)\d{2}(?P=b)\d{2})"
    r"(?![ .\-/]?\d)"
)
# Numbers introduced by HER or HER-id (the address register), or by a case or reference word, are
# ids, not phone numbers: "HER-id 91234567", "saksnr. 41234567". Upper-case HER alone counts;
# "her" alone is the word "here". Identity numbers are still refused after these words: no HER id
# or case number has 11 digits with two valid check digits.
_NOT_A_PHONE = re.compile(
    r"(?:\bHER|(?i:\bher[ \-]?(?:id|nr|nummer)|\b(?:sak|saksnr|saksnummer|ref|referanse)))"
    r"\b[ \t.:\-]*(?:(?i:nr)\.?[ \t]*)?\d(?:[ .\-/]?\d)*"
)

# --- E-mail ----------------------------------------------------------------------------------
# The lookbehind makes the search start only at the beginning of a run, keeping it linear.
_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,}\b")

# --- Names -----------------------------------------------------------------------------------
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_GAP = re.compile(r"[ \t\u00a0]+")  # words separated by punctuation belong to different phrases
_SAINT = re.compile(r"\b(?:St\.|Sankt)[ \t]*$")
_TITLE = re.compile(r"(?i:\b(?:fru|frøken|frk\.|herr|hr\.|dr\.))[ \t]+(?=[^\W\d_])")

_FIRST = {name.lower() for name in FIRST_NAMES}
_SURNAMES = {name.lower() for name in SURNAMES}
# First names that are also ordinary words; in lower case they are read as the word.
_FIRST_AS_WORD = {
    "per", "tor", "liv", "eli", "dag", "finn", "stein", "odd", "hans", "tom", "lene", "mette",
    "line", "tone", "gro", "siv", "stig", "frank", "rune", "else", "vilde", "lise", "may", "kim",
}  # fmt: skip
# Surnames that are also ordinary words ("uten strøm", "på lien"); in lower case, not a surname.
_SURNAME_AS_WORD = {
    "aas", "bakke", "bakken", "berg", "berge", "eide", "engen", "hagen", "haug", "hauge", "haugen",
    "holm", "lie", "lien", "lund", "lunde", "moe", "moen", "strand", "strøm", "tangen", "vik",
}  # fmt: skip
# Capitalised words that follow a first name in institution and system names ("Per Helse
# Nord-Trøndelag sine rutiner", "Per Helseplattformen"): not a surname.
_NOT_SURNAME = {name.lower() for name in PLACES} | {
    "helse", "helseplattformen", "helsenorge", "helsenett", "sykehuset", "sykehus", "hospital",
    "kommune", "kommunes", "legevakt", "legevakten", "nav", "dips", "epic", "st", "sankt", "nord",
    "sør", "midt", "statens", "norsk", "universitetssykehus",
}  # fmt: skip
# Lower-case words after a name that make it the name of a place or institution ("Olav
# Tryggvasons gate", "Kari Hansens legekontor").
_INSTITUTION_WORDS = {
    "kommune", "kommunes", "sykehus", "sykehuset", "hospital", "legevakt", "legevakta",
    "legevakten", "hf", "helsehus", "helsehuset", "helsesenter", "legesenter", "legekontor",
    "sykehjem", "omsorgssenter", "senter", "klinikk", "dps", "gate", "gata", "vei", "veien",
    "veg", "vegen", "allé", "plass", "skole", "barnehage",
}  # fmt: skip


def _is_capitalised(word: str) -> bool:
    # "Hansen", "Anne-Lise", "Nord-Trøndelag"; not "NAV" or "pasienten".
    return all(part[:1].isupper() and part[1:].islower() for part in word.split("-"))


def _is_first_name(word: str) -> bool:
    first_part = word.split("-")[0].lower()
    if first_part not in _FIRST:
        return False
    if word.isupper():  # "KARI HANSEN": only together with a listed surname, see _is_surname
        return True
    return _is_capitalised(word) or (word.islower() and word not in _FIRST_AS_WORD)


def _is_surname(word: str) -> bool:
    lower = word.lower()
    if lower in _NOT_SURNAME:
        return False
    if _is_capitalised(word):
        # After a first name, any capitalised word is taken as a surname: Norwegian capitalises
        # only proper nouns mid-phrase, and "Ola Nordmann" must warn although Nordmann is unlisted.
        return True
    if word.isupper():  # all capitals: acronyms ("NAV", "DPS") are common, so listed names only
        return lower in _SURNAMES
    return word.islower() and lower in _SURNAMES and lower not in _SURNAME_AS_WORD


def _names(text: str) -> list[tuple[int, int]]:
    words = list(_WORD.finditer(text))

    def adjacent(j: int) -> bool:
        # Word j exists and comes right after word j - 1, with only spaces between them.
        return j < len(words) and bool(_GAP.fullmatch(text[words[j - 1].end() : words[j].start()]))

    found = []
    i = 0
    while i < len(words) - 1:
        first = words[i]
        # "St. Olav", "Sankt Olav": a church or hospital, not a person.
        saint = _SAINT.search(text, max(0, first.start() - 7), first.start())
        if (
            not saint
            and _is_first_name(first.group())
            and adjacent(i + 1)
            and _is_surname(words[i + 1].group())
        ):
            j = i + 1  # take in middle names and double surnames: "Kari Anne Hansen"
            while adjacent(j + 1) and _is_surname(words[j + 1].group()):
                j += 1
            after = words[j + 1].group().lower() if adjacent(j + 1) else ""
            if after not in _INSTITUTION_WORDS:
                found.append((first.start(), words[j].end()))
            i = j + 1
        else:
            i += 1
    # A title before a capitalised word or a known surname: "fru Hansen", "herr Olsen".
    for title in _TITLE.finditer(text):
        word = _WORD.match(text, title.end())
        if word and (_is_surname(word.group()) or word.group().lower() in _SURNAMES):
            span = (title.start(), word.end())
            if not _overlaps(span, found):
                found.append(span)
    return sorted(found)


# --- Masking and the public function ---------------------------------------------------------
def _mask_digits(text: str) -> str:
    """Keep the first two digits, mask the rest, keep separators: "01•••• •••••"."""
    out, seen = [], 0
    for char in text:
        if char.isdigit():
            seen += 1
            out.append(char if seen <= 2 else MASK)
        else:
            out.append(char)
    return "".join(out)


def _mask_email(address: str) -> str:
    """Keep the first letter and the top-level domain: "o•••@•••.no"."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}{MASK * 3}@{MASK * 3}.{domain.rsplit('.', 1)[-1]}"


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def _refusals(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) for everything in the text that must be refused."""
    found: list[tuple[str, int, int]] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int) -> None:
        if not _overlaps((start, end), taken):
            found.append((kind, start, end))
            taken.append((start, end))

    for match in _ID.finditer(text):
        kind = _id_kind(re.sub(r"\D", "", match.group()))
        if kind:
            add(kind, match.start(), match.end())
    for match in _EMAIL.finditer(text):
        add("email", match.start(), match.end())
    not_phones = [m.span() for m in _NOT_A_PHONE.finditer(text)]
    for match in _PHONE_PREFIXED.finditer(text):
        add("phone", match.start(), match.end())
    for pattern in (_PHONE_KEYWORD, _PHONE_BARE):
        for match in pattern.finditer(text):
            span = match.span("num") if pattern is _PHONE_KEYWORD else match.span()
            if not _overlaps(span, not_phones):
                add("phone", *span)
    return sorted(found, key=lambda f: f[1])


def check(fields: dict[str, str], labels: dict[str, str] | None = None) -> GuardResult:
    """Check the text of every field; see the module docstring for what is refused or warned."""
    labels = labels or {}
    errors: list[Finding] = []
    warnings: list[Finding] = []

    def finding(field: str, kind: str, start: int, end: int, excerpt: str) -> Finding:
        label = str(labels.get(field, field))
        message = str(MESSAGES[kind]) % {"label": label, "excerpt": excerpt}
        return Finding(field, kind, start, end, excerpt, message)

    for field, value in fields.items():
        text = "" if value is None else str(value)
        for kind, start, end in _refusals(text):
            match = text[start:end]
            excerpt = _mask_email(match) if kind == "email" else _mask_digits(match)
            errors.append(finding(field, kind, start, end, excerpt))
        for start, end in _names(text):
            warnings.append(finding(field, "name", start, end, text[start:end]))
    return GuardResult(errors=tuple(errors), warnings=tuple(warnings))
