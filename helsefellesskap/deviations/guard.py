"""Privacy guard: deviation reports must never contain patient-identifying data.

Every way into a deviation (web forms, answers, comments, imports, API) calls `check` with the
text of every field before anything is stored, and the models run it again in their validation.

* Identity numbers (fødselsnummer, D, H and FH numbers), phone numbers and e-mail addresses are
  refused outright: they identify a person on their own and are never needed in a report.
* Likely personal names only warn: names are ambiguous ("Per" is also a preposition, "Liv" means
  life) so the reporter may confirm that the text is not about a person.

Numbers and addresses are matched on a normalised copy of the text (`normalise`), so that the
way a number is typed does not matter: compatibility forms (full-width digits, "＠"), digits of
every script, invisible characters, any separator between the groups, the letters O and l among
digits, a number split over two words or two fields. Every normalised character remembers where
it came from, so findings still point at, and mask, what the reporter wrote.

The number rules are deliberately narrow about *shape*, because reports are full of harmless
numbers: dates, times, case numbers, HER ids, doses and counts must pass. Every pattern anchors
its start and the number scans are single passes, so checking stays linear in the text's length.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
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
# An identity number whose parts stand in different fields: every field involved gets this
# message, so the reporter sees which fields to look at. Placeholders: labels («A» og «B»),
# number (what was found) and excerpt (the masked parts, in the fields' order).
SPLIT_MESSAGE = _(
    "Feltene %(labels)s ser ut til å inneholde %(number)s når de leses sammen "
    "(«%(excerpt)s»). Fjern det før du sender."
)
NUMBER_NAMES = {
    "national_id": _("et fødselsnummer"),
    "d_number": _("et D-nummer"),
    "h_number": _("et H-nummer"),
    "fh_number": _("et FH-nummer"),
}

MASK = "•"


@dataclass(frozen=True)
class Finding:
    field: str  # the field name as given in the input dict
    kind: str  # "national_id", "d_number", "h_number", "fh_number", "phone", "email", "name"
    start: int  # character offsets of the match in that field's text (as written)
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

    def messages_by_field(self, findings: Sequence[Finding] | None = None) -> dict[str, list[str]]:
        """Every message per field (a field may hold several findings), errors by default."""
        by_field: dict[str, list[str]] = {}
        for finding in self.errors if findings is None else findings:
            messages = by_field.setdefault(finding.field, [])
            if finding.message not in messages:
                messages.append(finding.message)
        return by_field


# --- Normalisation ---------------------------------------------------------------------------
class Normalised:
    """A text as the number and address rules read it, and where each character came from.

    `text[i]` was written as `original[starts[i]:ends[i]]` (one written character may give
    several, "½" gives "1⁄2"; several may give one, "a" and a combining ring give "å"). Plain
    ASCII keeps its offsets, and then the two lists are not built at all."""

    __slots__ = ("ends", "starts", "text")

    def __init__(self, text: str, starts: list[int] | None, ends: list[int] | None):
        self.text, self.starts, self.ends = text, starts, ends

    def source(self, index: int) -> tuple[int, int]:
        if self.starts is None or self.ends is None:
            return index, index + 1
        return self.starts[index], self.ends[index]

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The written span of the normalised span [start, end)."""
        return self.source(start)[0], self.source(end - 1)[1]


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# Format characters (zero-width space and joiner, word joiner, BOM, soft hyphen) are invisible,
# and combining marks left over after NFKC belong to no letter the rules look at: both go.
_DROPPED = frozenset({"Cf", "Mn", "Me"})
# Letters typed for 0 and 1 among digits ("O1O19O12345", "0l0190 l2345"): Latin, and the Greek
# and Cyrillic letters that look the same.
_ZERO_LIKE = "OoΟοОо"
_ONE_LIKE = "lIΙІі"
_READ_AS_DIGITS = frozenset(_ZERO_LIKE + _ONE_LIKE)
_AS_DIGITS = str.maketrans(_ZERO_LIKE + _ONE_LIKE, "0" * len(_ZERO_LIKE) + "1" * len(_ONE_LIKE))
_DIGITISH = f"[0-9{_ZERO_LIKE}{_ONE_LIKE}]+"
# A number as typed: tokens of digits and look-alike letters, separated by non-alphanumeric
# characters, standing alone (no letter or digit glued to either end). Its letters are read as
# digits when the number holds at least one real digit, so "Oslo" and "I" stay words.
_DIGITISH_NUMBER = re.compile(rf"(?<![^\W_]){_DIGITISH}(?:[\W_]{{1,20}}{_DIGITISH})*(?![^\W_])")


