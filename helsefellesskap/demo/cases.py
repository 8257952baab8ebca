"""Demo data for cases, meetings and decisions.

For Helsefellesskapet i nordre Trøndelag: the joint PSU/ASU meeting of 30 March 2022 from the
source documents (seeds/002), where PSU adopted the action plan 2022–2025 on ASU's recommendation
(«Sak 04/22») and the community's input to the national health and collaboration plan
(«Sak 05/22»), with the cases before them. For both communities: a year of synthetic cases and
meetings up to today and two months ahead: AU every two or three weeks routing each case, ASU about
every six weeks, PSU every three months (some joint with ASU), a few council meetings; decisions
that follow the rules of section 5.2 of the collaboration agreement (authority.py), a revised
agreement under ratification by the parties, follow-ups, and one case shielded under
offentleglova § 13.

Everything is built through the services in `services.py`, with the ORM only where they cannot
do what a demo needs: cases of other years than the current one (`_Builder.case`), dates in the
past (`created_at`, `routed_at`), a minutes case on the standard minutes item
(`_link_minutes_case`), the roll call of meetings before the organisation's terms
(`_fill_roll_call`), the follow-up item on agendas that already have cases, and «present» for
everyone not absent (one update). The text is synthetic: it names no real person and holds no
patient data. Deterministic (`random.Random` seeded per community) and idempotent: a community that
has cases is left alone. Load the action plans first, so follow-ups link to their measures."""

import datetime
import random
from dataclasses import dataclass
from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from helsefellesskap.actionplan.models import Measure
from helsefellesskap.cases import services
from helsefellesskap.cases.models import (
    AgendaItem,
    Attendance,
    Case,
    CasePaper,
    DecisionKind,
    FollowUp,
    Meeting,
    Ratification,
    Treatment,
    Vote,
)
from helsefellesskap.organisation.models import Body, Community, Membership, Party, Person

Outcome = Treatment.Outcome
Role = Membership.Role
T = Case.Type
K = DecisionKind
DAY = datetime.timedelta(days=1)
EXEMPTION = "offentleglova § 13"
MON, TUE, WED, THU, FRI = range(5)

SECRETARIAT_EMAILS = {
    "nordre-trondelag": "sekretariat.hnt@example.no",
    "st-olavs": "sekretariat.stolav@example.no",
}
LOCATIONS = {
    "nordre-trondelag": [
        "Levanger, sykehuset",
        "Steinkjer rådhus",
        "Namsos, sykehuset",
        "Stjørdal",
    ],
    "st-olavs": [
        "St. Olavs hospital, Trondheim",
        "Melhus rådhus",
        "Orkanger, Orkland rådhus",
        "Trondheim, Leüthenhaven",
    ],
}
# The councils that meet in the synthetic year (each about every three months).
COUNCILS = {
    "nordre-trondelag": ["fagrad-1", "fagrad-2", "fagrad-4"],
    "st-olavs": ["fagrad-pasientsamarbeid", "fagrad-digital-samhandling", "fagrad-akuttmedisin"],
}

DISCUSSIONS = [
    "Saken ble lagt fram av sekretariatet. Flere medlemmer understreket behovet for felles "
    "forståelse på tvers av nivåene.",
    "Representantene for kommunene og helseforetaket ga sine innspill. Brukerrepresentanten ba om "
    "at erfaringene fra pasienter og pårørende tas med videre.",
    "Fastlegerepresentanten pekte på at rutinene også må gjøres kjent på legekontorene.",
    "Det ble stilt spørsmål om ressursbruk i de minste kommunene. Sekretariatet følger opp.",
    "Leder oppsummerte at det er bred enighet om retningen i saken.",
]
ANY_OTHER = [
    "Ingen saker under eventuelt.",
    "Ingen saker under eventuelt.",
    "Sekretariatet minnet om påmelding til årlig temadag.",
    "Kort orientering om kapasitetssituasjonen på sykehuset og i kommunene.",
    "Sekretariatet orienterte om oppdateringer på samhandlingssidene.",
]
STEP_PHRASE: dict[str, str] = {
    Outcome.RECOMMENDED: "innstilling",
    Outcome.DECIDED: "vedtak",
    Outcome.NOTED: "orientering",
    Outcome.DISCUSSED: "drøfting",
}


@dataclass(frozen=True)
class Template:
    """A synthetic case. `day` is when it is registered, counted from today (negative: in the
    past); AU routes it in its next meeting to the bodies of `chain` in turn, each step as
    «body-slug:outcome». Titles and decisions may use {year} (the year of registration), {prev},
    {next} and {coming} (the year of registration, or the next one from October)."""

    day: int
    title: str
    chain: str = "asu:noted"
    type: str = T.INFORMATION
    kind: str = ""
    decision: str = ""
    by: str = "sekretariatet"
    description: str = ""
    follow_ups: tuple = ()  # (text, owner body slug, measure code or "")
    against: int = 0  # votes against in the deciding step, with `dissent`
    dissent: str = ""
    exempt: bool = False
    public_title: str = ""
    withdrawn: bool = False
    routed: bool = True


