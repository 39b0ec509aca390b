"""What a lead can do that counts as engagement (SPEC §2.3 `ActivityKind`)."""

from __future__ import annotations

from enum import StrEnum


class ActivityKind(StrEnum):
    PAGE_VIEW = "PAGE_VIEW"
    PRICING_VIEW = "PRICING_VIEW"
    EMAIL_OPEN = "EMAIL_OPEN"
    EMAIL_CLICK = "EMAIL_CLICK"
    FORM_SUBMIT = "FORM_SUBMIT"
    CONTENT_DOWNLOAD = "CONTENT_DOWNLOAD"
    WEBINAR_ATTENDED = "WEBINAR_ATTENDED"
    EVENT_VISIT = "EVENT_VISIT"
    TRIAL_SIGNUP = "TRIAL_SIGNUP"
    DEMO_REQUEST = "DEMO_REQUEST"
    CONTACT_SALES = "CONTACT_SALES"