def _letters_as_digits(match: re.Match[str]) -> str:
    number = match.group()
    if any("0" <= char <= "9" for char in number):
        return number.translate(_AS_DIGITS)
    return number


def normalise(text: str) -> Normalised:
    """NFKC, every decimal digit as 0-9, format characters removed, O/l among digits as 0/1.

    Every substitution keeps the number of characters except NFKC and the removals, which only
    touch non-ASCII text: ASCII stretches are copied with their offsets."""
    if text.isascii():
        return Normalised(_DIGITISH_NUMBER.sub(_letters_as_digits, text), None, None)
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    for run in _NON_ASCII.finditer(text):
        begin, stop = run.span()
        if begin > position and unicodedata.combining(text[begin]):
            begin -= 1  # a combining mark belongs to the letter before it: "a" + "̊" is "å"
        parts.append(text[position:begin])
        starts.extend(range(position, begin))
        ends.extend(range(position + 1, begin + 1))
        _normalise_run(text, begin, stop, parts, starts, ends)
        position = stop
    parts.append(text[position:])
    starts.extend(range(position, len(text)))
    ends.extend(range(position + 1, len(text) + 1))
    normalised = _DIGITISH_NUMBER.sub(_letters_as_digits, "".join(parts))
    return Normalised(normalised, starts, ends)


def _normalise_run(
    text: str, begin: int, stop: int, parts: list[str], starts: list[int], ends: list[int]
) -> None:
    index = begin
    while index < stop:
        after = index + 1
        while after < stop and unicodedata.combining(text[after]):
            after += 1
        base = unicodedata.normalize("NFKC", text[index])
        # Marks on a digit, or on a letter read as one, are dropped rather than composed: "I" and
        # a tilde below would make "Ḭ", a letter no longer read as 1.
        kept = base.isdecimal() or base in _READ_AS_DIGITS
        for char in base if kept else unicodedata.normalize("NFKC", text[index:after]):
            if unicodedata.category(char) in _DROPPED:
                continue
            digit = unicodedata.decimal(char, None)  # Arabic-Indic, Devanagari, Thai ...
            parts.append(char if digit is None else str(digit))
            starts.append(index)
            ends.append(after)
        index = after


# --- Digit runs --------------------------------------------------------------------------------
# After normalisation every digit is 0-9. Numbers are found as runs of digits and the gaps
# between them, in one pass: no pattern spans more than one gap, so nothing backtracks over a
# long text.
_RUN = re.compile(r"[0-9]+")
_SEPARATOR_GAP = re.compile(r"[\W_]{1,20}")  # any run of non-alphanumeric characters
# Up to three words between the birth date and the personal number: "010190, personnr 12345",
# "født 010190 og 12345". They link the two only when they name the number ("personnr", "fnr.",
# "personnummer", "D-nummer") or just join them ("og"): "150390 pasienter og 12345 minutter"
# are two counts.
_WORDS_GAP = re.compile(r"[\W_]*[^\W\d_]+(?:[\W_]+[^\W\d_]+){0,2}[\W_]*")
_NUMBER_WORDS = re.compile(r"(?i:nr\b|nummer)")
_LETTERS = re.compile(r"[^\W\d_]+")
_JOINING_WORDS = frozenset({"og", "samt", "and", "med", "så"})
# Words that introduce an id or a time of their own: a number after them is not part of another.
_ID_WORDS = re.compile(
    r"(?:\bHER\b|(?i:\b(?:her[ \-]?(?:id|nr|nummer)|sak|saken|saksnr|saksnummer|ref|referanse"
    r"|kl|klokka|klokken|org|orgnr|organisasjonsnummer)\b))"
)
# A number right after such a word: "HER-id: 123456", "saksnr. 41234567", "kl. 14.30".
_INTRODUCED = re.compile(_ID_WORDS.pattern + r"[\s.:\-]*(?:(?i:nr)\.?\s*)?$")
# One of these alone between two runs makes them parts of one date, time, decimal or case number
# ("12.03.2024", "14:30", "2,5", "2024/123", "23/04567-3"): a number never starts or ends there.
_NUMBER_PUNCTUATION = frozenset(".,:/-")
_TIGHT, _SEPARATOR = "tight", "separator"
_WORDS, _NUMBER_NAMED = "words", "number named"  # joining words; words that name a number