HNT = [
    Template(
        -385,
        "Statsbudsjettet {coming}: konsekvenser for helsefellesskapet",
        "psu:noted",
        description="Sekretariatet orienterer om forslaget til statsbudsjett for kommunene og "
        "helseforetakene.",
    ),
    Template(
        -382,
        "Status for tiltakene i handlingsplanen – rapport fra fagrådene",
        description="Fagrådene rapporterer status for sine tiltak før den årlige revisjonen.",
    ),
    Template(
        -352,
        "Styringsinformasjon høsten {year}: utskrivningsklare pasienter og reinnleggelser per "
        "kommuneregion",
        description="Sekretariatet legger fram halvårlig styringsinformasjon for de prioriterte "
        "pasientgruppene, med tall per kommuneregion.",
    ),
    Template(
        -340,
        "Revidert prosedyre for samarbeid om utskrivningsklare pasienter",
        "fagrad-1:recommended asu:decided",
        T.DECISION,
        K.GUIDELINE_REVISION,
        "ASU vedtar revidert prosedyre for samarbeid om utskrivningsklare pasienter. Prosedyren "
        "gjelder fra første dag i måneden etter vedtaket og publiseres på samhandlingssidene.",
        by="fagrad-1",
        description="Fagråd 1 har revidert prosedyren etter erfaringer med varsling og "
        "overføring av utskrivningsklare pasienter.",
        follow_ups=(
            (
                "Revidert prosedyre publiseres og gjøres kjent i kommunene og ved HNT.",
                "sekretariatet",
                "",
            ),
            (
                "Fagråd 1 evaluerer prosedyren etter seks måneder og rapporterer til ASU.",
                "fagrad-1",
                "2 a)",
            ),
        ),
    ),
    Template(
        -330,
        "Revidert samarbeidsavtale mellom Helse Nord-Trøndelag HF og kommunene",
        "asu:recommended psu:recommended",
        T.DECISION,
        K.AGREEMENT,
        "PSU anbefaler at kommunestyrene og styret i Helse Nord-Trøndelag HF vedtar revidert "
        "samarbeidsavtale med retningslinjer.",
        by="Forhandlingsutvalget for samarbeidsavtalen",
        description="Forhandlingsutvalget legger fram forslag til revidert samarbeidsavtale: "
        "tydeligere vedtaksmyndighet for ASU og PSU, handlingsplanen som del av avtaleverket og "
        "ny retningslinje for barn og unge.",
    ),
    Template(
        -318,
        "Fordeling av samhandlingsmidler {coming}",
        "asu:recommended psu:decided",
        T.DECISION,
        K.FUNDS,
        "PSU fordeler samhandlingsmidlene for {coming} som i saksframlegget: felles "
        "hospiteringsprosjekt, felles fagdager og årlig temadag. Vedtaket er enstemmig og regnes "
        "som enighet mellom kommunene og HNT.",
        description="Midler stilt til rådighet for helsefellesskapet fordeles etter "
        "tildelingskriteriene for rekrutterings- og samhandlingstilskudd.",
        follow_ups=(("Tilsagnsbrev sendes prosjekteierne.", "sekretariatet", ""),),
    ),
    Template(
        -305,
        "Legevaktsamarbeid i Namdalen – status og videre organisering",
        "fagrad-4:discussed asu:discussed",
        T.DISCUSSION,
        by="fagrad-4",
        description="Fagråd 4 har sett på bemanning, avstander og samarbeid med akuttmottaket.",
    ),
    Template(
        -298,
        "Meldingsflyt mellom sykehus og kommuner – status for PLO-meldinger",
        "fagrad-2:noted",
        by="fagrad-2",
    ),
    Template(
        -290,
        "Årsrapport for samhandlingsavvik {prev}",
        description="Årlig rapport om meldte samhandlingsavvik: volum per kategori og retning, "
        "svartider og gjennomgående tema.",
        follow_ups=(
            (
                "Temaene med flest avvik (epikrise og elektroniske meldinger) følges opp i "
                "Fagråd 1 og Fagråd 2.",
                "fagrad-1",
                "21 a)",
            ),
        ),
    ),
    Template(
        -280,
        "Rekruttering og stabilisering av sykepleiere – felles tiltak etter Operasjon Helsehelter",
        "asu:discussed psu:discussed",
        T.DISCUSSION,
        description="Drøfting av felles tiltak for å rekruttere og beholde sykepleiere i "
        "kommunene og ved HNT.",
    ),
    Template(
        -268,
        "Digital hjemmeoppfølging – erfaringer fra piloten i tre kommuner",
        "fagrad-2:noted asu:noted",
        by="fagrad-2",
        description="Fagråd 2 orienterer om erfaringene med digital hjemmeoppfølging.",
    ),
    Template(
        -255,
        "Mandat for arbeidsgruppe for helhetlige pasientforløp for skrøpelige eldre",
        "asu:decided",
        T.DECISION,
        K.OTHER,
        "ASU oppretter en arbeidsgruppe for helhetlige pasientforløp for skrøpelige eldre med "
        "mandat som i saksframlegget. Fagråd 1 følger opp arbeidet.",
        follow_ups=(
            (
                "Kommuneregionene og HNT melder inn medlemmer til arbeidsgruppen.",
                "fagrad-1",
                "1 a)",
            ),
        ),
    ),
    Template(
        -240,
        "Rullering av handlingsplanen: prioriterte tiltak for {year}–{next}",
        "asu:recommended psu:decided",
        T.DECISION,
        K.ACTION_PLAN,
        "PSU vedtar rullert handlingsplan med prioriterte tiltak for {year}–{next}.",
        description="Årlig revisjon av handlingsplanen. Fagrådene har meldt status for sine "
        "tiltak og foreslått prioriteringer.",
        follow_ups=(
            (
                "Rullert handlingsplan publiseres, og fagrådene oppdaterer status for sine tiltak.",
                "sekretariatet",
                "19 a)",
            ),
        ),
    ),
    Template(
        -225,
        "Samhandling om barn og unge – rapport fra arbeidsgruppen (BTI-modellen)",
        "fagrad-1:discussed asu:discussed",
        T.DISCUSSION,
        by="arbeidsgruppe-barn-og-unge",
        description="Arbeidsgruppen for barn og unge legger fram forslag til samhandlingsfaser "
        "etter modellen Bedre tverrfaglig innsats.",
        follow_ups=(
            (
                "Arbeidsgruppen innarbeider innspillene og legger fram endelig forslag.",
                "fagrad-1",
                "1 b)",
            ),
        ),
    ),
    Template(
        -212,
        "Årlig temadag i Helsefellesskapet – program og påmelding",
        description="Sekretariatet orienterer om program, målgruppe og påmelding.",
    ),
    Template(
        -206,
        "Felles øvelse i den akuttmedisinske kjeden – evaluering",
        "fagrad-4:discussed",
        T.DISCUSSION,
        by="fagrad-4",
    ),
    Template(
        -200,
        "Høringsuttalelse om ny legevaktstruktur i Innherred",
        "asu:recommended psu:decided",
        T.DECISION,
        K.OTHER,
        "PSU vedtar høringsuttalelsen som i saksframlegget, med tillegg om at kommunene i "
        "regionen må få tid til sin egen utredning.",
        against=2,
        dissent="To av kommunenes representanter stemte mot og mente at uttalelsen burde vente "
        "til kommunene har gjort sin egen utredning.",
    ),
    Template(
        -188,
        "Gjennomgang av alvorlig hendelse ved overføring fra sykehus til kommunal akutt døgnenhet",
        "asu:discussed",
        T.DISCUSSION,
        description="Hendelsesanalysen drøftes i lukket møte. Læringspunktene tas inn i "
        "prosedyren for overføring.",
        exempt=True,
        public_title="Gjennomgang av alvorlig hendelse (unntatt offentlighet)",
    ),
    Template(
        -176,
        "Styringsinformasjon våren {year}: liggedøgn for utskrivningsklare pasienter per 1 000 "
        "innbyggere",
        description="Halvårlig styringsinformasjon til ASU.",
        follow_ups=(
            (
                "Kommuner med økende antall liggedøgn inviteres til dialogmøte med HNT.",
                "asu",
                "1 d)",
            ),
        ),
    ),
    Template(
        -165,
        "Felles plan for høytider og ferieavvikling",
        "fagrad-4:recommended asu:decided",
        T.DECISION,
        K.OTHER,
        "ASU vedtar felles plan for høytider og ferieavvikling. Partene varsler hverandre tidlig "
        "ved redusert kapasitet.",
        by="fagrad-4",
        follow_ups=(("Planen evalueres etter neste ferieperiode.", "fagrad-4", "4 b)"),),
    ),
    Template(
        -150,
        "Dialogmeldinger mellom fastleger og sykehus – anbefalinger for bruk",
        "asu:discussed",
        T.DISCUSSION,
        by="fagrad-5",
        description="Fagråd 5 foreslår felles anbefalinger for svarfrister og bruk av "
        "dialogmeldinger.",
    ),
    Template(
        -140,
        "Helseplattformen – erfaringer og samhandlingsutfordringer",
        "fagrad-2:noted asu:noted",
        by="fagrad-2",
        description="Fast orientering om innføringen av Helseplattformen og meldingsflyten "
        "mellom sykehus og kommuner.",
    ),
    Template(
        -128,
        "Mindre endring i samarbeidsavtalen punkt 4 g): samhandlingsfunksjonalitet i nye "
        "digitale løsninger",
        "asu:recommended psu:decided",
        T.DECISION,
        K.AGREEMENT_MINOR,
        "PSU vedtar endringen i samarbeidsavtalen punkt 4 g) som i saksframlegget.",
        description="Presisering av at partene skal bidra til god samhandlingsfunksjonalitet i "
        "nye journalløsninger og andre digitale løsninger.",
    ),
    Template(
        -115,
        "Rapport fra årlig dialogmøte med brukerorganisasjonene",
        "asu:noted psu:noted",
        by="FFO Trøndelag",
        description="Oppsummering av innspill fra brukerorganisasjonene og brukerutvalgene.",
    ),
    Template(
        -100,
        "Felles hospiteringsordning mellom kommunene og HNT",
        "asu:postponed asu:decided",
        T.DECISION,
        K.OTHER,
        "ASU vedtar felles hospiteringsordning som i saksframlegget, med oppstart neste halvår.",
        follow_ups=(
            (
                "Sekretariatet lager en oversikt over hospiteringsplasser på samhandlingssidene.",
                "sekretariatet",
                "11 a)",
            ),
        ),
    ),
    Template(
        -92,
        "Innkjøp av felles videoløsning for samhandlingsmøter",
        "asu:discussed",
        T.DISCUSSION,
        description="Saken ble trukket av innsender fordi partene har tatt i bruk en nasjonal "
        "løsning.",
        withdrawn=True,
    ),
    Template(
        -80,
        "Kreftkoordinatornettverket – årsrapport",
        by="fagnettverk-kreftkoordinatorer",
        description="Nettverket orienterer om aktivitet og erfaringer siste år.",
    ),
    Template(
        -72,
        "Utskrivningsklare pasienter – erfaringer med den reviderte prosedyren",
        "fagrad-1:discussed",
        T.DISCUSSION,
        by="fagrad-1",
    ),
    Template(
        -66,
        "Reinnleggelser innen 30 dager – felles forbedringsarbeid",
        "asu:discussed",
        T.DISCUSSION,
        follow_ups=(
            (
                "Fagråd 1 lager forslag til felles forbedringstiltak for reinnleggelser.",
                "fagrad-1",
                "1 d)",
            ),
        ),
    ),
    Template(
        -52,
        "Møteplan for PSU, ASU og AU {next}",
        "asu:decided",
        T.DECISION,
        K.OTHER,
        "ASU vedtar møteplan for {next} som i saksframlegget.",
    ),
    Template(
        -38,
        "Styringsinformasjon høsten {year}",
        description="Halvårlig styringsinformasjon til ASU.",
    ),
    Template(
        -25,
        "Personer med alvorlig psykisk lidelse og rusproblemer – forslag om FACT-team",
        "asu:discussed psu:discussed",
        T.DISCUSSION,
        description="Forslag om å utrede et felles FACT-team for flere kommuner og HNT.",
    ),
    Template(
        -12,
        "Årshjul for Helsefellesskapet {next}",
        "asu:decided",
        T.DECISION,
        K.OTHER,
        "ASU vedtar årshjulet for {next}.",
    ),
    Template(
        -5,
        "Tilgang til kritisk informasjon i kjernejournal på legevakt",
        "",
        T.DISCUSSION,
        by="fagrad-5",
        routed=False,
        description="Fagråd 5 ber om at saken tas opp i ASU.",
    ),
    Template(
        -2,
        "Oppfølging av Nasjonal helse- og samhandlingsplan i helsefellesskapet",
        description="Sekretariatet orienterer om oppdragene til helsefellesskapene.",
    ),
]

