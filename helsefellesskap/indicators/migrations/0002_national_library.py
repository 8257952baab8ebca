"""The national library of indicator definitions: the standard set the product computes from
pseudonymised hospital stays (definitions as in Samhandlingsbarometeret and the national
quality indicators, see the reference README), and aggregate ones for goals 1 c)–1 d) of the
Helse Nord-Trøndelag plan and measure 6.1 of the St. Olavs plan. Every community reads them
and may copy them; none is published by itself."""

from django.db import migrations

FIVE_BANDS = "fem aldersgrupper (0–17, 18–49, 50–69, 70–79, 80+)"

NATIONAL = [
    {
        "code": "reinnleggelser-30-dager",
        "name": "Reinnleggelser innen 30 dager",
        "description": (
            "Andelen utskrivninger etter et døgnopphold som følges av en ny øyeblikkelig "
            "hjelp-innleggelse, uansett årsak og sykehus, mellom 8 timer og 30 dager etter "
            "utskrivningen. Vises for 0–69 år og 70 år og eldre, som i Samhandlingsbarometeret. "
            "(Den nasjonale kvalitetsindikatoren gjelder 67 år og eldre med elleve "
            "diagnosegrupper og er risikojustert; denne er det ikke.)"
        ),
        "numerator_text": (
            "Utskrivninger fra et døgnopphold som følges av en ny øyeblikkelig hjelp-innleggelse "
            "8 timer til 30 dager etter utskrivningen. En pasients opphold ordnes etter "
            "innleggelsestid, utskrivningstid og oppholdets id."
        ),
        "denominator_text": "Utskrivninger fra døgnopphold for innbyggere i kommunen.",
        "factor": 100,
        "unit": "prosent",
        "direction": "lower",
        "is_proportion": True,
        "age_splits": ["0-69", "70+"],
        "priority_groups": ["frail_elderly", "chronic_conditions"],
        "source": "npr",
        "computation": "readmission_30d",
    },
    {
        "code": "utskrivningsklare-pasienter",
        "name": "Utskrivningsklare pasienter per 1 000 innbyggere",
        "description": (
            "Unike pasienter med minst ett døgnopphold der de er meldt utskrivningsklare, per "
            "1 000 innbyggere, etter bostedskommune (den siste gyldige i perioden). "
            f"Standardisert for kjønn og {FIVE_BANDS} mot befolkningen i helsefellesskapet."
        ),
        "numerator_text": (
            "Unike pasienter med minst ett døgnopphold der de er meldt utskrivningsklare."
        ),
        "denominator_text": "Innbyggere i kommunen (SSB, 1. januar).",
        "factor": 1000,
        "unit": "per 1 000 innbyggere",
        "direction": "lower",
        "is_proportion": False,
        "standardised": True,
        "priority_groups": ["frail_elderly"],
        "source": "npr",
        "computation": "discharge_ready_patients",
    },
    {
        "code": "utskrivningsklare-liggedogn",
        "name": "Liggedøgn for utskrivningsklare pasienter per 1 000 innbyggere",
        "description": (
            "Døgn pasientene ligger på sykehus etter at de er meldt utskrivningsklare, per "
            "1 000 innbyggere, etter bostedskommune. Standardisert for kjønn og "
            f"{FIVE_BANDS} mot befolkningen i helsefellesskapet."
        ),
        "numerator_text": (
            "Liggedøgn fra datoen pasienten er meldt utskrivningsklar til utskrivningen."
        ),
        "denominator_text": "Innbyggere i kommunen (SSB, 1. januar).",
        "factor": 1000,
        "unit": "liggedøgn per 1 000 innbyggere",
        "direction": "lower",
        "is_proportion": False,
        "standardised": True,
        "priority_groups": ["frail_elderly"],
        "source": "npr",
        "computation": "discharge_ready_days",
    },
    {
        "code": "akuttinnleggelser",
        "name": "Øyeblikkelig hjelp-innleggelser per 1 000 innbyggere",
        "description": (
            "Døgnopphold som begynner som øyeblikkelig hjelp, per 1 000 innbyggere, for 0–79 år "
            "og 80 år og eldre."
        ),
        "numerator_text": "Øyeblikkelig hjelp-innleggelser til døgnopphold på sykehus.",
        "denominator_text": "Innbyggere i kommunen i aldersgruppen (SSB, 1. januar).",
        "factor": 1000,
        "unit": "per 1 000 innbyggere",
        "direction": "lower",
        "is_proportion": False,
        "age_splits": ["0-79", "80+"],
        "priority_groups": ["frail_elderly"],
        "source": "npr",
        "computation": "acute_admissions",
    },
    {
        "code": "kommunale-akutte-dognplasser",
        "name": "Opphold i kommunale akutte døgnplasser (KAD) per 1 000 innbyggere",
        "description": (
            "Innleggelser i kommunale akutte døgnplasser (øyeblikkelig hjelp døgnopphold i "
            "kommunen), per 1 000 innbyggere. Bruk av KAD kan erstatte en "
            "sykehusinnleggelse; tallet leses sammen med øyeblikkelig hjelp-innleggelsene."
        ),
        "numerator_text": "Opphold i kommunal akutt døgnplass.",
        "denominator_text": "Innbyggere i kommunen (SSB, 1. januar).",
        "factor": 1000,
        "unit": "per 1 000 innbyggere",
        "direction": "neutral",
        "is_proportion": False,
        "source": "kpr",
        "computation": "municipal_acute_beds",
    },
    {
        "code": "storbrukere",
        "name": "Storbrukere av sykehus per 1 000 innbyggere",
        "description": (
            "Pasienter med minst fire døgninnleggelser på sykehus i løpet av tolv måneder, per "
            "1 000 innbyggere. Storbrukerne er ofte pasienter med flere kroniske lidelser og "
            "skrøpelige eldre (mål 1 c) i handlingsplanen til Helse Nord-Trøndelag)."
        ),
        "numerator_text": (
            "Unike pasienter med minst fire døgninnleggelser i de tolv månedene som ender med "
            "perioden."
        ),
        "denominator_text": "Innbyggere i kommunen (SSB, 1. januar).",
        "factor": 1000,
        "unit": "per 1 000 innbyggere",
        "direction": "lower",
        "is_proportion": False,
        "priority_groups": ["chronic_conditions", "frail_elderly"],
        "source": "npr",
        "computation": "heavy_users",
    },
    # Aggregate tables the analysis group loads (goals 1 c)–1 d), measure 6.1).
    {
        "code": "storbrukere-individuell-plan",
        "name": "Storbrukere med individuell plan",
        "description": (
            "Andelen storbrukere av sykehus som har en individuell plan i kommunen. Følger opp "
            "mål 1 c) «Kartlegge stormottakeres bruk av helsetjenester og bruk av Individuell "
            "Plan» i handlingsplanen til Helse Nord-Trøndelag."
        ),
        "numerator_text": (
            "Storbrukere (minst fire døgninnleggelser på tolv måneder) med individuell plan."
        ),
        "denominator_text": "Storbrukere (minst fire døgninnleggelser på tolv måneder).",
        "factor": 100,
        "unit": "prosent",
        "direction": "higher",
        "is_proportion": True,
        "priority_groups": ["chronic_conditions", "frail_elderly"],
        "source": "kpr",
        "frequency": "year",
    },
    {
        "code": "reinnleggelser-eldre-kvalitetsindikator",
        "name": "Reinnleggelser av eldre innen 30 dager (nasjonal kvalitetsindikator)",
        "description": (
            "Helsedirektoratets kvalitetsindikator: andelen eldre (67 år og eldre) med en av "
            "elleve diagnosegrupper som legges inn akutt igjen innen 30 dager etter "
            "utskrivning. Følger opp mål 1 d) «Tiltak for å redusere antallet reinnleggelser». "
            "Lastes inn som tabell fra de publiserte tallene."
        ),
        "numerator_text": (
            "Utskrivninger av pasienter 67 år og eldre med en av de elleve diagnosegruppene som "
            "følges av en akutt reinnleggelse innen 30 dager."
        ),
        "denominator_text": (
            "Utskrivninger av pasienter 67 år og eldre med en av de elleve diagnosegruppene."
        ),
        "factor": 100,
        "unit": "prosent",
        "direction": "lower",
        "is_proportion": True,
        "priority_groups": ["frail_elderly"],
        "source": "npr",
        "frequency": "year",
    },
    {
        "code": "epikrise-innen-1-dag",
        "name": "Epikriser sendt innen 1 dag etter utskrivning",
        "description": (
            "Andelen epikriser fra sykehuset som er sendt til fastlegen og kommunen innen én dag "
            "etter utskrivningen: en forutsetning for trygge overganger og færre "
            "reinnleggelser. Et av tallene analysegruppen legger fram for ASU to ganger i året "
            "(tiltak 6.1 i handlingsplanen til St. Olavs hospital)."
        ),
        "numerator_text": "Epikriser sendt innen 1 dag etter utskrivning fra døgnopphold.",
        "denominator_text": "Epikriser etter utskrivning fra døgnopphold.",
        "factor": 100,
        "unit": "prosent",
        "direction": "higher",
        "is_proportion": True,
        "source": "npr",
    },
]


def add_library(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    for definition in NATIONAL:
        values = {"frequency": "half", "suppress_below": 5, **definition}
        code = values.pop("code")
        Indicator.objects.update_or_create(community=None, code=code, defaults=values)


def remove_library(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    Indicator.objects.filter(community=None, code__in=[d["code"] for d in NATIONAL]).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [migrations.RunPython(add_library, remove_library)]