def _gap(text: str, start: int, end: int) -> str | None:
    if end - start > 40:
        return None
    gap = text[start:end]
    if len(gap) == 1 and gap in _NUMBER_PUNCTUATION:
        return _TIGHT
    if _SEPARATOR_GAP.fullmatch(gap):
        return _SEPARATOR
    if not _WORDS_GAP.fullmatch(gap) or _ID_WORDS.search(gap):
        return None
    if _NUMBER_WORDS.search(gap):
        return _NUMBER_NAMED
    if all(word.lower() in _JOINING_WORDS for word in _LETTERS.findall(gap)):
        return _WORDS
    return None


# --- Identity numbers --------------------------------------------------------------------------
# Eleven digits: ddmmyy + three individual digits + two mod-11 check digits, written in groups
# whatever separates them: 01019012345, 010190 12345, 01.01.90 123 45, 010190–12345. A group may
# end only where a part ends (after dd, mm, yy or the individual number), so a date followed by
# a number ("12.03.2024 123", 2+2+4+3) is never read as one; nor is the shape of a bank account
# number (4+2+5, "1503.12.34567").
_ID_BOUNDARIES = frozenset({2, 4, 6, 9})
_FIRST_GROUPS = frozenset({2, 4, 6, 9, 11})
_ACCOUNT_NUMBER = [4, 6]


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
    # and H numbers (month + 40). It does not accept separators, so callers pass bare digits.
    if not fodselsnummer.is_valid(digits):
        return None
    if digits[0] >= "4":
        return "d_number"
    if digits[2] >= "4":
        return "h_number"
    return "national_id"


def _grouped_like_an_id(boundaries: list[int], gaps: list[str]) -> bool:
    if not _ID_BOUNDARIES.issuperset(boundaries):
        return False
    if boundaries == _ACCOUNT_NUMBER and _NUMBER_NAMED not in gaps:
        return False
    # Words may stand only between the birth date and the personal number, and unless they
    # name the number ("personnr"), only after a date written as one group: "12.03.24 fikk
    # 10000 IE" is a date and a dose.
    for at, kind in zip(boundaries, gaps, strict=True):
        if kind == _NUMBER_NAMED and at != 6:
            return False
        if kind == _WORDS and (at != 6 or boundaries[0] != 6):
            return False
    return True


@dataclass(frozen=True)
class _Number:
    kind: str
    runs: tuple[tuple[int, int], ...]  # the digit runs it is made of, in normalised offsets

    @property
    def start(self) -> int:
        return self.runs[0][0]

    @property
    def end(self) -> int:
        return self.runs[-1][1]


def _identity_numbers(text: str) -> Iterator[_Number]:
    runs = [match.span() for match in _RUN.finditer(text)]
    count = len(runs)
    gaps: dict[int, str | None] = {}

    def gap(k: int) -> str | None:  # between run k and run k + 1, read when needed
        if k not in gaps:
            gaps[k] = _gap(text, runs[k][1], runs[k + 1][0])
        return gaps[k]

    for first, (start, end) in enumerate(runs):
        # The first group is the whole number or ends where a part ends.
        if end - start not in _FIRST_GROUPS or (first and gap(first - 1) == _TIGHT):
            continue  # or it starts inside a date, time or case number
        total, last = end - start, first
        boundaries: list[int] = []
        kinds: list[str] = []
        while total < 11 and total in _ID_BOUNDARIES and last + 1 < count:
            kind = gap(last)
            if kind is None:
                break
            boundaries.append(total)
            kinds.append(kind)
            last += 1
            total += runs[last][1] - runs[last][0]
        if total != 11 or (last + 1 < count and gap(last) == _TIGHT):
            continue
        if not _grouped_like_an_id(boundaries, kinds):
            continue
        if _WORDS in kinds and _INTRODUCED.search(text, max(0, start - 40), start):
            continue  # "HER 123456 og 10000 IE": an id, then a dose
        window = runs[first : last + 1]
        kind = _id_kind("".join(text[a:b] for a, b in window))
        if kind:
            yield _Number(kind, tuple(window))