STOLAV = [
    Template(
        -386,
        "Statsbudsjettet {coming}: konsekvenser for helsefellesskapet",
        "psu:noted",
        description="Sekretariatet orienterer om forslaget til statsbudsjett for kommunene og "
        "helseforetakene.",
    ),
    Template(
        -383,
        "Erfaringer fra årlig temadag",
        description="Oppsummering av evalueringen fra deltakerne.",
    ),
    Template(
        -355,
        "Analyse og styringsinformasjon høsten {year}: utskrivningsklare pasienter og "
        "reinnleggelser",
        by="analysegruppe",
        description="Analysegruppen legger fram halvårlig styringsinformasjon til ASU.",
    ),
    Template(
        -345,
        "Revidert samarbeidsavtale mellom St. Olavs hospital HF og kommunene",
        "asu:recommended psu:recommended",
        T.DECISION,
        K.AGREEMENT,
        "PSU anbefaler at kommunestyrene og styret i St. Olavs hospital HF vedtar revidert "
        "samarbeidsavtale med retningslinjer.",
        by="Forhandlingsutvalget for samarbeidsavtalen",
        description="Forslag til revidert samarbeidsavtale etter revidert avtale om "
        "helsefellesskap mellom KS og regjeringen.",
    ),
    Template(
        -330,
        "Tildeling av samhandlingsmidler {coming}",
        "asu:recommended psu:decided",
        T.DECISION,
        K.FUNDS,
        "PSU tildeler samhandlingsmidler for {coming} til felles kompetansetiltak, hospitering og "
        "årlig temadag som i saksframlegget. Vedtaket er enstemmig og regnes som enighet mellom "
        "kommunene og St. Olavs hospital.",
        follow_ups=(("Tilsagnsbrev sendes mottakerne.", "sekretariatet", ""),),
    ),
    Template(
        -318,
        "Utskrivningsklare pasienter – anbefalinger fra arbeidsgruppen",
        "fagrad-pasientsamarbeid:discussed asu:discussed",
        T.DISCUSSION,
        by="arbeidsgruppe-ukp",
        description="Arbeidsgruppen for utskrivningsklare pasienter legger fram sine anbefalinger.",
        follow_ups=(
            (
                "Arbeidsgruppen konkretiserer anbefalingene i en felles tiltaksplan.",
                "arbeidsgruppe-ukp",
                "2.1.1",
            ),
        ),
    ),
    Template(
        -305,
        "Årsrapport for samhandlingsavvik {prev}",
        description="Årlig rapport om meldte samhandlingsavvik med tema og læringspunkter.",
        follow_ups=(
            (
                "Gjennomgående tema i avvikene følges opp i Fagråd for pasientsamarbeid.",
                "fagrad-pasientsamarbeid",
                "0.6.2",
            ),
        ),
    ),
    Template(
        -299,
        "Utskrivningsklare pasienter i helgene – logistikk og kontaktpunkter",
        "fagrad-pasientsamarbeid:discussed",
        T.DISCUSSION,
        by="arbeidsgruppe-ukp",
    ),
    Template(
        -292,
        "Revidert prosedyre for kapasitetsråd og tiltakskort ved fullt sykehus",
        "fagrad-pasientsamarbeid:recommended asu:decided",
        T.DECISION,
        K.GUIDELINE_REVISION,
        "ASU vedtar revidert prosedyre for kapasitetsråd og tiltakskort ved fullt sykehus og "
        "fulle kommunale plasser.",
        by="fagrad-pasientsamarbeid",
        follow_ups=(
            (
                "Tiltakskortene prøves ut i to kommuner og ved sykehuset før full innføring.",
                "fagrad-pasientsamarbeid",
                "1.6.1",
            ),
        ),
    ),
    Template(
        -280,
        "Årlig temadag i Helsefellesskapet – tema og program",
        "asu:decided",
        T.DECISION,
        K.OTHER,
        "ASU vedtar tema og program for årlig temadag som i saksframlegget.",
        follow_ups=(("Invitasjon sendes partene.", "sekretariatet", "0.2.1"),),
    ),
    Template(
        -268,
        "Helseplattformen – status for meldingsflyt mellom sykehus og kommuner",
        "fagrad-digital-samhandling:noted asu:noted",
        by="fagrad-digital-samhandling",
    ),
    Template(
        -255,
        "Felles katalog over lærings- og mestringstilbud",
        "asu:discussed",
        T.DISCUSSION,
        by="fagnettverk-laring-og-mestring",
        description="Forslag om en felles oversikt over lærings- og mestringstilbud i "
        "kommunene og ved sykehuset, med en enkel henvisningsrutine.",
        follow_ups=(
            (
                "Nettverket lager et utkast til katalog og henvisningsrutine.",
                "fagnettverk-laring-og-mestring",
                "1.1.1",
            ),
        ),
    ),
    Template(
        -243,
        "Rullering av handlingsplanen for Helsefellesskapet St. Olavs hospital og kommunene",
        "asu:recommended psu:decided",
        T.DECISION,
        K.ACTION_PLAN,
        "PSU vedtar rullert handlingsplan for {year}–{next} som i saksframlegget.",
        follow_ups=(("Rullert plan publiseres på samhandlingssidene.", "sekretariatet", ""),),
    ),
    Template(
        -230,
        "Akuttmedisinsk kjede utenfor sykehus – kartlegging av legevakt og ambulanse",
        "fagrad-akuttmedisin:discussed asu:discussed",
        T.DISCUSSION,
        by="fagrad-akuttmedisin",
    ),
    Template(
        -218,
        "Rekruttering og kompetanse – forslag om trepartssamarbeid med NTNU",
        "asu:discussed psu:discussed",
        T.DISCUSSION,
        follow_ups=(
            (
                "Sekretariatet inviterer NTNU til et første møte om trepartssamarbeid.",
                "sekretariatet",
                "5.3.2",
            ),
        ),
    ),
    Template(
        -205,
        "Gjennomgang av alvorlig samhandlingsavvik ved utskrivning",
        "asu:discussed",
        T.DISCUSSION,
        description="Hendelsesanalysen drøftes i lukket møte.",
        exempt=True,
        public_title="Gjennomgang av samhandlingsavvik (unntatt offentlighet)",
    ),
    Template(
        -200,
        "Helseplattformen – feilretting i meldingsflyten",
        "fagrad-digital-samhandling:noted",
        by="fagrad-digital-samhandling",
    ),
    Template(
        -195,
        "Styringsinformasjon våren {year}",
        by="analysegruppe",
        follow_ups=(
            (
                "Analysegruppen supplerer med tall for reinnleggelser per kommune.",
                "analysegruppe",
                "6.1.1",
            ),
        ),
    ),
    Template(
        -182,
        "Mindre endring i samarbeidsavtalen: møtestruktur og frister for sakspapirer",
        "asu:recommended psu:decided",
        T.DECISION,
        K.AGREEMENT_MINOR,
        "PSU vedtar endringen i samarbeidsavtalen om møtestruktur og frister for sakspapirer.",
    ),
    Template(
        -170,
        "Samhandling om barn og unge med psykiske lidelser og rusproblemer",
        "asu:discussed",
        T.DISCUSSION,
    ),
    Template(
        -158,
        "Felles risiko- og sårbarhetsanalyse for helseberedskap",
        "fagrad-akuttmedisin:recommended asu:decided",
        T.DECISION,
        K.OTHER,
        "ASU vedtar at partene gjennomfører en felles risiko- og sårbarhetsanalyse etter "
        "opplegget i saksframlegget.",
        by="fagrad-akuttmedisin",
        follow_ups=(
            (
                "Fagrådet leder arbeidet med analysen og rapporterer til ASU.",
                "fagrad-akuttmedisin",
                "3.3.1",
            ),
        ),
    ),
    Template(
        -140,
        "Digitale felles konsultasjoner mellom sykehus og kommune – pilot",
        "fagrad-digital-samhandling:noted asu:noted",
        by="fagrad-digital-samhandling",
    ),
    Template(
        -128,
        "Fastlegenes medvirkning i helsefellesskapet",
        "asu:discussed",
        T.DISCUSSION,
        by="fagrad-legesamarbeid",
    ),
    Template(
        -115,
        "Høringsuttalelse til regional utviklingsplan",
        "asu:recommended psu:decided",
        T.DECISION,
        K.OTHER,
        "PSU vedtar høringsuttalelsen som i saksframlegget.",
    ),
    Template(
        -100,
        "Sammenhengende logopedtilbud – rutine for henvisning",
        "asu:postponed asu:decided",
        T.DECISION,
        K.OTHER,
        "ASU vedtar rutine for henvisning til logoped utenfor sykehus.",
        follow_ups=(("Rutinen gjøres kjent for fastlegene.", "fagrad-legesamarbeid", "1.8.1"),),
    ),
    Template(
        -90,
        "Felles opplæringsdag for brukerrepresentanter",
        "asu:discussed",
        T.DISCUSSION,
        description="Saken ble trukket; opplæringen gis i regi av brukerorganisasjonene.",
        withdrawn=True,
    ),
    Template(-78, "Hospitering på tvers – status"),
    Template(
        -70,
        "Felles beredskapsøvelse – erfaringer",
        "fagrad-akuttmedisin:discussed",
        T.DISCUSSION,
        by="fagrad-akuttmedisin",
    ),
    Template(
        -64,
        "Helhetlig pasientforløp for skrøpelige eldre – forslag fra arbeidsgruppen",
        "fagrad-pasientsamarbeid:discussed asu:discussed",
        T.DISCUSSION,
        by="fagrad-pasientsamarbeid",
        follow_ups=(
            (
                "Forslaget sendes kommunene og sykehuset for innspill.",
                "fagrad-pasientsamarbeid",
                "1.2.1",
            ),
        ),
    ),
    Template(-50, "Oversikt over samhandlingsprosjekter og faglige nettverk"),
    Template(-36, "Styringsinformasjon høsten {year}", by="analysegruppe"),
    Template(
        -22,
        "Rehabiliteringstilbudet i helsefellesskapet – ansvarsdeling",
        "asu:discussed psu:discussed",
        T.DISCUSSION,
    ),
    Template(
        -10,
        "Årshjul og møteplan {next}",
        "asu:decided",
        T.DECISION,
        K.OTHER,
        "ASU vedtar årshjul og møteplan for {next}.",
    ),
    Template(
        -4,
        "Felles opplæring i tvangslovgivningen",
        "",
        T.DISCUSSION,
        routed=False,
        description="Henvendelse fra kommunene om felles fagdag om tvangslovgivningen.",
    ),
    Template(-2, "Samhandlingssidene – forslag til forbedringer"),
]
TEMPLATES = {"nordre-trondelag": HNT, "st-olavs": STOLAV}


