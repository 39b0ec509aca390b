"""The demo company's market: accounts, their contacts and what they do.

Pure and seeded: the same `random.Random` state and window always give the same
leads and activities. Accounts have several contacts; leads arrive over the
window (mostly on working days, in European daytime); each has an intent that,
with how well it fits, decides how much it engages and whether it raises a hand
(a demo request, a call to sales). Addresses use the reserved ``.example`` domain.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

INDUSTRIES = {
    "Logistics": 18,
    "Transportation": 9,
    "Wholesale": 8,
    "Manufacturing": 16,
    "Automotive": 6,
    "Retail": 11,
    "E-commerce": 7,
    "Food & Beverage": 5,
    "Pharma": 4,
    "Software": 6,
    "Professional Services": 5,
    "Education": 3,
    "Public Sector": 2,
}
COUNTRIES = {
    "DE": 34,
    "AT": 8,
    "CH": 7,
    "NL": 10,
    "BE": 4,
    "PL": 7,
    "FR": 6,
    "GB": 8,
    "SE": 4,
    "DK": 3,
    "ES": 3,
    "IT": 3,
    "US": 3,
}
LEGAL_FORM = {
    "DE": "GmbH",
    "AT": "GmbH",
    "CH": "AG",
    "NL": "B.V.",
    "BE": "NV",
    "PL": "Sp. z o.o.",
    "FR": "SAS",
    "GB": "Ltd",
    "SE": "AB",
    "DK": "A/S",
    "ES": "S.L.",
    "IT": "S.r.l.",
    "US": "Inc.",
}
FIRST_NAMES = {
    "de": "Anna Lukas Julia Max Sarah Jan Laura Tobias Katharina Florian Miriam "
    "Stefan Lea Moritz Sabine Andreas",
    "nl": "Sanne Daan Femke Bram Lotte Joris Eva Thijs",
    "pl": "Anna Piotr Katarzyna Tomasz Magdalena Michał Agnieszka Krzysztof",
    "fr": "Camille Louis Chloé Hugo Manon Julien Claire Antoine",
    "en": "Olivia James Emily Oliver Sophie Harry Grace Thomas Amelia Jack",
    "nordic": "Astrid Erik Ingrid Lars Freja Mikkel Sara Nils",
    "south": "Lucía Javier Giulia Marco Elena Pablo Chiara Luca",
}
LAST_NAMES = {
    "de": "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz "
    "Hoffmann Koch Richter Klein Wolf Neumann Zimmermann Braun Hartmann",
    "nl": "de Jong Jansen de Vries van den Berg Bakker Visser Smit Mulder",
    "pl": "Nowak Kowalski Wiśniewski Wójcik Kamiński Lewandowski Zieliński",
    "fr": "Martin Bernard Dubois Thomas Robert Richard Petit Durand",
    "en": "Smith Jones Taylor Brown Williams Wilson Johnson Davies Evans",
    "nordic": "Andersson Johansson Nielsen Hansen Larsen Karlsson Berg",
    "south": "García Rossi Martínez Russo Ferrari López Romano Sánchez",
}
NAMES_OF = {
    "DE": "de",
    "AT": "de",
    "CH": "de",
    "NL": "nl",
    "BE": "nl",
    "PL": "pl",
    "FR": "fr",
    "GB": "en",
    "US": "en",
    "SE": "nordic",
    "DK": "nordic",
    "ES": "south",
    "IT": "south",
}
ROOTS = [
    "Nord",
    "Süd",
    "Rhein",
    "Elb",
    "Hansa",
    "Alpen",
    "Donau",
    "Baltic",
    "Atlas",
    "Delta",
    "Vektor",
    "Kessler",
    "Brandt",
    "Sommer",
    "Falk",
    "Linde",
    "Adler",
    "Stern",
    "Polar",
    "Meridian",
    "Nova",
    "Orbit",
    "Quadra",
    "Kraft",
    "Weiss",
    "Horizon",
    "Summit",
    "Harbor",
    "Crown",
    "Anker",
    "Lotus",
    "Cedar",
    "Granit",
    "Pioneer",
]
WORDS = {
    "Logistics": ["Logistik", "Logistics", "Freight", "Cargo"],
    "Transportation": ["Transport", "Trucking", "Spedition", "Mobility"],
    "Wholesale": ["Handel", "Trading", "Distribution", "Supply"],
    "Manufacturing": ["Werke", "Industries", "Maschinenbau", "Components"],
    "Automotive": ["Automotive", "Fahrzeugteile", "Drive Systems"],
    "Retail": ["Retail", "Markt", "Stores", "Home"],
    "E-commerce": ["Shop", "Commerce", "Direct"],
    "Food & Beverage": ["Foods", "Getränke", "Fresh", "Brauerei"],
    "Pharma": ["Pharma", "Health", "Life Sciences"],
    "Software": ["Software", "Digital", "Systems", "Labs"],
    "Professional Services": ["Consulting", "Partners", "Advisory"],
    "Education": ["Akademie", "Institute", "Learning"],
    "Public Sector": ["Stadtwerke", "Verkehrsbetriebe", "Services"],
}
TITLES = {
    "C-Level": ["COO", "CEO", "CFO", "CTO", "Chief Supply Chain Officer", "CIO"],
    "VP": ["VP Operations", "VP Supply Chain", "VP Logistics", "VP IT"],
    "Director": [
        "Director of Operations",
        "Head of Logistics",
        "Head of Supply Chain",
        "Plant Director",
        "Head of IT",
        "Director Merchandising",
    ],
    "Manager": [
        "Operations Manager",
        "Logistics Manager",
        "Warehouse Manager",
        "Production Manager",
        "IT Manager",
        "Procurement Manager",
        "Replenishment Manager",
    ],
    "Individual contributor": [
        "Supply Chain Analyst",
        "Logistics Coordinator",
        "Dispatcher",
        "Data Analyst",
        "Buyer",
        "Working Student",
    ],
}
SENIORITY = {
    "C-Level": 6,
    "VP": 8,
    "Director": 20,
    "Manager": 34,
    "Individual contributor": 32,
}
SOURCES = {
    "Webinar": 16,
    "Organic search": 20,
    "Paid social": 14,
    "Content syndication": 12,
    "Trade show": 9,
    "Referral": 7,
    "Partner": 6,
    "Outbound": 8,
    "Direct": 8,
}
PRODUCTS = ["Insight Core", "Fleet Module", "Warehouse Module", "Forecasting"]
CORE = {"Logistics", "Transportation", "Manufacturing", "Retail"}
HOME = {"DE", "AT", "CH", "NL", "BE"}


CAMPAIGNS = {
    "Webinar": ["Peak season without spreadsheets", "Warehouse KPIs that matter"],
    "Paid social": ["Supply chain benchmark", "Fleet cost calculator"],
    "Content syndication": ["State of logistics report", "Inbound parts playbook"],
    "Trade show": ["LogiMAT", "transport logistic", "EuroShop"],
    "Outbound": ["Mid-market ops sequence", "Plant managers sequence"],
}
# What first brings a lead in, by source.
FIRST_TOUCH = {
    "Webinar": "WEBINAR_ATTENDED",
    "Organic search": "CONTENT_DOWNLOAD",
    "Paid social": "FORM_SUBMIT",
    "Content syndication": "CONTENT_DOWNLOAD",
    "Trade show": "EVENT_VISIT",
    "Referral": "CONTACT_SALES",
    "Partner": "FORM_SUBMIT",
    "Outbound": "EMAIL_CLICK",
    "Direct": "PAGE_VIEW",
}
# Later engagement by intent: (kind, weight when cold, weight when hot).
FOLLOW_ON = (
    ("EMAIL_OPEN", 30, 10),
    ("PAGE_VIEW", 30, 16),
    ("EMAIL_CLICK", 12, 10),
    ("CONTENT_DOWNLOAD", 8, 8),
    ("WEBINAR_ATTENDED", 3, 5),
    ("EVENT_VISIT", 1, 2),
    ("PRICING_VIEW", 2, 16),
    ("FORM_SUBMIT", 2, 4),
    ("TRIAL_SIGNUP", 0, 3),
)
HAND_RAISES = ("DEMO_REQUEST", "CONTACT_SALES")
PAGES = ("/", "/product", "/customers", "/blog/warehouse-kpis", "/integrations")
ASSETS = ("Warehouse KPI guide", "Peak season checklist", "Fleet cost benchmark")
Activity = tuple[str, datetime, dict[str, Any]]


@dataclass(frozen=True)
class Account:
    name: str
    domain: str
    industry: str
    size: int
    country: str
    customer: bool
    products: tuple[str, ...]


@dataclass(frozen=True)
class LeadPlan:
    """One lead: what the CRM sync sends, when it arrives, what it will do."""

    index: int
    row: dict[str, Any]
    created_at: datetime
    activities: tuple[Activity, ...]

    @property
    def email(self) -> str:
        return str(self.row["email"])


def weighted(rng: random.Random, table: dict[str, int]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


_FOLD = str.maketrans("äöüéèçñłśńóąężźí", "aoueecnlsnoaezzi")


def slug(text: str) -> str:
    """Lower-case ASCII letters and digits only (for addresses)."""
    plain = text.lower().replace("ß", "ss").translate(_FOLD)
    return re.sub(r"[^a-z0-9]+", "", plain)


def accounts(rng: random.Random, count: int) -> list[Account]:
    made: list[Account] = []
    taken: set[str] = set()
    for n in range(count):
        industry, country = weighted(rng, INDUSTRIES), weighted(rng, COUNTRIES)
        stem = f"{rng.choice(ROOTS)} {rng.choice(WORDS[industry])}"
        if slug(stem) in taken:
            stem = f"{stem} {n}"
        taken.add(slug(stem))
        size = int(min(60_000, max(8, rng.lognormvariate(5.6, 1.3))))
        customer = rng.random() < 0.06
        owned = sorted(rng.sample(PRODUCTS, rng.randint(1, 3))) if customer else []
        made.append(
            Account(
                f"{stem} {LEGAL_FORM[country]}",
                f"{slug(stem)}.example",
                industry,
                size,
                country,
                customer,
                tuple(owned),
            )
        )
    return made


def arrival(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """An instant in [start, end): mostly on working days, in European daytime."""
    days = max(1, (end - start).days)
    while True:
        day = start + timedelta(days=rng.randrange(days + 1))
        if day.weekday() >= 5 and rng.random() < 0.8:
            continue
        seconds = int(rng.triangular(5, 18, 8) * 3600)
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
            seconds=seconds
        )
        if start <= moment < end:
            return moment


def fit_hint(account: Account, seniority: str) -> float:
    """A rough 0–1 of how well a contact fits, to steer how much it engages."""
    hint = 0.3 if account.industry in CORE else 0.0
    hint += 0.25 if 200 <= account.size <= 5000 else 0.0
    hint += 0.25 if seniority in ("Director", "VP", "C-Level") else 0.0
    hint += 0.2 if account.country in HOME else 0.0
    return hint


def plan_leads(
    rng: random.Random, count: int, start: datetime, end: datetime
) -> list[LeadPlan]:
    """``count`` leads arriving in [start, end), in order of arrival."""
    pool = accounts(rng, max(1, count // 3))
    taken: set[str] = set()
    plans = []
    for index in range(count):
        account = rng.choice(pool)
        row, seniority = contact(rng, account, index, taken)
        created = arrival(rng, start, end)
        row["campaign"] = campaign(rng, row["source"], created)
        hint = fit_hint(account, seniority)
        intent = min(1.0, rng.betavariate(1.2, 3.0) + 0.4 * hint)
        steps = journey(rng, row["source"], intent, hint, (created, end))
        plans.append(LeadPlan(index, row, created, steps))
    plans.sort(key=lambda p: (p.created_at, p.index))
    return plans


def contact(
    rng: random.Random, account: Account, index: int, taken: set[str]
) -> tuple[dict[str, Any], str]:
    names = NAMES_OF[account.country]
    first = rng.choice(FIRST_NAMES[names].split())
    last = rng.choice(last_names(names))
    local = f"{slug(first)}.{slug(last)}"
    email, n = f"{local}@{account.domain}", 2
    while email in taken:
        email, n = f"{local}{n}@{account.domain}", n + 1
    taken.add(email)
    seniority = weighted(rng, SENIORITY)
    row: dict[str, Any] = {
        "email": email,
        "externalIds": [{"system": "crm", "id": f"CRM-{100000 + index}"}],
        "firstName": first,
        "lastName": last,
        "company": account.name,
        "companySize": account.size,
        "industry": account.industry,
        "jobTitle": rng.choice(TITLES[seniority]),
        "seniority": seniority,
        "country": account.country,
        "source": weighted(rng, SOURCES),
        "isCustomer": account.customer,
        "products": list(account.products),
        "doNotContact": rng.random() < 0.01,
    }
    return row, seniority


def last_names(group: str) -> list[str]:
    """The group's surnames; particles ("de", "van den") join the next word."""
    joined: list[str] = []
    for word in LAST_NAMES[group].split():
        if joined and joined[-1] in ("de", "van", "van den", "den"):
            joined[-1] = f"{joined[-1]} {word}"
        else:
            joined.append(word)
    return joined