# --- Phone numbers -----------------------------------------------------------------------------
# Norwegian numbers have 8 digits. Mobile numbers start with 4 or 9, landlines with 2, 3, 5, 6 or
# 7; 0 and 1 never start a subscriber number. A phone number is a cluster of digit runs joined
# by spaces, dots, hyphens or dashes; commas, colons and slashes belong to decimals, times,
# dates and case numbers and end a cluster.
_PHONE_GAP = re.compile(r"[\s.\-_\u2010-\u2015\u2212]{1,3}")
_PREFIX_BEFORE = re.compile(r"(?:\(\s*)?(?:\+|(?<![^\W_])00)\s?47\s*\)?[\s.\-\u2010-\u2015]*$")
_PLUS_BEFORE = re.compile(r"(?:\(\s*)?\+\s?$")
# A word that announces one, up to three words before: "tlf. 22112233", "mob: 41234567",
# "ring datteren på 73 86 80 00", "telefonnummeret er 7386 8000".
_PHONE_WORD_BEFORE = re.compile(
    r"(?i:\b(?:tlf\w*|tel|telefon\w*|mob|mobil\w*|ring(?:e|er|es|t|te)?|sms|nummer(?:et)?"
    r"|nås|treffes))\b\.?(?:[\s:.,\-]+[^\W\d_]+){0,3}[\s:.,\-]*$"
)
# Numbers introduced by HER or HER-id (the address register), by a case or reference word or by
# "kl." are ids or times, not phone numbers: "HER-id 91234567", "saksnr. 41234567". Upper-case
# HER alone counts; "her" alone is the word "here". Identity numbers are still refused after
# these words: no HER id or case number has 11 digits with two valid check digits.
_NOT_A_PHONE_BEFORE = _INTRODUCED
_GLUED_BEFORE = re.compile(r"[0-9][,:]$")  # "2,41234567" is a decimal
_GLUED_AFTER = re.compile(r"[,:][0-9]")
_CONTEXT = 60  # characters before a number that may say what it is

_MOBILE_SHAPES = frozenset({(8,), (3, 2, 3), (2, 2, 2, 2)})
_LANDLINE_SHAPES = frozenset({(3, 2, 3), (2, 2, 2, 2)})
_ANNOUNCED_SHAPES = frozenset({(8,), (4, 4), (3, 2, 3), (2, 2, 2, 2)})


def _clusters(text: str) -> Iterator[list[tuple[int, int]]]:
    cluster: list[tuple[int, int]] = []
    for match in _RUN.finditer(text):
        if cluster and not _PHONE_GAP.fullmatch(text, cluster[-1][1], match.start()):
            yield cluster
            cluster = []
        cluster.append(match.span())
    if cluster:
        yield cluster


def _consistent(gaps: list[str]) -> bool:
    return len({re.sub(r"\s+", " ", gap) for gap in gaps}) <= 1


def _years(digits: str) -> bool:
    return digits[:2] in ("19", "20") and digits[4:6] in ("19", "20")