def load_demo_cases(today: datetime.date | None = None) -> dict:
    """Build the demo cases and meetings of both demo communities (each once)."""
    today = today or timezone.localdate()
    created = 0
    slugs = list(TEMPLATES)
    for slug in slugs:
        community = Community.objects.filter(slug=slug).first()
        if community is None or Case.objects.filter(community=community).exists():
            continue
        with transaction.atomic():
            builder = _Builder(community, today)
            if slug == "nordre-trondelag":
                builder.hnt_2022()
            builder.year(TEMPLATES[slug])
            created += builder.created
    in_demo = {"community__slug__in": slugs}
    return {
        "cases": Case.objects.filter(**in_demo).count(),
        "meetings": Meeting.objects.filter(**in_demo).count(),
        "treatments": Treatment.objects.filter(case__community__slug__in=slugs).count(),
        "papers": CasePaper.objects.filter(case__community__slug__in=slugs).count(),
        "follow_ups": FollowUp.objects.filter(case__community__slug__in=slugs).count(),
        "ratifications": Ratification.objects.filter(case__community__slug__in=slugs).count(),
        "created": created,
    }


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _next_weekday(day: datetime.date, weekday: int) -> datetime.date:
    """The first `weekday` on or after `day`, outside the summer and Christmas breaks."""
    while True:
        day += datetime.timedelta(days=(weekday - day.weekday()) % 7)
        if day.month == 7 or (day.month == 8 and day.day < 12):
            day = datetime.date(day.year, 8, 12)
        elif day.month == 12 and day.day > 17:
            day = datetime.date(day.year + 1, 1, 7)
        elif day.month == 1 and day.day < 7:
            day = datetime.date(day.year, 1, 7)
        else:
            return day


def _days_apart(day: datetime.date, other: datetime.date) -> int:
    return abs((other - day).days)


def _series(first, until, weekday, every) -> list[datetime.date]:
    days, day = [], first
    while (day := _next_weekday(day, weekday)) <= until:
        days.append(day)
        day += datetime.timedelta(days=every() if callable(every) else every)
    return days


@dataclass
class _Slot:
    """A meeting in the schedule, with what the loader needs to know about it."""

    meeting: Meeting
    day: datetime.date
    slugs: tuple[str, ...]
    kind: str  # asu, psu, joint, au, council
    load: int = 0  # case items put on its agenda


