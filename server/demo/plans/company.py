"""The demo company's people and the agreements both of its teams signed.

Nordlicht Analytics GmbH, a Berlin software company selling supply-chain
analytics to logistics, manufacturing and retail firms, runs the playbook of
`seed/README.md`: goals, four personas, a qualification model and an SLA on a
Berlin business calendar. Everything here is data and pure arithmetic; the
demo builder (`server.demo`) turns it into records through the use cases.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

COMPANY = "Nordlicht Analytics GmbH"
DOMAIN = "nordlicht.example"
TIMEZONE = "Europe/Berlin"


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    title: str
    team: str
    role: str
    timezone: str = TIMEZONE
    accepts_leads: bool = True

    @property
    def email(self) -> str:
        first, _, last = self.name.lower().partition(" ")
        ascii_last = last.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae")
        return f"{first}.{ascii_last.replace(' ', '-')}@{DOMAIN}"


ADMIN = Person("admin", "Jonas Weber", "Revenue operations", "LEADERSHIP", "ADMIN")
# The admin (created by the operator) grants everyone else their role.
STAFF: tuple[Person, ...] = (
    Person("ceo", "Katrin Vogel", "Chief executive", "LEADERSHIP", "MANAGER"),
    Person("cmo", "Mara Schneider", "Head of marketing", "MARKETING", "MANAGER"),
    Person("demand", "Felix Braun", "Demand generation lead", "MARKETING", "MANAGER"),
    Person("ops", "Lena Hoffmann", "Marketing operations", "MARKETING", "MEMBER"),
    Person("campaigns", "Tim Becker", "Campaign manager", "MARKETING", "MEMBER"),
    Person("content", "Aylin Demir", "Content marketing", "MARKETING", "MEMBER"),
    Person(
        "vp_sales", "Sebastian Krüger", "VP sales", "SALES", "MANAGER", TIMEZONE, False
    ),
    Person(
        "team_lead",
        "Nora Lindqvist",
        "Sales team lead",
        "SALES",
        "MANAGER",
        TIMEZONE,
        False,
    ),
    Person("ae_paul", "Paul Richter", "Account executive", "SALES", "MEMBER"),
    Person("ae_emma", "Emma Fischer", "Account executive", "SALES", "MEMBER"),
    Person("ae_lukas", "Lukas Wagner", "Account executive", "SALES", "MEMBER"),
    Person(
        "ae_sofia", "Sofia Rossi", "Account executive", "SALES", "MEMBER", "Europe/Rome"
    ),
    Person("sdr_david", "David Okafor", "Sales development", "SALES", "MEMBER"),
    Person(
        "sdr_hannah",
        "Hannah Schulz",
        "Sales development",
        "SALES",
        "MEMBER",
        "Europe/London",
    ),
)


def people(team: str, role: str | None = None) -> list[Person]:
    return [p for p in STAFF if p.team == team and (role is None or p.role == role)]


# ---- the Berlin business calendar ---------------------------------------------


def easter_sunday(year: int) -> date:
    """Western Easter (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


FIXED_DAYS_OFF = (
    "01-01",
    "03-08",
    "05-01",
    "10-03",
    "12-24",
    "12-25",
    "12-26",
    "12-31",
)
EASTER_OFFSETS = (-2, 1, 39, 50)  # Good Friday, Easter Monday, Ascension, Whit Monday


def berlin_days_off(years: Sequence[int]) -> list[str]:
    """Berlin's public holidays (International Women's Day included) and the two
    days off German companies usually add (24 and 31 December), as ISO dates."""
    days = set()
    for year in years:
        days |= {date.fromisoformat(f"{year}-{md}") for md in FIXED_DAYS_OFF}
        easter = easter_sunday(year)
        days |= {easter + timedelta(days=n) for n in EASTER_OFFSETS}
    return sorted(d.isoformat() for d in days)


def business_calendar(years: Sequence[int]) -> dict[str, Any]:
    return {
        "timezone": TIMEZONE,
        "workingDays": ["MON", "TUE", "WED", "THU", "FRI"],
        "dayStart": "09:00",
        "dayEnd": "18:00",
        "holidays": berlin_days_off(years),
    }


# ---- the agreements -----------------------------------------------------------


def sla_terms(
    effective_from: datetime, leads_per_month: int, years: Sequence[int]
) -> dict[str, Any]:
    """Marketing commits to qualified leads a month; sales to accept within 4
    and first touch within 8 business hours, three touches in a week."""
    return {
        "qualifiedLeadsPerMonth": leads_per_month,
        "acceptWithinHours": "4",
        "firstTouchWithinHours": "8",
        "minTouchAttempts": 3,
        "touchWindowDays": 7,
        # The server's sweeper acts on live handoffs; NOTIFY keeps it from
        # rewriting the demo's history when it starts.
        "acceptTimeoutAction": "NOTIFY",
        "routing": "ROUND_ROBIN",
        "businessCalendar": business_calendar(years),
        "reviewCadenceDays": 14,
        "effectiveFrom": effective_from.isoformat(),
    }


def sla_amendment(terms: Mapping[str, Any]) -> dict[str, Any]:
    """The change marketing proposed and signed, awaiting sales: a faster accept."""
    return {**terms, "acceptWithinHours": "3", "minTouchAttempts": 4}


PERSONAS: tuple[dict[str, Any], ...] = (
    {
        "name": "Operations leader at a mid-size logistics firm",
        "summary": "Runs warehouses and fleets; measured on cost per shipment "
        "and on-time delivery.",
        "industries": ["Logistics", "Transportation", "Wholesale"],
        "companySizeMin": 200,
        "companySizeMax": 5000,
        "regions": ["DE", "AT", "CH", "NL", "PL"],
        "jobTitles": ["Operations", "COO", "Logistics"],
        "seniorities": ["Director", "VP", "C-Level"],
        "painPoints": ["Spreadsheets for capacity planning", "Late deliveries"],
        "buyingTriggers": ["New warehouse", "Peak-season misses"],
        "objections": ["Another tool for dispatchers", "Integration with the WMS"],
        "channels": ["Webinars", "Trade shows", "LinkedIn"],
    },
    {
        "name": "Plant manager in discrete manufacturing",
        "summary": "Owns production output and inbound material flow.",
        "industries": ["Manufacturing", "Automotive"],
        "companySizeMin": 100,
        "companySizeMax": 3000,
        "regions": ["DE", "AT", "CH", "PL"],
        "jobTitles": ["Plant", "Production", "Manufacturing"],
        "seniorities": ["Manager", "Director"],
        "painPoints": ["Line stops from missing parts", "No view of supplier ETAs"],
        "buyingTriggers": ["Supplier failure", "New production line"],
        "objections": ["IT backlog", "Works council approval"],
        "channels": ["Trade shows", "Case studies", "Field events"],
    },
    {
        "name": "Retail supply-chain director",
        "summary": "Balances stock across stores and online channels.",
        "industries": ["Retail", "E-commerce", "Food & Beverage"],
        "companySizeMin": 500,
        "companySizeMax": 20000,
        "regions": ["DE", "NL", "BE", "FR", "GB"],
        "jobTitles": ["Supply Chain", "Merchandising", "Replenishment"],
        "seniorities": ["Director", "VP"],
        "painPoints": ["Stock-outs online", "Overstock in stores"],
        "buyingTriggers": ["Peak season", "New fulfilment centre"],
        "objections": ["ERP project first", "Data quality"],
        "channels": ["Benchmarks", "E-mail", "Analyst reports"],
    },
    {
        "name": "Head of IT at a growing mid-market company",
        "summary": "Gatekeeper for integrations and data access; signs off on "
        "security.",
        "industries": ["Logistics", "Manufacturing", "Wholesale", "Software"],
        "companySizeMin": 50,
        "companySizeMax": 1000,
        "jobTitles": ["IT", "CTO", "CIO"],
        "seniorities": ["Manager", "Director", "C-Level"],
        "painPoints": ["Shadow spreadsheets", "Too many point tools"],
        "buyingTriggers": ["ERP migration", "Security audit"],
        "objections": ["Data residency", "SSO"],
        "channels": ["Documentation", "Peer reviews"],
    },
)
PERSONA_EVIDENCE: tuple[tuple[int, str, str], ...] = (
    (
        0,
        "CUSTOMER_DATA",
        "62 % of last year's won deals were logistics firms of "
        "200–5,000 employees, the buyer an operations director or VP.",
    ),
    (
        0,
        "SALES_ANECDOTE",
        "Ops leaders engage after a missed peak season; they "
        "ask for a pilot in one warehouse first.",
    ),
    (
        1,
        "RESEARCH",
        "Industry survey: 7 in 10 plant managers report line stops "
        "from late inbound parts at least monthly.",
    ),
    (
        2,
        "CUSTOMER_DATA",
        "Retail customers renew at 96 % but take 40 % longer to close.",
    ),
    (
        3,
        "SALES_ANECDOTE",
        "IT heads rarely start a deal but block one without an early security review.",
    ),
)
ENGAGEMENT: tuple[tuple[str, int, int, int | None], ...] = (
    # kind, points, max points, half-life days
    ("PAGE_VIEW", 1, 8, 14),
    ("EMAIL_OPEN", 1, 4, 14),
    ("EMAIL_CLICK", 3, 9, 14),
    ("CONTENT_DOWNLOAD", 6, 18, 30),
    ("WEBINAR_ATTENDED", 10, 20, 30),
    ("EVENT_VISIT", 10, 20, 45),
    ("PRICING_VIEW", 8, 24, 7),
    ("FORM_SUBMIT", 4, 8, 30),
    ("TRIAL_SIGNUP", 20, 20, 30),
    ("DEMO_REQUEST", 25, 25, 30),
    ("CONTACT_SALES", 25, 25, 30),
)
CORE_INDUSTRIES = ["Logistics", "Transportation", "Manufacturing", "Retail"]
ADJACENT_INDUSTRIES = ["Wholesale", "Automotive", "E-commerce", "Food & Beverage"]


def model_terms(persona_ids: Sequence[str]) -> dict[str, Any]:
    """Fit (who) plus engagement (what they did); a demo request or a call to
    sales from a fitting lead qualifies at once."""

    def rule(field: str, op: str, values: list[str], points: int, label: str) -> Any:
        return {
            "field": field,
            "operator": op,
            "values": values,
            "points": points,
            "label": label,
        }

    fit = [
        rule("companySize", "BETWEEN", ["200", "5000"], 20, "Mid-market size"),
        rule("companySize", "LTE", ["49"], -15, "Too small"),
        rule("industry", "IN", CORE_INDUSTRIES, 20, "Core industry"),
        rule("industry", "IN", ADJACENT_INDUSTRIES, 10, "Adjacent industry"),
        rule("seniority", "IN", ["Director", "VP", "C-Level"], 15, "Decision maker"),
        rule("seniority", "EQ", ["Manager"], 8, "Manager"),
        rule("country", "IN", ["DE", "AT", "CH", "NL", "BE"], 10, "Home market"),
        rule("persona", "IN", list(persona_ids[:2]), 10, "Primary persona"),
        rule("isCustomer", "EQ", ["true"], -20, "Already a customer"),
    ]
    return {
        "fitRules": fit,
        "engagementRules": [
            {"activityKind": k, "points": p, "maxPoints": m, "halfLifeDays": h}
            for k, p, m, h in ENGAGEMENT
        ],
        "mqlThreshold": 90,
        "minFitScore": 35,
        "handRaiseKinds": ["DEMO_REQUEST", "CONTACT_SALES"],
        "handRaiseWindowDays": 7,
    }


def quarter_of(day: date) -> tuple[date, date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    last_month = first_month + 2
    last_day = monthrange(day.year, last_month)[1]
    return date(day.year, first_month, 1), date(day.year, last_month, last_day)


def goal_terms(today: date, leads: int, currency: str = "USD") -> list[dict[str, Any]]:
    """This quarter's goals, sized to the number of demo leads, and the year's
    churn goal measured by hand."""
    start, end = quarter_of(today)
    per_quarter = max(1, leads // 3)

    def goal(title: str, kind: str, metric: str, target: int, unit: str) -> Any:
        return {
            "title": title,
            "kind": kind,
            "metric": metric,
            "target": str(target),
            "unit": unit,
            "periodStart": start.isoformat(),
            "periodEnd": end.isoformat(),
        }

    return [
        goal(
            "Qualified leads this quarter",
            "NET_NEW_ACQUISITION",
            "QUALIFIED_LEADS",
            max(1, per_quarter * 3 // 10),
            "leads",
        ),
        goal(
            "New logos this quarter",
            "NET_NEW_ACQUISITION",
            "NEW_CUSTOMERS",
            max(1, per_quarter // 60),
            "customers",
        ),
        goal(
            "Qualified pipeline this quarter",
            "MARKET_SHARE",
            "PIPELINE_VALUE",
            max(1, per_quarter // 12) * 60_000,
            currency,  # a money metric: in ACCORD_CURRENCY
        ),
        {
            "title": "Logo churn below 6 % this year",
            "kind": "CHURN_REDUCTION",
            "description": "Share of customers lost over the trailing twelve months.",
            "metric": "MANUAL",
            "direction": "DECREASE",
            "target": "6",
            "unit": "%",
            "periodStart": date(today.year, 1, 1).isoformat(),
            "periodEnd": date(today.year, 12, 31).isoformat(),
        },
    ]


CHURN_MEASUREMENTS = ("8.1", "7.4", "6.9")  # monthly readings, oldest first