def _phone_span(text: str, cluster: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The span of the phone number this cluster is, with its country code, or None."""
    if not 8 <= sum(b - a for a, b in cluster) <= 12:  # eight digits, perhaps after 0047
        return None
    start, end = cluster[0][0], cluster[-1][1]
    digits = "".join(text[a:b] for a, b in cluster)
    shape = tuple(b - a for a, b in cluster)
    gaps = [text[cluster[k][1] : cluster[k + 1][0]] for k in range(len(cluster) - 1)]
    before = text[max(0, start - _CONTEXT) : start]
    # With +47 / 0047 in front it is a phone number whatever the grouping.
    plus = _PLUS_BEFORE.search(before)
    prefix = _PREFIX_BEFORE.search(before)
    subscriber = None
    if plus and digits.startswith("47"):
        subscriber, start = digits[2:], start - len(plus.group())
    elif digits.startswith("0047") and not _GLUED_BEFORE.search(before):
        subscriber = digits[4:]
    elif prefix:
        subscriber, start = digits, start - len(prefix.group())
    if subscriber is not None:
        return (start, end) if len(subscriber) == 8 and subscriber[0] in "23456789" else None
    if len(digits) != 8 or digits[0] in "01":
        return None
    if _NOT_A_PHONE_BEFORE.search(before) or _GLUED_BEFORE.search(before):
        return None
    if _GLUED_AFTER.match(text, end):
        return None
    if _PHONE_WORD_BEFORE.search(before):
        return (start, end) if shape in _ANNOUNCED_SHAPES and not _years(digits) else None
    # Without either, only shapes that are hardly anything else. A bare 8-digit run starting
    # with 4 or 9 is a mobile number; one starting with 2, 3, 5, 6 or 7 may be a date (20240312,
    # 31122024), so landlines are refused only when grouped like a phone number: 3-2-3 or 2-2-2-2
    # with one kind of separator. Dates with separators (12.03.2024, 2024-03-12) have other
    # shapes, time spans ("20.30 - 22.15") mix their separators.
    if digits[0] in "49":
        if shape in _MOBILE_SHAPES or (shape == (4, 4) and not gaps[0].strip(" ")):
            return start, end
        return None
    if digits[0] != "8" and shape in _LANDLINE_SHAPES and _consistent(gaps):
        return start, end
    return None


# --- E-mail ------------------------------------------------------------------------------------
# The address's parts as people write them to get past a filter: "(at)", "[at]", " at ",
# "krøllalfa"; "(dot)", " dot ", "punktum". Domains may be international ("sykehuset-ålesund.no").
_AT_WORDS = r"(?i:at|krøllalfa|alfakrøll)"
_DOT_WORDS = r"(?i:dot|punktum|prikk)"
_OPEN, _CLOSE = r"[(\[{<]", r"[)\]}>]"
_DOT_HIDDEN = rf"(?:\s*{_OPEN}\s*{_DOT_WORDS}\s*{_CLOSE}\s*|\s+{_DOT_WORDS}\s+)"
_DOT = rf"(?:\.|{_DOT_HIDDEN})"
_LOCAL = r"(?<![\w.+\-])(?P<local>[\w+\-]+(?:\.[\w+\-]+)*)"
_DOMAIN = rf"[\w\-]+(?:{_DOT}[\w\-]+)*{_DOT}(?P<tld>[^\W\d_]{{2,24}})(?![\w\-])"
# "@" itself, with or without spaces round it, or a bracketed "at": the address is plain.
_EMAIL = re.compile(rf"{_LOCAL}\s*(?:@|{_OPEN}\s*(?:{_AT_WORDS}|@)\s*{_CLOSE})\s*{_DOMAIN}")
# "at" as a word is also Norwegian ("han sa at nav.no var nede") and English ("look at it"):
# only with a hidden dot in the domain ("ola at example dot no"), or with a local part that no
# word has ("ola.nordmann at example.no").
_EMAIL_AT_WORD_HIDDEN_DOT = re.compile(
    rf"{_LOCAL}\s+{_AT_WORDS}\s+[\w\-]+(?:{_DOT}[\w\-]+)*{_DOT_HIDDEN}"
    rf"(?P<tld>[^\W\d_]{{2,24}})(?![\w\-])"
)
_EMAIL_AT_WORD = re.compile(rf"{_LOCAL}\s+{_AT_WORDS}\s+{_DOMAIN}")
_NOT_A_WORD = re.compile(r"[._+\-0-9]")


def _emails(text: str) -> Iterator[re.Match[str]]:
    yield from _EMAIL.finditer(text)
    yield from _EMAIL_AT_WORD_HIDDEN_DOT.finditer(text)
    for match in _EMAIL_AT_WORD.finditer(text):
        if _NOT_A_WORD.search(match.group("local")):
            yield match


def _mask_email(original: str, norm: Normalised, start: int, tld: tuple[int, int]) -> str:
    """Keep the first letter and the top-level domain as written: "o•••@•••.no"."""
    first_start, first_end = norm.source(start)
    tld_start, tld_end = norm.original(*tld)
    return f"{original[first_start:first_end]}{MASK * 3}@{MASK * 3}.{original[tld_start:tld_end]}"


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
    taken = _Spans(found)
    for title in _TITLE.finditer(text):
        word = _WORD.match(text, title.end())
        surname = word and (_is_surname(word.group()) or word.group().lower() in _SURNAMES)
        if word and surname and taken.add(title.start(), word.end()):
            found.append((title.start(), word.end()))
    return sorted(found)


# --- Masking and the public function ---------------------------------------------------------
_JOINER = "\n"  # between fields, when their texts are read together


class _Spans:
    """Spans that do not overlap, kept sorted: whether a new one overlaps any is a bisection, so
    a text with thousands of findings is not checked pair by pair."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()):
        self.starts: list[int] = []
        self.ends: list[int] = []
        for start, end in spans:
            self.add(start, end)

    def overlaps(self, start: int, end: int) -> bool:
        index = bisect.bisect_right(self.starts, start)
        before = index > 0 and self.ends[index - 1] > start
        return before or (index < len(self.starts) and self.starts[index] < end)

    def add(self, start: int, end: int) -> bool:
        """Add the span unless it overlaps one already there; whether it was added."""
        if self.overlaps(start, end):
            return False
        index = bisect.bisect_right(self.starts, start)
        self.starts.insert(index, start)
        self.ends.insert(index, end)
        return True


def _mask_number(original: str, norm: Normalised, start: int, end: int, shown: int = 2) -> str:
    """What the reporter wrote for normalised [start, end), every digit masked but the first
    `shown`, separators kept, invisible characters left out: "01•••• •••••"."""
    out: list[str] = []
    seen, index = 0, start
    while index < end:
        source = norm.source(index)
        after = index + 1
        while after < end and norm.source(after) == source:
            after += 1
        digits = sum("0" <= char <= "9" for char in norm.text[index:after])
        seen += digits
        written = original[source[0] : source[1]]
        out.append(written if not digits or seen <= shown else MASK * digits)
        index = after
    return "".join(out)


# (kind, start, end, the top-level domain of an e-mail address), in normalised offsets.
_Refusal = tuple[str, int, int, tuple[int, int] | None]


def _refusals(text: str, numbers: Sequence[_Number]) -> list[_Refusal]:
    """Everything in one field's text that must be refused. Identity numbers come from the
    caller: they may span fields."""
    found: list[_Refusal] = []
    taken = _Spans()

    def add(kind: str, start: int, end: int, tld: tuple[int, int] | None = None) -> None:
        if taken.add(start, end):
            found.append((kind, start, end, tld))

    for number in numbers:
        add(number.kind, number.start, number.end)
    for match in _emails(text):
        add("email", match.start(), match.end(), match.span("tld"))
    for cluster in _clusters(text):
        span = _phone_span(text, cluster)
        if span:
            add("phone", *span)
            continue
        # Numbers listed one after the other ("91234567 41234567") make one cluster: an
        # eight-digit group in it is also read on its own.
        for run in cluster if len(cluster) > 1 else ():
            if run[1] - run[0] == 8 and (span := _phone_span(text, [run])):
                add("phone", *span)
    return sorted(found, key=lambda f: f[1])


# One part of a number that spans fields: the field and the digit runs in it.
_Part = tuple[str, tuple[tuple[int, int], ...]]


def _identity_numbers_by_field(
    normals: dict[str, Normalised],
) -> tuple[dict[str, list[_Number]], list[tuple[str, list[_Part]]]]:
    """Identity numbers in the fields read one after the other: those inside one field, by
    field, and those whose parts stand in different fields."""
    fields = [field for field, norm in normals.items() if norm.text]
    offsets, position = [], 0
    for field in fields:
        offsets.append(position)
        position += len(normals[field].text) + len(_JOINER)
    joined = _JOINER.join(normals[field].text for field in fields)
    inside: dict[str, list[_Number]] = {field: [] for field in normals}
    across: list[tuple[str, list[_Part]]] = []
    for number in _identity_numbers(joined):
        parts: dict[str, list[tuple[int, int]]] = {}
        for start, end in number.runs:
            owner = bisect.bisect_right(offsets, start) - 1
            shift = offsets[owner]
            parts.setdefault(fields[owner], []).append((start - shift, end - shift))
        if len(parts) == 1:
            ((field, runs),) = parts.items()
            inside[field].append(_Number(number.kind, tuple(runs)))
        else:
            across.append((number.kind, [(f, tuple(runs)) for f, runs in parts.items()]))
    return inside, across


def _listing(labels: list[str]) -> str:
    quoted = [f"«{label}»" for label in labels]
    return f"{', '.join(quoted[:-1])} {_('og')} {quoted[-1]}"


def check(fields: dict[str, str], labels: dict[str, str] | None = None) -> GuardResult:
    """Check the text of every field, one by one and read together; see the module docstring
    for what is refused or warned."""
    labels = {name: str(label) for name, label in (labels or {}).items()}
    texts = {field: "" if value is None else str(value) for field, value in fields.items()}
    normals = {field: normalise(text) for field, text in texts.items()}
    inside, across = _identity_numbers_by_field(normals)
    errors: list[Finding] = []
    warnings: list[Finding] = []
    templates = {kind: str(message) for kind, message in MESSAGES.items()}  # translated once

    def label(field: str) -> str:
        return labels.get(field, field)

    def finding(field: str, kind: str, start: int, end: int, excerpt: str) -> Finding:
        message = templates[kind] % {"label": label(field), "excerpt": excerpt}
        return Finding(field, kind, start, end, excerpt, message)

    for field, text in texts.items():
        norm = normals[field]
        for kind, start, end, tld in _refusals(norm.text, inside[field]):
            if tld:
                excerpt = _mask_email(text, norm, start, tld)
            else:
                excerpt = _mask_number(text, norm, start, end)
            errors.append(finding(field, kind, *norm.original(start, end), excerpt))
        for start, end in _names(text):
            warnings.append(finding(field, "name", start, end, text[start:end]))
    errors += _split_findings(across, texts, normals, label, errors)
    order = {field: index for index, field in enumerate(texts)}
    errors.sort(key=lambda f: (order[f.field], f.start))
    return GuardResult(errors=tuple(errors), warnings=tuple(warnings))


def _split_findings(
    across: list[tuple[str, list[_Part]]],
    texts: dict[str, str],
    normals: dict[str, Normalised],
    label: Callable[[str], str],
    taken: list[Finding],
) -> list[Finding]:
    """One finding per field that holds a part of a number spanning fields, all with the same
    message naming every field involved."""
    findings: list[Finding] = []
    for kind, parts in across:
        excerpts, spans, shown = [], [], 2
        for field, runs in parts:
            norm = normals[field]
            start, end = runs[0][0], runs[-1][1]
            excerpts.append(_mask_number(texts[field], norm, start, end, shown))
            spans.append(norm.original(start, end))
            shown = max(0, shown - sum(b - a for a, b in runs))
        message = str(SPLIT_MESSAGE) % {
            "labels": _listing([label(field) for field, _runs in parts]),
            "number": NUMBER_NAMES[kind],
            "excerpt": " … ".join(excerpts),
        }
        for (field, _runs), span, excerpt in zip(parts, spans, excerpts, strict=True):
            already = _Spans((f.start, f.end) for f in taken if f.field == field)
            if not already.overlaps(*span):
                findings.append(Finding(field, kind, span[0], span[1], excerpt, message))
    return findings