class _Builder:
    def __init__(self, community: Community, today: datetime.date):
        self.community = community
        self.today = today
        self.rng = random.Random(f"saker-{community.slug}")  # the same demo every time
        self.bodies = {b.slug: b for b in Body.objects.filter(community=community)}
        email = SECRETARIAT_EMAILS.get(community.slug, "")
        self.actor = get_user_model().objects.filter(email=email).first() if email else None
        self.slots: list[_Slot] = []
        self.created = 0
        self.measures = dict(
            Measure.objects.filter(
                version__plan__community=community, version__is_current=True
            ).values_list("code", "lineage")
        )

    # --- Small helpers around the services ------------------------------------------------------

    def name(self, body: Body) -> str:
        return body.short_name or body.name

    def meeting(self, slugs, kind, title, start, end, mode, location="", video_url="") -> _Slot:
        meeting = services.meeting_create(
            actor=self.actor,
            community=self.community,
            bodies=[self.bodies[s] for s in slugs],
            title=title,
            starts_at=start,
            ends_at=end,
            mode=mode,
            location=location,
            video_url=video_url,
        )
        self.created += 1
        _fill_roll_call(meeting, [self.bodies[s] for s in slugs])
        slot = _Slot(meeting, timezone.localdate(start), tuple(slugs), kind)
        self.slots.append(slot)
        return slot

    def case(self, registered: datetime.date, title: str, **values) -> Case:
        """A case numbered in the year it was registered. `case_create` numbers in the current
        year only, so earlier (or later) years are written with the ORM, next in sequence."""
        values.setdefault("type", T.DECISION)
        if registered.year == timezone.localdate().year:
            case = services.case_create(
                actor=self.actor, community=self.community, title=title, **values
            )
        else:
            last = Case.objects.filter(community=self.community, year=registered.year).aggregate(
                n=Max("sequence")
            )["n"]
            case = Case(
                community=self.community,
                year=registered.year,
                sequence=(last or 0) + 1,
                title=title,
                created_by=self.actor,
                **values,
            )
            case.full_clean()
            case.save()
        Case.objects.filter(pk=case.pk).update(created_at=_at(registered, 9))
        self.created += 1
        return case

    def raised_by(self, by: str) -> dict:
        if by in self.bodies:
            return {"raised_by_body": self.bodies[by]}
        party = Party.objects.filter(community=self.community, name=by).first()
        return {"raised_by_party": party} if party else {"raised_by_text": by}

    def route(self, case, slugs, note, on: datetime.date) -> list[Treatment]:
        treatments = services.case_route(
            actor=self.actor, case=case, bodies=[self.bodies[s] for s in slugs], note=note
        )
        Treatment.objects.filter(pk__in=[t.pk for t in treatments]).update(routed_at=_at(on, 8))
        return treatments

    def place(self, slot: _Slot, treatment: Treatment) -> AgendaItem:
        slot.load += 1
        return services.agenda_add(actor=self.actor, meeting=slot.meeting, treatment=treatment)

    def record(self, item: AgendaItem, **values) -> AgendaItem:
        values.setdefault("discussion", "")
        return services.item_record(actor=self.actor, item=item, **values)

    def paper(self, case: Case, title: str, url: str = "", **values) -> CasePaper:
        url = url or (
            f"https://samhandling.example.no/{self.community.slug}/sakspapirer/{case.year}/"
            f"sak-{case.sequence:02d}-{case.year % 100:02d}.pdf"
        )
        return services.paper_add(actor=self.actor, case=case, title=title, url=url, **values)

    def person_in(self, slug: str, on: datetime.date) -> Person | None:
        """Whoever answers for a body: its chair, else its (first) secretary."""
        seats = Membership.objects.current(on).filter(body=self.bodies[slug])
        for role in (Role.CHAIR, Role.SECRETARY, Role.DEPUTY):
            seat = seats.filter(role=role).select_related("person").order_by("id").first()
            if seat:
                return seat.person
        return None

    def chair_user(self, slot: _Slot):
        """The chair who approves minutes electronically, if the chair has a login."""
        seat = (
            Membership.objects.current(slot.day)
            .filter(body=self.bodies[slot.slugs[0]], role=Role.CHAIR, person__user__isnull=False)
            .select_related("person__user")
            .first()
        )
        return seat.person.user if seat else self.actor

    # --- Meetings: attendance, the standard items and the minutes -------------------------------

    def attend(self, slot: _Slot, absent: int) -> None:
        """Mark the meeting held: `absent` members report absence and a substitute meets for the
        first of them; substitutes not called and some observers are not there; everyone else
        is present (in one update: the audit trail needs no row per person present)."""
        meeting = slot.meeting
        rows = list(meeting.attendance.select_related("person", "membership").order_by("id"))
        roles = _roles(rows, [self.bodies[s] for s in slot.slugs], slot.day)
        members = [a for a in rows if roles.get(a.person_id) in (Role.MEMBER, Role.DEPUTY)]
        away = self.rng.sample(members, min(absent, len(members)))
        substitutes = [a for a in rows if roles.get(a.person_id) == Role.SUBSTITUTE]
        called = None
        if away and substitutes:
            same_side = [a for a in substitutes if a.represents == away[0].represents]
            called = (same_side or substitutes)[0]
        for row in rows:
            observer_away = roles.get(row.person_id) == Role.OBSERVER and self.rng.random() < 0.35
            if row in away:
                services.attendance_set(actor=self.actor, attendance=row, status="absent")
            elif (row in substitutes and row is not called) or observer_away:
                services.attendance_set(actor=self.actor, attendance=row, status="not_present")
        if called is not None:
            services.substitute_call(
                actor=self.actor, meeting=meeting, absent=away[0], person=called.person
            )
        meeting.attendance.filter(status=Attendance.Status.INVITED).update(
            status=Attendance.Status.PRESENT
        )
        services.meeting_held(actor=self.actor, meeting=meeting)

    def standard_items(self, slot: _Slot, previous: _Slot | None) -> None:
        items = {i.kind: i for i in slot.meeting.items.filter(treatment__isnull=True)}
        if AgendaItem.Kind.NOTICE in items:
            self.record(items[AgendaItem.Kind.NOTICE], decision="Innkalling og saksliste godkjent.")
        if AgendaItem.Kind.MINUTES in items:
            if previous is None:
                text = "Protokollen fra forrige møte er godkjent."
            elif previous.kind in ("asu", "psu"):
                text = f"Protokoll fra møtet {previous.day:%d.%m.%Y} godkjent uten merknader."
            else:
                text = (
                    f"Protokollen fra møtet {previous.day:%d.%m.%Y} er elektronisk godkjent av "
                    "leder og ble tatt til orientering."
                )
            self.record(items[AgendaItem.Kind.MINUTES], decision=text)
        if AgendaItem.Kind.ANY_OTHER in items:
            self.record(items[AgendaItem.Kind.ANY_OTHER], discussion=self.rng.choice(ANY_OTHER))

    # --- Helsefellesskapet i nordre Trøndelag, spring 2022 ---------------------------------------

    def hnt_2022(self) -> None:
        """The cases before and at the joint PSU/ASU meeting of 30 March 2022 (seeds/002)."""
        d = datetime.date
        au1 = self.meeting(
            ["au"],
            "au",
            "Møte i AU",
            _at(d(2022, 1, 18), 8, 30),
            _at(d(2022, 1, 18), 10),
            Meeting.Mode.DIGITAL,
            video_url="https://video.example.no/hnt-au",
        )
        asu = self.meeting(
            ["asu"],
            "asu",
            "Møte i ASU",
            _at(d(2022, 2, 10), 9),
            _at(d(2022, 2, 10), 14),
            Meeting.Mode.DIGITAL,
            video_url="https://video.example.no/hnt-asu",
        )
        au2 = self.meeting(
            ["au"],
            "au",
            "Møte i AU",
            _at(d(2022, 3, 8), 8, 30),
            _at(d(2022, 3, 8), 10),
            Meeting.Mode.DIGITAL,
            video_url="https://video.example.no/hnt-au",
        )
        joint = self.meeting(
            ["psu", "asu"],
            "joint",
            "Felles møte i PSU og ASU",
            _at(d(2022, 3, 30), 10),
            _at(d(2022, 3, 30), 14),
            Meeting.Mode.HYBRID,
            location="Stjørdal",
            video_url="https://video.example.no/hnt-psu-asu",
        )
        for slot, absent in ((au1, 0), (asu, 2), (au2, 0), (joint, 3)):
            self.attend(slot, absent)

        def routed(case, au, chain, texts):
            """AU's routing in its meeting, then the chain of bodies."""
            (au_step,) = self.route(case, ["au"], "Meldt inn til AU for fordeling.", au.day - DAY)
            steps = self.route(case, chain, f"Fordelt i AU-møtet {au.day:%d.%m.%Y}.", au.day)
            self.record(
                self.place(au, au_step),
                decision=texts,
                outcome=Outcome.DISCUSSED,
            )
            return steps

        c01 = self.case(
            d(2022, 1, 12),
            "Høringsutkast til handlingsplan 2022–2025 – oppsummering av høringsinnspill",
            type=T.DISCUSSION,
            raised_by_body=self.bodies["sekretariatet"],
            description="Utkastet til ny handlingsplan har vært på høring hos partene. "
            "Sekretariatet oppsummerer innspillene.",
        )
        self.paper(
            c01,
            "Handlingsplan for helsefellesskapet i nordre Trøndelag – utkast til høringsrunde",
            url="https://hnt.no/Documents/Handlingsplan%20helsefellesskapet%20i%20nordre%20"
            "Tr%C3%B8ndelag%20-%20utkast%20til%20h%C3%B8ringsrunde.pdf",
        )
        c02 = self.case(
            d(2022, 1, 14),
            "Årsrapport for samhandlingsavvik 2021",
            type=T.INFORMATION,
            raised_by_body=self.bodies["sekretariatet"],
        )
        self.paper(c02, "Årsrapport samhandlingsavvik 2021")
        (s01,) = routed(c01, au1, ["asu"], "AU fordeler saken til ASU til drøfting.")
        (s02,) = routed(c02, au1, ["asu"], "AU fordeler saken til ASU til orientering.")
        self.record(
            self.place(asu, s01),
            discussion=DISCUSSIONS[1],
            decision="ASU drøftet høringsinnspillene. Sekretariatet innarbeider dem i endelig "
            "forslag til handlingsplan, som legges fram for felles møte i PSU og ASU.",
            outcome=Outcome.DISCUSSED,
        )
        self.record(
            self.place(asu, s02),
            decision="ASU tar årsrapporten til orientering.",
            outcome=Outcome.NOTED,
        )

        c03 = self.case(
            d(2022, 2, 28),
            "Godkjenning av protokoll fra møte i ASU 10. februar 2022",
            type=T.MINUTES,
            raised_by_body=self.bodies["sekretariatet"],
        )
        (s03,) = self.route(c03, ["asu"], "Fast sak.", d(2022, 2, 28))
        item03 = _link_minutes_case(joint.meeting, s03)
        joint.load += 1

        c04 = self.case(
            d(2022, 3, 2),
            "Handlingsplan for Helsefellesskapet i nordre Trøndelag 2022–2025",
            type=T.DECISION,
            decision_kind=K.ACTION_PLAN,
            raised_by_body=self.bodies["sekretariatet"],
            description="Endelig forslag til handlingsplan for 2022–2025 etter høringsrunden. "
            "Planen har tre innsatsområder og 21 mål med tiltak per år, og fagrådene har "
            "ansvaret for tiltakene.",
        )
        self.paper(
            c04,
            "Saksframlegg Sak 04/22 Handlingsplan",
            url="https://ekstranett.helse-midt.no/1007/samarbeidsutvalg%20HNT/Sakspapirer/"
            "Sak%2004-22%20Handlingsplan.pdf",
        )
        self.paper(
            c04,
            "Vedlegg: Handlingsplan for samhandling 2022–2025",
            url="https://ekstranett.helse-midt.no/Samhandling/hnt/psu/Mteprotokoll/"
            "Sak%2003-22%20Vedlegg%20-%20Handlingsplan%20for%20samhandling%202022-2025.pdf",
        )
        c05 = self.case(
            d(2022, 3, 3),
            "Innspill til Nasjonal helse- og samhandlingsplan 2024–2027",
            type=T.DECISION,
            decision_kind=K.OTHER,
            raised_by_body=self.bodies["sekretariatet"],
            description="Helse- og omsorgsdepartementet har bedt helsefellesskapene om innspill "
            "til neste nasjonale plan. Sekretariatet har laget et utkast til innspill om "
            "erfaringer, utfordringer, gode eksempler og behovet for nasjonal støtte.",
        )
        self.paper(c05, "Utkast til innspill fra Helsefellesskapet i nordre Trøndelag")
        c06 = self.case(
            d(2022, 3, 4),
            "Orientering om samarbeidsmøtene om koronapandemien («onsdagsmøtene»)",
            type=T.INFORMATION,
            raised_by_body=self.bodies["sekretariatet"],
        )
        self.paper(c06, "Presentasjon: erfaringer fra onsdagsmøtene")
        c07 = self.case(
            d(2022, 3, 4),
            "Orientering om Operasjon Helsehelter – rekruttering og kompetanse",
            type=T.INFORMATION,
            raised_by_text="KS Trøndelag",
        )
        self.paper(c07, "Presentasjon: Operasjon Helsehelter")

        asu04, psu04 = routed(
            c04,
            au2,
            ["asu", "psu"],
            "AU fordeler saken til ASU for innstilling og PSU for vedtak, i felles møte "
            "30. mars 2022.",
        )
        (psu05,) = routed(
            c05,
            au2,
            ["psu"],
            "AU fordeler saken til felles møte i PSU og ASU for vedtak.",
        )
        (asu06,) = routed(c06, au2, ["asu"], "AU fordeler saken til ASU til orientering.")
        (psu07,) = routed(c07, au2, ["psu"], "AU fordeler saken til PSU til orientering.")

        self.record(
            item03,
            decision="Protokoll fra møte i ASU 10. februar 2022 godkjent.",
            outcome=Outcome.DECIDED,
            unanimous=True,
        )
        recommendation = "ASU innstiller på at PSU vedtar handlingsplanen."
        self.record(
            self.place(joint, asu04),
            discussion="Sekretariatet gikk gjennom endringene etter høringsrunden. ASU-"
            "medlemmene sluttet seg til forslaget.",
            decision="Innstillingen ble enstemmig vedtatt og oversendes PSU.",
            outcome=Outcome.RECOMMENDED,
            recommendation=recommendation,
            unanimous=True,
        )
        self.record(
            self.place(joint, psu04),
            discussion="PSU behandlet saken i felles møte med ASU, etter ASUs innstilling.",
            decision="PSU vedtar Handlingsplan for Helsefellesskapet i nordre Trøndelag 2022–2025.",
            outcome=Outcome.DECIDED,
            recommendation=recommendation,
            unanimous=True,
        )
        self.record(
            self.place(joint, psu05),
            discussion="Innspillet ble behandlet av PSU og ASU i fellesskap.",
            decision="Felles PSU og ASU vedtar innspillet fra Helsefellesskapet i nordre "
            "Trøndelag til Nasjonal helse- og samhandlingsplan 2024–2027. Innspillet sendes "
            "Helse- og omsorgsdepartementet med underskrift fra lederne for PSU og ASU.",
            outcome=Outcome.DECIDED,
            unanimous=True,
        )
        self.record(
            self.place(joint, asu06),
            decision="Orienteringen tas til etterretning. Digitale treffpunkter brukes videre.",
            outcome=Outcome.NOTED,
        )
        self.record(
            self.place(joint, psu07),
            decision="PSU tar orienteringen til etterretning.",
            outcome=Outcome.NOTED,
        )
        self.follow_up(
            c04,
            "Handlingsplanen publiseres på samhandlingssidene og sendes partene for "
            "implementering i egen organisasjon.",
            "sekretariatet",
            d(2022, 4, 30),
            d(2022, 4, 20),
            "19 a)",
        )
        self.follow_up(
            c04,
            "Fagrådene lager arbeidsplaner for tiltakene de har ansvar for.",
            "asu",
            d(2022, 9, 1),
            d(2022, 8, 25),
        )
        self.follow_up(
            c05,
            "Innspillet sendes Helse- og omsorgsdepartementet.",
            "sekretariatet",
            d(2022, 4, 1),
            d(2022, 3, 31),
        )
        for slot, previous in ((au1, None), (asu, None), (au2, au1), (joint, asu)):
            self.standard_items(slot, previous)
        for slot in (au1, au2):
            services.minutes_approve(
                actor=self.chair_user(slot),
                meeting=slot.meeting,
                how=Meeting.Approval.ELECTRONIC,
                on=slot.day + 2 * DAY,
            )
        services.minutes_approve(
            actor=self.actor, meeting=asu.meeting, how=Meeting.Approval.NEXT_MEETING, on=joint.day
        )
        services.minutes_approve(
            actor=self.chair_user(joint),
            meeting=joint.meeting,
            how=Meeting.Approval.ELECTRONIC,
            on=d(2022, 3, 31),
        )
        for case in (c01, c02, c06, c07):
            services.case_update(actor=self.actor, case=case, status=Case.Status.CLOSED)
        self.slots.clear()

    def follow_up(self, case, text, owner, due, done=None, code="") -> FollowUp:
        on = min(due, self.today)
        return services.follow_up_save(
            actor=self.actor,
            case=case,
            description=text,
            owner_body=self.bodies.get(owner),
            owner_person=self.person_in(owner, on) if owner in self.bodies else None,
            due_on=due,
            done_on=done,
            measure_lineage=self.measures.get(code) if code else None,
        )

    # --- A year of synthetic cases and meetings ---------------------------------------------------

    def schedule(self) -> None:
        """AU every two or three weeks, ASU about every six weeks, PSU every three months (every
        other one joint with ASU), and the councils about every four months."""
        rng, today = self.rng, self.today
        start, until = today - 365 * DAY, today + 60 * DAY
        locations = LOCATIONS.get(self.community.slug, ["Digitalt"])
        asu_days = _series(start + 10 * DAY, until, THU, 42)
        psu_days = _series(start + 25 * DAY, until, FRI, 91)
        plan: list[tuple[datetime.date, str, tuple[str, ...]]] = []
        for index, day in enumerate(psu_days):
            if index % 2 == 1 and asu_days:
                nearest = min(asu_days, key=partial(_days_apart, day))
                asu_days.remove(nearest)
                plan.append((nearest, "joint", ("psu", "asu")))
            else:
                plan.append((day, "psu", ("psu",)))
        plan += [(day, "asu", ("asu",)) for day in asu_days]
        plan += [
            (day, "au", ("au",))
            for day in _series(start, until, TUE, lambda: rng.choice([14, 14, 21]))
        ]
        for index, slug in enumerate(COUNCILS.get(self.community.slug, [])):
            if slug in self.bodies:
                first = start + (20 + 25 * index) * DAY
                weekday = (MON, WED, MON)[index % 3]
                plan += [(day, "council", (slug,)) for day in _series(first, until, weekday, 120)]
        for day, kind, slugs in sorted(plan):
            place = locations[rng.randrange(len(locations))]
            if kind == "au":
                self.meeting(
                    slugs,
                    kind,
                    "Møte i AU",
                    _at(day, 8, 30),
                    _at(day, 10),
                    Meeting.Mode.DIGITAL,
                    video_url=f"https://video.example.no/{self.community.slug}-au",
                )
            elif kind == "council":
                self.meeting(
                    slugs,
                    kind,
                    f"Møte i {self.bodies[slugs[0]].name}",
                    _at(day, 12),
                    _at(day, 15),
                    Meeting.Mode.HYBRID,
                    location=place,
                    video_url=f"https://video.example.no/{self.community.slug}-{slugs[0]}",
                )
            else:
                title = {
                    "joint": "Felles møte i PSU og ASU",
                    "psu": "Møte i PSU",
                    "asu": "Møte i ASU",
                }[kind]
                self.meeting(
                    slugs,
                    kind,
                    title,
                    _at(day, 10 if kind != "asu" else 9),
                    _at(day, 14 if kind != "asu" else 15),
                    rng.choice([Meeting.Mode.IN_PERSON, Meeting.Mode.HYBRID]),
                    location=place,
                )
        # One AU meeting in the middle of the year was cancelled: nothing to route.
        au_past = [s for s in self.slots if s.kind == "au" and s.day < today - 30 * DAY]
        if len(au_past) > 6:
            cancelled = au_past[len(au_past) // 2]
            services.meeting_cancel(actor=self.actor, meeting=cancelled.meeting)
            self.slots.remove(cancelled)

    def find(self, slug: str, after: datetime.date, same: _Slot | None = None) -> _Slot | None:
        """The first meeting of `slug` after `after` with room on its agenda (or `same`, a joint
        meeting the previous step was in)."""
        if same is not None and slug in same.slugs and same.load < 7:
            return same
        for slot in self.slots:
            if slot.day > after and slug in slot.slugs and (slot.kind == "au" or slot.load < 5):
                return slot
        return None

    def year(self, templates: list[Template]) -> None:
        self.schedule()
        held = [s for s in self.slots if s.day < self.today]
        for slot in held:
            kind = slot.kind
            absent = {
                "au": self.rng.choice([0, 0, 0, 1]),
                "council": self.rng.choice([0, 1, 1, 2]),
            }.get(kind, self.rng.choice([1, 1, 2, 3]))
            self.attend(slot, absent)
        # Registration order decides the numbers: cases and the PSU's minutes cases, by date.
        entries: list[tuple[datetime.date, int, Template | tuple[_Slot, _Slot]]] = []
        for index, template in enumerate(templates):
            entries.append((self.today + template.day * DAY, index, template))
        psu_slots = [s for s in self.slots if "psu" in s.slugs]
        for previous, slot in zip(psu_slots, psu_slots[1:], strict=False):
            if previous.kind == "psu" and slot.day - 10 * DAY <= self.today:
                entries.append((slot.day - 10 * DAY, 1000 + len(entries), (previous, slot)))
        for registered, _index, entry in sorted(entries, key=lambda e: (e[0], e[1])):
            if isinstance(entry, Template):
                self.synthetic_case(entry, registered)
            else:
                self.minutes_case(*entry, registered)
        self.finish_meetings()

    def minutes_case(self, previous: _Slot, slot: _Slot, registered: datetime.date) -> None:
        case = self.case(
            registered,
            f"Godkjenning av protokoll fra møte i PSU {previous.day:%d.%m.%Y}",
            type=T.MINUTES,
            raised_by_body=self.bodies["sekretariatet"],
        )
        (step,) = self.route(case, ["psu"], "Fast sak.", registered)
        item = _link_minutes_case(slot.meeting, step)
        slot.load += 1
        if slot.day < self.today:
            self.record(
                item,
                decision=f"Protokoll fra møte i PSU {previous.day:%d.%m.%Y} godkjent.",
                outcome=Outcome.DECIDED,
                unanimous=True,
            )

    def synthetic_case(self, tpl: Template, registered: datetime.date) -> None:
        coming = registered.year + (registered.month >= 10)  # what is planned late in a year
        names = {
            "year": registered.year,
            "prev": registered.year - 1,
            "next": registered.year + 1,
            "coming": coming,
        }
        case = self.case(
            registered,
            tpl.title.format(**names),
            type=tpl.type,
            decision_kind=tpl.kind,
            public_title=tpl.public_title,
            description=tpl.description,
            **self.raised_by(tpl.by),
        )
        au = self.find("au", registered) if tpl.routed else None
        if au is None:  # still waiting for AU
            return
        shield = {"is_exempt": tpl.exempt, "exemption_basis": EXEMPTION if tpl.exempt else ""}
        (au_step,) = self.route(case, ["au"], "Meldt inn til AU for fordeling.", registered)
        au_item = self.place(au, au_step)
        self.papers(case, tpl)
        if au.day >= self.today:
            return
        steps = [tuple(step.split(":")) for step in tpl.chain.split()]
        # AU routes the chain up to a postponement; what follows is routed when it happens.
        cut = next((i + 1 for i, step in enumerate(steps) if step[1] == Outcome.POSTPONED), None)
        treatments = self.route(
            case,
            [slug for slug, _outcome in steps[:cut]],
            f"Fordelt i AU-møtet {au.day:%d.%m.%Y}.",
            au.day,
        )
        phrases = [
            f"{self.name(self.bodies[slug])} ({STEP_PHRASE[outcome]})"
            for slug, outcome in steps
            if outcome in STEP_PHRASE
        ]
        self.record(
            au_item,
            decision=f"AU fordeler saken til {_join(phrases)}.",
            outcome=Outcome.DISCUSSED,
            **shield,
        )
        if tpl.withdrawn:
            services.case_update(actor=self.actor, case=case, status=Case.Status.WITHDRAWN)
            return
        after, joint, recorded = au.day + 6 * DAY, None, 0
        for index, (slug, outcome) in enumerate(steps):
            if index >= len(treatments):
                break
            slot = self.find(slug, after, joint)
            if slot is None:
                break
            item = self.place(slot, treatments[index])
            # The next step may be in the same joint meeting, unless this one was postponed.
            postponed = outcome == Outcome.POSTPONED
            after, joint = slot.day, slot if slot.kind == "joint" and not postponed else None
            if slot.day >= self.today:
                break
            if outcome == Outcome.POSTPONED and cut:
                treatments += self.route(
                    case,
                    [s for s, _o in steps[cut:]],
                    f"Utsatt i møtet {slot.day:%d.%m.%Y}; settes opp på nytt.",
                    slot.day,
                )
            values = self.outcome(tpl, steps, index, names)
            votes = self.votes(tpl, slot, slug, values) if outcome == Outcome.DECIDED else []
            self.record(item, **values, **shield)
            for person, represents, choice in votes:
                Vote.objects.create(
                    treatment=treatments[index], person=person, represents=represents, choice=choice
                )
            recorded += 1
        if recorded == len(steps):
            self.after(case, tpl, after)

    def papers(self, case: Case, tpl: Template) -> None:
        """The case paper, published with the agenda; the incident analysis of a shielded case
        is exempt from public access."""
        self.paper(case, f"Saksframlegg {case.number}")
        if tpl.exempt:
            self.paper(
                case,
                "Hendelsesanalyse",
                url=f"https://samhandling.example.no/{self.community.slug}/intern/"
                f"hendelsesanalyse-{case.year}-{case.sequence:02d}.pdf",
                is_public=False,
                exemption_basis=EXEMPTION,
            )

    def outcome(self, tpl: Template, steps, index: int, names: dict) -> dict:
        """What the body of step `index` concluded."""
        slug, outcome = steps[index]
        body = self.name(self.bodies[slug])
        final = tpl.decision.format(**names) if tpl.decision else "Forslaget i saksframlegget."
        values = {"outcome": outcome, "discussion": self.rng.choice(DISCUSSIONS)}
        if outcome == Outcome.RECOMMENDED and index + 1 < len(steps):
            receiver = self.name(self.bodies[steps[index + 1][0]])
            values.update(
                recommendation=f"{body} innstiller overfor {receiver}: «{final}»",
                decision=f"Innstillingen ble vedtatt og oversendes {receiver}.",
                unanimous=True,
            )
        elif outcome == Outcome.RECOMMENDED:  # the agreement: every party decides
            values.update(
                recommendation=final,
                decision="Saken sendes kommunestyrene og styret i helseforetaket til behandling.",
                unanimous=True,
            )
        elif outcome == Outcome.DECIDED:
            values.update(decision=final, unanimous=True)
            if index and steps[index - 1][1] == Outcome.RECOMMENDED:
                recommender = self.name(self.bodies[steps[index - 1][0]])
                values["recommendation"] = f"{recommender} innstiller overfor {body}: «{final}»"
        elif outcome == Outcome.NOTED:
            values["decision"] = f"{body} tar orienteringen til etterretning."
        elif outcome == Outcome.DISCUSSED:
            values["decision"] = (
                f"{body} drøftet saken. Innspillene fra møtet tas med i det videre arbeidet."
            )
        elif outcome == Outcome.POSTPONED:
            values.update(
                discussion="Flere medlemmer ba om at konsekvensene for kommunene utdypes.",
                decision=f"Saken utsettes til neste møte i {body}.",
            )
        return values

    def votes(self, tpl: Template, slot: _Slot, slug: str, values: dict) -> list[tuple]:
        """A decision by vote: the members present vote, `tpl.against` of the municipalities'
        representatives against. Updates `values` with the count and the dissent."""
        if not tpl.against:
            return []
        body = self.bodies[slug]
        seats: dict[int | None, Membership] = {
            m.person_id: m
            for m in Membership.objects.current(slot.day).filter(
                body=body, role__in=Membership.SEAT_ROLES
            )
        }
        voters = []  # (attendance, the seat it votes for), members and substitutes present
        for row in slot.meeting.attendance.select_related("person").order_by("id"):
            seat = seats.get(row.person_id) or seats.get(row.substitute_for_id)
            if row.status in (Attendance.Status.PRESENT, Attendance.Status.SUBSTITUTE) and seat:
                voters.append((row, seat))
        municipalities = Membership.Representation.MUNICIPALITIES
        municipal = [row for row, seat in voters if seat.representation == municipalities]
        against = {row.pk for row in municipal[-tpl.against :]}
        values.update(
            unanimous=False,
            votes_for=len(voters) - len(against),
            votes_against=len(against),
            dissent=tpl.dissent,
        )
        return [
            (row.person, row.represents, "against" if row.pk in against else "for")
            for row, _seat in voters
        ]

    def after(self, case: Case, tpl: Template, decided: datetime.date) -> None:
        """Follow-ups with owner and due date, some done; the agreement's ratification by the
        parties; and some old cases closed."""
        rng, today = self.rng, self.today
        rows = []
        for text, owner, code in tpl.follow_ups:
            due = decided + rng.choice([45, 60, 90, 120, 180]) * DAY
            done = None
            if due < today - 14 * DAY and rng.random() < 0.7:
                done = max(decided + 7 * DAY, due - rng.randint(0, 25) * DAY)
            rows.append(self.follow_up(case, text, owner, due, done, code))
        if case.decision_kind == K.AGREEMENT:
            self.ratify(case, decided)
            return
        case.refresh_from_db(fields=["status"])
        old = decided < today - 120 * DAY
        settled = all(r.done_on for r in rows) and (rows or rng.random() < 0.5)
        if case.status == Case.Status.DECIDED and old and settled:
            services.case_update(actor=self.actor, case=case, status=Case.Status.CLOSED)

    def ratify(self, case: Case, recommended: datetime.date) -> None:
        """Most councils and the hospital board have adopted the agreement; a few have not yet."""
        rows = list(case.ratifications.select_related("party").order_by("party__name"))
        rng = self.rng
        span = max((self.today - recommended).days - 10, 30)
        pending = set(rng.sample(range(len(rows)), min(3, len(rows))))
        for index, row in enumerate(rows):
            if index in pending:
                continue
            day = min(recommended + rng.randint(30, span) * DAY, self.today - DAY)
            hospital = row.party.kind == Party.Kind.HOSPITAL_TRUST
            reference = (
                f"Styresak {rng.randint(10, 90)}/{day.year}"
                if hospital
                else f"PS {rng.randint(5, 120)}/{day.year % 100:02d}"
            )
            services.ratification_record(
                actor=self.actor,
                ratification=row,
                outcome=Ratification.Outcome.APPROVED,
                decided_on=day,
                reference=reference,
            )

    def finish_meetings(self) -> None:
        """The standard items of the held meetings and their minutes: approved in the next
        meeting of the body (ASU, PSU) or electronically by the chair (AU, councils, joint
        meetings), except the latest held meeting, whose minutes are still a draft. Planned
        meetings get the open follow-ups of their bodies on the agenda."""
        held = [s for s in self.slots if s.day < self.today]
        for index, slot in enumerate(held):
            previous = next(
                (p for p in reversed(held[:index]) if set(p.slugs) & set(slot.slugs)), None
            )
            self.standard_items(slot, previous)
        for index, slot in enumerate(held):
            if index == len(held) - 1:
                break
            if slot.kind in ("asu", "psu"):
                following = next(
                    (n for n in held[index + 1 :] if set(n.slugs) & set(slot.slugs)), None
                )
                if following is not None:
                    services.minutes_approve(
                        actor=self.actor,
                        meeting=slot.meeting,
                        how=Meeting.Approval.NEXT_MEETING,
                        on=following.day,
                    )
            else:
                on = slot.day + self.rng.randint(2, 6) * DAY
                if on < self.today:
                    services.minutes_approve(
                        actor=self.chair_user(slot),
                        meeting=slot.meeting,
                        how=Meeting.Approval.ELECTRONIC,
                        on=on,
                    )
        for slot in self.slots:
            if slot.day >= self.today and slot.kind != "au":
                # follow_up_item puts the item third, as meeting_create does before the cases
                # are added; here the cases are there already, so they move one place down.
                cases = slot.meeting.items.filter(kind=AgendaItem.Kind.CASE, order__gte=3)
                cases.update(order=F("order") + 1)
                if services.follow_up_item(meeting=slot.meeting) is None:
                    cases.update(order=F("order") - 1)


def _join(parts: list[str]) -> str:
    return f"{', '.join(parts[:-1])} og {parts[-1]}" if len(parts) > 1 else "".join(parts)


def _roles(rows: list[Attendance], bodies: list[Body], on: datetime.date) -> dict[int, str]:
    """Each attendee's role in the meeting's bodies: the seat of the day, else the latest."""
    roles: dict[int, str] = {}
    seats = Membership.objects.filter(
        body__in=bodies, person__in=[r.person_id for r in rows]
    ).order_by("start_date")
    for seat in seats:
        current = seat.start_date <= on and (seat.end_date is None or seat.end_date >= on)
        if current or seat.person_id not in roles:
            roles[seat.person_id] = seat.role
    for row in rows:
        if row.membership is not None and row.membership.role:
            roles[row.person_id] = row.membership.role
    return roles


def _fill_roll_call(meeting: Meeting, bodies: list[Body]) -> None:
    """The demo organisation's terms start in 2024 (a few seats ran 2022–2023), so a meeting
    before that invites almost no one. Older meetings also invite the people who hold a seat
    from a later term (without linking the attendance to that seat)."""
    day = timezone.localdate(meeting.starts_at)
    invited = set(meeting.attendance.values_list("person_id", flat=True))
    later = (
        Membership.objects.filter(body__in=bodies, start_date__gt=day, end_date__isnull=True)
        .select_related("person", "party", "region")
        .order_by("body__order", "id")
    )
    rows = []
    for seat in later:
        if seat.person_id not in invited:
            invited.add(seat.person_id)
            rows.append(Attendance(meeting=meeting, person=seat.person, represents=seat.represents))
    Attendance.objects.bulk_create(rows)


def _link_minutes_case(meeting: Meeting, treatment: Treatment) -> AgendaItem:
    """A minutes case takes the meeting's standard item «Godkjenning av protokoll»: agenda_add
    would add a second item, so the treatment is linked to the existing one."""
    item = meeting.items.get(kind=AgendaItem.Kind.MINUTES)
    item.treatment = treatment
    item.save(update_fields=["treatment"])
    return item
