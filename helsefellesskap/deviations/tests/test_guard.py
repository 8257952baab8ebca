"""The privacy guard: identity numbers, phone numbers and e-mail are refused, likely names warn,
and the ordinary numbers and prose of a deviation report pass. No database needed."""

import inspect
import re
import time

import pytest

from helsefellesskap.deviations import guard
from helsefellesskap.deviations.data import norwegian_names

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    """Mod 11 as in the national register; 10 means no number can end this way."""
    return (11 - sum(w * int(d) for w, d in zip(weights, digits, strict=False))) % 11


def make_id(first_six: str, individual: int = 123) -> str:
    """The first valid 11-digit number with these six leading digits, from `individual` up.

    Written independently of stdnum so the tests do not just repeat the implementation."""
    for number in range(individual, 1000):
        body = f"{first_six}{number:03d}"
        k1 = _check_digit(body, W1)
        k2 = _check_digit(f"{body}{k1}", W2)
        if k1 < 10 and k2 < 10:
            return f"{body}{k1}{k2}"
    raise ValueError(first_six)


def broken(number: str) -> str:
    """The same number with a wrong second check digit."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def spaced(number: str) -> str:
    return f"{number[:6]} {number[6:]}"


def dotted(number: str) -> str:
    return f"{number[0:2]}.{number[2:4]}.{number[4:6]} {number[6:9]} {number[9:]}"


FNR = make_id("010190")  # 1 January 1990
FNR_2005 = make_id("150305", 500)  # born in 2005: individual numbers 500-999
D_NUMBER = make_id("410190")  # day + 40
H_NUMBER = make_id("014190")  # month + 40
FH_8 = make_id("812345")  # FH numbers start with 8 or 9 and carry no date
FH_9 = make_id("912345", 678)

CASES = [
    # --- fødselsnummer
    pytest.param(FNR, "refuse:national_id", id="fnr"),
    pytest.param(spaced(FNR), "refuse:national_id", id="fnr-spaced"),
    pytest.param(dotted(FNR), "refuse:national_id", id="fnr-dotted"),
    pytest.param(f"{FNR[:6]}-{FNR[6:]}", "refuse:national_id", id="fnr-hyphen"),
    pytest.param(f"Pasienten (fnr. {FNR}) ble sendt hjem", "refuse:national_id", id="fnr-prose"),
    pytest.param(f"født {FNR_2005}", "refuse:national_id", id="fnr-2005"),
    pytest.param(broken(FNR), "pass", id="fnr-bad-checksum"),
    pytest.param(spaced(broken(FNR)), "pass", id="fnr-bad-checksum-spaced"),
    pytest.param(dotted(broken(FNR)), "pass", id="fnr-bad-checksum-dotted"),
    pytest.param("01019012345", "pass", id="fnr-made-up"),
    # --- D, H and FH numbers
    pytest.param(D_NUMBER, "refuse:d_number", id="d-number"),
    pytest.param(spaced(D_NUMBER), "refuse:d_number", id="d-number-spaced"),
    pytest.param(broken(D_NUMBER), "pass", id="d-number-bad-checksum"),
    pytest.param(H_NUMBER, "refuse:h_number", id="h-number"),
    pytest.param(dotted(H_NUMBER), "refuse:h_number", id="h-number-dotted"),
    pytest.param(broken(H_NUMBER), "pass", id="h-number-bad-checksum"),
    pytest.param(FH_8, "refuse:fh_number", id="fh-number-8"),
    pytest.param(FH_9, "refuse:fh_number", id="fh-number-9"),
    pytest.param(f"FH-nr {spaced(FH_8)}", "refuse:fh_number", id="fh-number-spaced"),
    pytest.param(broken(FH_8), "pass", id="fh-number-bad-checksum"),
    pytest.param(broken(FH_9), "pass", id="fh-number-9-bad-checksum"),
    # --- phone numbers
    pytest.param("+47 912 34 567", "refuse:phone", id="phone-plus47-spaced"),
    pytest.param("0047 91234567", "refuse:phone", id="phone-0047"),
    pytest.param("+4791234567", "refuse:phone", id="phone-plus47"),
    pytest.param("(+47) 73 86 80 00", "refuse:phone", id="phone-plus47-brackets"),
    pytest.param("Ring 912 34 567 ved spørsmål", "refuse:phone", id="phone-3-2-3"),
    pytest.param("91 23 45 67", "refuse:phone", id="phone-2-2-2-2"),
    pytest.param("912.34.567", "refuse:phone", id="phone-dots"),
    pytest.param("Datter har 91234567", "refuse:phone", id="phone-bare-mobile-9"),
    pytest.param("41234567", "refuse:phone", id="phone-bare-mobile-4"),
    pytest.param("22 11 22 33", "refuse:phone", id="phone-landline-grouped"),
    pytest.param("tlf. 22112233", "refuse:phone", id="phone-tlf"),
    pytest.param("mob: 41234567", "refuse:phone", id="phone-mob"),
    pytest.param("Telefonnummer 73868000", "refuse:phone", id="phone-telefonnummer"),
    pytest.param("ring 7386 8000", "refuse:phone", id="phone-ring-4-4"),
    # --- e-mail
    pytest.param("ola.nordmann@example.no", "refuse:email", id="email"),
    pytest.param("Svar til post@trondheim.kommune.no.", "refuse:email", id="email-subdomain"),
    pytest.param("kari+avvik@helse-nord.no", "refuse:email", id="email-plus"),
    # --- names: warn
    pytest.param("Ola Nordmann ringte avdelingen", "warn", id="name-unlisted-surname"),
    pytest.param("Kari Hansen fikk feil medisin", "warn", id="name"),
    pytest.param("Epikrise til pasienten Per Olsen kom ikke", "warn", id="name-per"),
    pytest.param("Liv Johansen ble lagt inn", "warn", id="name-liv"),
    pytest.param("Anne-Lise Berg ble skrevet ut", "warn", id="name-double-first"),
    pytest.param("Kari Hansens datter ringte", "warn", id="name-possessive"),
    pytest.param("kari hansen ble lagt inn", "warn", id="name-lowercase"),
    pytest.param("OLA OLSEN FIKK FEIL DOSE", "warn", id="name-capitals"),
    pytest.param("Vi snakket med fru Hansen", "warn", id="title-fru"),
    pytest.param("herr Olsen ble sendt hjem", "warn", id="title-herr"),
    # --- names: pass
    pytest.param("Per telefon ble det avtalt hjemreise", "pass", id="per-preposition"),
    pytest.param("Det koster 200 kroner per døgn", "pass", id="per-lowercase"),
    pytest.param("Liv og helse står på spill", "pass", id="liv-word"),
    pytest.param("Dag 2 av innleggelsen", "pass", id="dag-word"),
    pytest.param("Finn ut hvem som har ansvaret", "pass", id="finn-word"),
    pytest.param("Kari sa at pasienten var klar", "pass", id="first-name-alone"),
    pytest.param("MELDT TIL NAV OG DPS", "pass", id="capitals-acronyms"),
    pytest.param("PER TELEFON TIL LEGEVAKTEN", "pass", id="capitals-per"),
    pytest.param("Innlagt på St. Olavs hospital", "pass", id="st-olavs"),
    pytest.param("Helse Nord-Trøndelag og Levanger sykehus", "pass", id="hnt-levanger"),
    pytest.param("Namsos kommune og Trondheim kommune", "pass", id="municipalities"),
    pytest.param("Per Helse Nord-Trøndelag sine rutiner", "pass", id="per-institution"),
    pytest.param("Per Trondheim kommunes rutiner", "pass", id="per-place"),
    pytest.param("Legevakten i Olav Tryggvasons gate", "pass", id="street"),
    # --- dates and times
    pytest.param("12.03.2024", "pass", id="date-dots"),
    pytest.param("2024-03-12", "pass", id="date-iso"),
    pytest.param("12/3-24", "pass", id="date-slash"),
    pytest.param("12032024", "pass", id="date-ddmmyyyy"),
    pytest.param("20240312", "pass", id="date-yyyymmdd"),
    pytest.param("31122024", "pass", id="date-3"),
    pytest.param("12 03 2024", "pass", id="date-spaces"),
    pytest.param("12.03.2024 kl. 14:30", "pass", id="date-time"),
    pytest.param("kl. 0830", "pass", id="time-kl"),
    pytest.param("i 2023 og 2024", "pass", id="years"),
    pytest.param("2023 2024", "pass", id="years-bare"),
    # --- case numbers and HER ids
    pytest.param("Sak 04/22", "pass", id="case"),
    pytest.param("2024/1234", "pass", id="case-year"),
    pytest.param("ref. 22/01234-3", "pass", id="case-ref"),
    pytest.param("saksnr. 41234567", "pass", id="case-8-digits"),
    pytest.param("HER-id 123456", "pass", id="her-id"),
    pytest.param("HER 8765432", "pass", id="her"),
    pytest.param("HERid: 12345678", "pass", id="herid"),
    pytest.param("HER-id 91234567", "pass", id="her-id-like-mobile"),
    pytest.param("Her-ID: 412 34 567", "pass", id="her-id-grouped-like-mobile"),
    pytest.param("Jeg er her 91234567", "refuse:phone", id="her-the-word"),
    pytest.param(
        "Sendt til HER 41234567 i stedet for riktig mottaker", "pass", id="her-like-mobile"
    ),
    # --- doses, counts and other numbers
    pytest.param("5 mg", "pass", id="dose"),
    pytest.param("2,5 mg x 3", "pass", id="dose-decimal"),
    pytest.param("1000 IE", "pass", id="dose-ie"),
    pytest.param("3 pasienter ventet 45 minutter", "pass", id="counts"),
    pytest.param("rom 412", "pass", id="room"),
    pytest.param("85 % av meldingene", "pass", id="percent"),
    pytest.param("Medisinsk avdeling, sengepost 3B", "pass", id="ward"),
    pytest.param("tlf. 12345678", "pass", id="tlf-starting-with-1"),
    pytest.param("22112233", "pass", id="bare-landline-ungrouped"),
    pytest.param(
        "Epikrisen fra sykehuset kom tre dager etter utskrivning, og kommunen fikk ikke beskjed "
        "om endret medisinering. Hjemmetjenesten oppdaget feilen ved første besøk.",
        "pass",
        id="prose",
    ),
]


def outcome(result: guard.GuardResult) -> str:
    if result.errors:
        return f"refuse:{result.errors[0].kind}"
    return "warn" if result.warnings else "pass"


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_table(text, expected):
    assert outcome(guard.check({"text": text})) == expected


def test_the_table_is_big_and_covers_every_outcome():
    expected = [case.values[1] for case in CASES]
    assert len(expected) >= 50
    kinds = {"national_id", "d_number", "h_number", "fh_number", "phone", "email"}
    assert {f"refuse:{kind}" for kind in kinds} | {"warn", "pass"} == set(expected)


def test_every_field_is_checked_and_each_finding_names_its_field():
    result = guard.check(
        {
            "what": f"Pasienten {spaced(FNR)} ble sendt hjem",
            "consequence": "Kari Hansen måtte vente",
            "measures": "Ring 912 34 567 eller skriv til ola@example.no",
            "empty": "",
        },
        labels={"what": "Hva skjedde", "consequence": "Konsekvens", "measures": "Tiltak"},
    )
    assert not result.ok
    assert not result.needs_confirmation()
    assert [(f.field, f.kind) for f in result.errors] == [
        ("what", "national_id"),
        ("measures", "phone"),
        ("measures", "email"),
    ]
    assert [(f.field, f.kind) for f in result.warnings] == [("consequence", "name")]
    assert "«Hva skjedde»" in result.errors[0].message
    assert "«Tiltak»" in result.errors[1].message
    assert "«Konsekvens»" in result.warnings[0].message


def test_offsets_point_at_the_match():
    text = f"Sendt med fnr {dotted(FNR)}, tlf. 22112233 og navnet Ola Nordmann."
    result = guard.check({"text": text})
    found = {f.kind: text[f.start : f.end] for f in result.errors + result.warnings}
    assert found == {"national_id": dotted(FNR), "phone": "22112233", "name": "Ola Nordmann"}


def test_messages_use_the_label_and_the_masked_excerpt():
    result = guard.check({"what": FNR}, labels={"what": "Hva skjedde"})
    (finding,) = result.errors
    assert finding.excerpt == "01" + "•" * 9
    expected = guard.MESSAGES["national_id"] % {"label": "Hva skjedde", "excerpt": finding.excerpt}
    assert finding.message == str(expected)
    assert finding.message == (
        "Feltet «Hva skjedde» ser ut til å inneholde et fødselsnummer («01•••••••••»). "
        "Fjern det før du sender."
    )


def test_name_message_asks_for_pasienten_or_confirmation():
    result = guard.check({"what": "Ola Nordmann falt"}, labels={"what": "Hva skjedde"})
    assert result.ok
    assert result.needs_confirmation()
    (finding,) = result.warnings
    assert finding.excerpt == "Ola Nordmann"
    assert finding.message == (
        "Feltet «Hva skjedde» inneholder det som kan være et navn («Ola Nordmann»). "
        "Skriv «pasienten» i stedet, eller bekreft at det ikke er en person."
    )


def test_field_name_is_the_label_when_no_label_is_given():
    (finding,) = guard.check({"comment": "ola@example.no"}).errors
    assert finding.excerpt == "o•••@•••.no"
    assert "«comment»" in finding.message


@pytest.mark.parametrize("number", [FNR, D_NUMBER, H_NUMBER, FH_8, FH_9, FNR_2005])
@pytest.mark.parametrize("written", [str, spaced, dotted])
def test_excerpt_never_contains_the_identity_number(number, written):
    (finding,) = guard.check({"text": f"Gjelder {written(number)}."}).errors
    assert len(re.sub(r"\D", "", finding.excerpt)) == 2
    assert number not in finding.excerpt
    assert number not in finding.message
    assert finding.excerpt.startswith(number[:2])


def test_phone_excerpt_is_masked():
    (finding,) = guard.check({"text": "Ring 912 34 567"}).errors
    assert finding.excerpt == "91• •• •••"


def test_clean_result():
    result = guard.check({"a": "Pasienten fikk 5 mg", "b": None}, labels=None)
    assert result.ok
    assert not result.needs_confirmation()
    assert result == guard.GuardResult(errors=(), warnings=())


def test_long_and_hostile_input_is_checked_quickly():
    # The patterns anchor their start so that long runs cannot make the search quadratic.
    texts = {
        "letters": "a" * 200_000,
        "digits": "1" * 200_000,
        "spaced digits": "1 " * 100_000,
        "names": "Per " * 50_000,
        "report": "Pasienten ble sendt fra Levanger sykehus til Namsos kommune. " * 3_000,
    }
    started = time.perf_counter()
    result = guard.check(texts)
    assert result.ok
    assert time.perf_counter() - started < 5  # generous; it takes well under a second


def test_name_lists_are_copied_from_faker_and_need_no_faker():
    from faker.providers.person.no_NO import Provider

    assert Provider.first_names_male == norwegian_names.FIRST_NAMES_MALE
    assert Provider.first_names_female == norwegian_names.FIRST_NAMES_FEMALE
    assert Provider.last_names == norwegian_names.SURNAMES
    assert "faker" not in inspect.getsource(guard).lower()
    assert "import faker" not in inspect.getsource(norwegian_names).lower()
