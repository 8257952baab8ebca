"""The privacy guard against generated text: valid identity, phone and e-mail spellings the way
people type them (any separators, digits of any script, invisible characters, O and l for 0 and 1,
split over words and fields) are refused; dates, times, HER ids, case numbers, doses,
organisation numbers and other harmless numbers pass.

The examples are derandomised so a run is repeatable; GUARD_EXAMPLES=5000 searches harder (and at
random)."""

import datetime
import os
import re
import unicodedata
from itertools import combinations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from stdnum.no import fodselsnummer, orgnr

from helsefellesskap.deviations import guard

EXAMPLES = int(os.environ.get("GUARD_EXAMPLES", "0")) or None
GUARD_SETTINGS = settings(
    max_examples=EXAMPLES or 120,
    deadline=None,
    database=None,
    derandomize=EXAMPLES is None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# --- Identity numbers --------------------------------------------------------------------------
# stdnum's own century rules: individual numbers 000-499 are 1900-1999, 500-999 are 2000-2039
# (and 900-999 also 1940-1999).
TODAY = datetime.date.today()


@st.composite
def identity_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(kind, 11 digits) of a valid fødselsnummer, D, H or FH number."""
    kind = draw(st.sampled_from(["national_id", "d_number", "h_number", "fh_number"]))
    if kind == "fh_number":
        body = draw(st.sampled_from("89")) + draw(st.text("0123456789", min_size=8, max_size=8))
    else:
        born = draw(st.dates(datetime.date(1900, 1, 1), TODAY - datetime.timedelta(days=1)))
        if born.year >= 2000:
            individual = draw(st.integers(500, 999))
        else:
            individual = draw(
                st.integers(0, 499) | st.integers(900, 999)
                if born.year >= 1940
                else st.integers(0, 499)
            )
        day = born.day + (40 if kind == "d_number" else 0)
        month = born.month + (40 if kind == "h_number" else 0)
        body = f"{day:02d}{month:02d}{born.year % 100:02d}{individual:03d}"
    first = fodselsnummer.calc_check_digit1(body)
    assume(first != "10")
    second = fodselsnummer.calc_check_digit2(body + first)
    assume(second != "10")
    number = body + first + second
    assert kind == "fh_number" or fodselsnummer.is_valid(number)
    return kind, number


# Where the groups of a written identity number may end: after dd, mm, yy and the individual
# number. Not 4+2+5, the shape of a bank account number.
ACCOUNT_NUMBER = [4, 6]
ID_GROUPINGS = [
    set(chosen)
    for size in range(5)
    for chosen in combinations((2, 4, 6, 9), size)
    if list(chosen) != ACCOUNT_NUMBER
]
SEPARATORS = [
    " ", "  ", "\t", "\n", "\u00a0", "\u202f", "\u2009", "\u3000", "\u200b", "\u200d", "\u2060",
    "\ufeff", "\u00ad", "/", "-", "\u2010", "\u2011", "\u2013", "\u2014", "\u2212", "_", ",",
    ", ", ".", ". ", " - ", " / ", ":", "|", "*", "+", "#", "~", "(", ") ", "'", " \u200b ",
]  # fmt: skip


def _no_letters_or_digits(text: str) -> bool:
    return not any(char.isalnum() for char in unicodedata.normalize("NFKC", text))


# Any short run of punctuation, symbols, spaces and invisible characters, as well as the common
# ones above.
any_separator = st.sampled_from(SEPARATORS) | st.text(
    st.characters(categories=["Zs", "Pd", "Po", "Ps", "Pe", "Sm", "So", "Sk", "Cf", "Mn"]),
    min_size=1,
    max_size=3,
).filter(lambda sep: _no_letters_or_digits(sep) and len(unicodedata.normalize("NFKC", sep)) < 8)

# 0 in other scripts: full-width, Arabic-Indic, Persian, Devanagari, Bengali, Thai, mathematical.
ZEROS = [
    "0",
    "\uff10",
    "\u0660",
    "\u06f0",
    "\u0966",
    "\u09e6",
    "\u0e50",
    "\U0001d7ce",
    "\U0001d7ec",
]
LOOK_ALIKES = {"0": "OoО", "1": "lI"}


@st.composite
def typed_digits(draw: st.DrawFn, digits: str, letters: bool = True) -> str:
    """The digits typed one by one in any script, 0 and 1 sometimes as letters, zero-width
    characters sometimes in between. A group always keeps one real digit: a group typed
    entirely in letters is a word."""
    zero = draw(st.sampled_from(ZEROS))
    typed = []
    for index, digit in enumerate(digits):
        as_letter = letters and digit in LOOK_ALIKES and index > 0 and draw(st.booleans())
        if as_letter:
            typed.append(draw(st.sampled_from(LOOK_ALIKES[digit])))
        else:
            typed.append(chr(ord(zero) + int(digit)) if draw(st.integers(0, 3)) else digit)
        if draw(st.integers(0, 9)) == 0:
            typed.append(draw(st.sampled_from(["\u200b", "\u200d", "\u2060", "\u00ad"])))
    return "".join(typed)


@st.composite
def spelled_number(draw: st.DrawFn, number: str, groups: set[int]) -> str:
    ends = sorted(groups) + [len(number)]
    parts, start = [], 0
    for end in ends:
        parts.append(draw(typed_digits(number[start:end])))
        start = end
    spelled = parts[0]
    for part in parts[1:]:
        spelled += draw(any_separator) + part
    return spelled


BEFORE = ["", "Pasienten ", "fnr. ", "Gjelder pasient med fødselsnummer ", "(", "«", "Pas: "]
AFTER = ["", ".", " ble sendt hjem.", ")", "»", ", og ble sendt hjem"]
# Words between the birth date and the personal number: joining words after a date typed as one
# group, words that name the number after any date.
NAMING_WORDS = [", personnr ", " pnr. ", " personnummer: ", ", fnr ", " og D-nummer ", " nr. "]
OTHER_WORDS = [" og ", ", og ", " og så ", " samt ", " - og - "]


@given(identity_numbers(), st.sampled_from(ID_GROUPINGS), st.data())
@GUARD_SETTINGS
def test_an_identity_number_is_refused_however_it_is_typed(number, groups, data):
    kind, digits = number
    spelled = data.draw(spelled_number(digits, groups))
    assume(_groups_as_seen(spelled) != ACCOUNT_NUMBER)  # an invisible separator made it one
    before, after = data.draw(st.sampled_from(BEFORE)), data.draw(st.sampled_from(AFTER))
    text = f"{before}{spelled}{after}"
    findings = guard.check({"text": text}).errors
    assert [f.kind for f in findings] == [kind], text
    (finding,) = findings
    outside = guard.normalise(text[: finding.start] + text[finding.end :]).text
    assert not any(char.isdigit() for char in outside), text  # the span covers the number
    visible = guard.normalise(finding.excerpt).text
    assert sum(char.isdigit() for char in visible) <= 2, finding.excerpt


@given(identity_numbers(), st.data())
@GUARD_SETTINGS
def test_an_identity_number_split_over_words_is_refused(number, data):
    kind, digits = number
    if data.draw(st.booleans()):
        date = data.draw(typed_digits(digits[:6]))
        words = data.draw(st.sampled_from(NAMING_WORDS + OTHER_WORDS))
    else:
        date = data.draw(spelled_number(digits[:6], {2, 4}))
        words = data.draw(st.sampled_from(NAMING_WORDS))
    rest = data.draw(spelled_number(digits[6:], data.draw(st.sampled_from([set(), {3}]))))
    text = f"Født {date}{words}{rest}"
    assert [f.kind for f in guard.check({"text": text}).errors] == [kind], text


@given(identity_numbers(), st.sampled_from(ID_GROUPINGS), st.data())
@GUARD_SETTINGS
def test_an_identity_number_split_over_two_fields_is_refused_in_both(number, groups, data):
    kind, digits = number
    spelled = data.draw(spelled_number(digits, groups | {6}))
    cut = data.draw(st.sampled_from(sorted(groups | {6})))
    head = spelled[: _position_of_digit(spelled, cut)].rstrip()
    tail = spelled[len(head) :]
    assume(_groups_as_seen(f"{head}\n{tail}") != ACCOUNT_NUMBER)
    fields = {"description": f"Pasienten født {head}", "immediate_action": f"{tail} ringte"}
    result = guard.check(fields, {"description": "Hva skjedde?", "immediate_action": "Tiltak"})
    assert {f.field for f in result.errors} == set(fields), fields
    assert {f.kind for f in result.errors} == {kind}
    assert all("«Hva skjedde?» og «Tiltak»" in f.message for f in result.errors)


def _groups_as_seen(spelled: str) -> list[int]:
    """Where the groups end once invisible characters are gone."""
    ends, total = [], 0
    for run in re.findall(r"[0-9]+", guard.normalise(spelled).text):
        total += len(run)
        ends.append(total)
    return ends[:-1]


def _position_of_digit(spelled: str, count: int) -> int:
    """The index just after the `count`-th digit of the spelled number."""
    seen = 0
    for index, char in enumerate(guard.normalise(spelled).text):
        seen += char.isdigit()
        if seen == count:
            return guard.normalise(spelled).source(index)[1]
    raise AssertionError(spelled)


# --- Phone numbers -----------------------------------------------------------------------------
PHONE_SEPARATORS = [" ", "  ", "\u00a0", "\u202f", "\u2009", "\t", "-", "\u2013", ".", " - "]
PHONE_WORDS = ["tlf. ", "Tlf: ", "telefon ", "mobil ", "Ring ", "ringte fra ", "Ring datteren på "]
PREFIXES = ["+47 ", "+47", "0047 ", "(+47) ", "+\uff14\uff17 "]


@st.composite
def spelled_phone(draw: st.DrawFn, digits: str, shape: tuple[int, ...], spaces: bool) -> str:
    separator = st.sampled_from([" ", "  ", "\u00a0", "\u3000"] if spaces else PHONE_SEPARATORS)
    parts, start = [], 0
    for size in shape:
        parts.append(draw(typed_digits(digits[start : start + size], letters=False)))
        start += size
    return "".join(
        part + (draw(separator) if k < len(parts) - 1 else "") for k, part in enumerate(parts)
    )


phone_shapes = st.sampled_from([(8,), (3, 2, 3), (2, 2, 2, 2), (4, 4)])


@given(
    st.sampled_from("49"), st.text("0123456789", min_size=7, max_size=7), phone_shapes, st.data()
)
@GUARD_SETTINGS
def test_a_mobile_number_is_refused_however_it_is_typed(first, rest, shape, data):
    digits = first + rest
    spelled = data.draw(spelled_phone(digits, shape, spaces=shape == (4, 4)))
    before = data.draw(
        st.sampled_from(["", "Datter har ", "Nr til sønnen: "] + PHONE_WORDS + PREFIXES)
    )
    text = f"{before}{spelled} ved spørsmål"
    assert [f.kind for f in guard.check({"text": text}).errors] == ["phone"], text


@given(
    st.sampled_from("23567"), st.text("0123456789", min_size=7, max_size=7), phone_shapes, st.data()
)
@GUARD_SETTINGS
def test_a_landline_is_refused_when_the_text_says_phone(first, rest, shape, data):
    digits = first + rest
    assume(not (digits[:2] in ("19", "20") and digits[4:6] in ("19", "20")))  # "2019 2020"
    spelled = data.draw(spelled_phone(digits, shape, spaces=False))
    before = data.draw(st.sampled_from(PHONE_WORDS + PREFIXES))
    text = f"{before}{spelled}."
    assert [f.kind for f in guard.check({"text": text}).errors] == ["phone"], text


# --- E-mail ------------------------------------------------------------------------------------
label = st.from_regex(r"\A[a-zæøå0-9](?:[a-zæøå0-9-]{0,8}[a-zæøå0-9])?\Z")
local_part = st.from_regex(r"\A[a-zæøå][a-zæøå0-9]{0,6}(?:[._+-][a-zæøå0-9]{1,6})?\Z")
SIGNS = ["@", " @ ", "@ ", "\uff20", "\ufe6b", "(at)", " (at) ", "[at]", " [at] ", "{at}", " (AT) "]
DOTS = [".", " (dot) ", "(dot)", " [dot] ", " dot ", " DOT ", " punktum "]
HIDDEN_DOTS = DOTS[1:]


@given(
    local_part,
    st.lists(label, min_size=1, max_size=3),
    st.sampled_from(["no", "com", "org", "se", "nå"]),
    st.data(),
)
@GUARD_SETTINGS
def test_an_e_mail_address_is_refused_however_it_is_typed(local, labels, tld, data):
    if data.draw(st.booleans()):
        at = data.draw(st.sampled_from(SIGNS))
        dots = [data.draw(st.sampled_from(DOTS)) for _ in labels]
    else:  # "at" as a word only counts with a hidden dot ("ola at example dot no")
        at = data.draw(st.sampled_from([" at ", " AT ", " krøllalfa "]))
        dots = [data.draw(st.sampled_from(DOTS)) for _ in labels[:-1]]
        dots.append(data.draw(st.sampled_from(HIDDEN_DOTS)))
    domain = "".join(f"{name}{dot}" for name, dot in zip(labels, dots, strict=True)) + tld
    text = f"Skriv til {local}{at}{domain} for svar"
    findings = guard.check({"text": text}).errors
    assert [f.kind for f in findings] == ["email"], text
    assert findings[0].excerpt == f"{local[0]}•••@•••.{tld}"


# --- Harmless look-alikes ----------------------------------------------------------------------
MONTHS = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
          "oktober", "november", "desember"]  # fmt: skip
days = st.dates(datetime.date(1990, 1, 1), datetime.date(2035, 12, 31))
times = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@st.composite
def dates(draw: st.DrawFn) -> str:
    day = draw(days)
    formats = [
        f"{day:%d.%m.%Y}", f"{day:%Y-%m-%d}", f"{day.day}/{day.month}-{day:%y}", f"{day:%d.%m.%y}",
        f"{day.day}.{day.month}.", f"{day:%d/%m/%Y}", f"{day:%d%m%Y}", f"{day:%Y%m%d}",
        f"{day.day}. {MONTHS[day.month - 1]} {day.year}", f"{day:%d.%m}",
    ]  # fmt: skip
    return draw(st.sampled_from(formats))


@st.composite
def clock_times(draw: st.DrawFn) -> str:
    start, end = draw(times), draw(times)
    formats = [
        f"kl. {start:%H:%M}", f"kl. {start:%H.%M}", f"{start:%H:%M}–{end:%H:%M}",
        f"kl. {start:%H%M}", f"kl. {start:%H.%M} - {end:%H.%M}", f"{start:%H:%M}",
    ]  # fmt: skip
    return draw(st.sampled_from(formats))


@st.composite
def dated_times(draw: st.DrawFn) -> str:
    return f"{draw(dates())} {draw(clock_times())}"


her_ids = st.integers(1, 999_999_999).flatmap(
    lambda n: st.sampled_from(
        [f"HER-id {n}", f"HER {n}", f"HERid: {n}", f"her-id {n}", f"HER-nr. {n}"]
    )
)
year = st.integers(1990, 2035)
case_numbers = st.tuples(year, st.integers(1, 99_999), st.integers(1, 30)).flatmap(
    lambda v: st.sampled_from(
        [
            f"sak {v[0]}/{v[1]}",
            f"Sak {v[2]:02d}/{v[0] % 100:02d}",
            f"{v[0] % 100:02d}/{v[1]:05d}-{v[2]}",
            f"ref. {v[0] % 100:02d}/{v[1]:05d}-{v[2]}",
            f"saksnr. {v[0]}{v[1]:04d}",
            f"saksnummer {v[0] % 100:02d}/{v[1]:05d}",
        ]
    )  # fmt: skip
)
doses = st.tuples(st.integers(1, 10), st.integers(1, 5000), st.integers(0, 9)).flatmap(
    lambda v: st.sampled_from(
        [
            f"{v[0]} x {v[1]} mg",
            f"{v[0]},{v[2]} mg x {v[0]}",
            f"{v[1]} IE",
            f"{v[1]} ml",
            f"{v[0]} tabletter à {v[1]} mg",
        ]
    )  # fmt: skip
)


@st.composite
def organisation_numbers(draw: st.DrawFn) -> str:
    body = draw(st.sampled_from("89")) + draw(st.text("0123456789", min_size=7, max_size=7))
    candidates = [f"{body}{d}" for d in range(10) if orgnr.is_valid(f"{body}{d}")]
    assume(candidates)
    number = candidates[0]
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    return draw(st.sampled_from([number, spaced, f"org.nr. {spaced}", f"NO {number} MVA"]))


counts = st.integers(0, 100_000).flatmap(
    lambda n: st.sampled_from([f"{n} pasienter", f"{n} minutter", f"rom {n % 1000}", f"{n} %"])
)
years = st.tuples(year, year).map(lambda y: f"i {y[0]} og {y[1]}") | year.map(
    lambda y: f"{y}–{y + 1}"
)


@st.composite
def not_identity_numbers(draw: st.DrawFn) -> str:
    digits = draw(st.text("0123456789", min_size=11, max_size=11))
    valid_fh = digits[9:] == fodselsnummer.calc_check_digit1(
        digits[:9]
    ) + fodselsnummer.calc_check_digit2(digits[:10])
    assume(not fodselsnummer.is_valid(digits) and not valid_fh)
    return draw(st.sampled_from([digits, f"{digits[:6]} {digits[6:]}"]))


harmless = st.one_of(
    dates(), clock_times(), dated_times(), her_ids, case_numbers, doses, organisation_numbers(),
    counts, years, not_identity_numbers(),
)  # fmt: skip
JOINERS = [" og ", ". Deretter ", " – pasienten ventet – ", "\n", ", og så "]


@given(st.lists(harmless, min_size=1, max_size=4), st.data())
@GUARD_SETTINGS
def test_harmless_numbers_pass(items, data):
    text = items[0]
    for item in items[1:]:
        text += data.draw(st.sampled_from(JOINERS)) + item
    result = guard.check({"description": f"Pasienten kom {text}.", "immediate_action": items[-1]})
    assert result.ok, (text, result.errors)


@given(harmless, harmless)
@GUARD_SETTINGS
def test_harmless_numbers_in_two_fields_pass(first, second):
    assert guard.check({"description": first, "immediate_action": second}).ok, (first, second)