def campaign(rng: random.Random, source: str, at: datetime) -> str | None:
    names = CAMPAIGNS.get(source)
    return f"{at:%Y-%m} {rng.choice(names)}" if names else None


def journey(
    rng: random.Random,
    source: str,
    intent: float,
    hint: float,
    window: tuple[datetime, datetime],
) -> tuple[Activity, ...]:
    """What a lead does from its arrival to the end of the window: its first
    touch, then sessions of engagement whose number and kind follow its intent,
    and, for the keenest, a hand raised."""
    created, end = window
    steps = [(FIRST_TOUCH[source], created, _details(rng, FIRST_TOUCH[source]))]
    sessions = int(rng.expovariate(1 / (0.5 + 6 * intent)))
    weights = [cold + (hot - cold) * intent for _, cold, hot in FOLLOW_ON]
    moment = created
    for _ in range(sessions):
        moment += timedelta(hours=rng.expovariate(1 / (24 + 120 * (1 - intent))))
        for _ in range(rng.randint(1, 3)):
            moment += timedelta(minutes=rng.randint(1, 20))
            kind = rng.choices([k for k, _, _ in FOLLOW_ON], weights)[0]
            steps.append((kind, moment, _details(rng, kind)))
    if rng.random() < 0.45 * intent * intent * (0.4 + hint):
        moment += timedelta(hours=rng.uniform(0.2, 72))
        kind = rng.choice(HAND_RAISES)
        steps.append((kind, moment, _details(rng, kind)))
    return tuple(s for s in steps if s[1] < end)


def _details(rng: random.Random, kind: str) -> dict[str, Any]:
    if kind == "PAGE_VIEW":
        return {"page": rng.choice(PAGES)}
    if kind == "PRICING_VIEW":
        return {"page": "/pricing"}
    if kind == "CONTENT_DOWNLOAD":
        return {"asset": rng.choice(ASSETS)}
    return {}
