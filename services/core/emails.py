"""The one check of an email address typed anywhere (forms, API, CSV, services)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from services.core.errors import InvalidInput

EMAIL_MAX = 254


def valid_email(email: str) -> str:
    """``email`` stripped and lower-cased if it is a well-formed address, else InvalidInput
    on the field ``email``. The same library as the forms' Email validator, without DNS."""
    cleaned = email.strip().lower()
    if not cleaned:
        raise InvalidInput("An email address is required.", {"email": ["Required."]})
    if len(cleaned) > EMAIL_MAX:
        raise InvalidInput(
            f"An email address has at most {EMAIL_MAX} characters.", {"email": ["Too long."]}
        )
    try:
        return validate_email(cleaned, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise InvalidInput(f"Enter a valid email address: {exc}", {"email": [str(exc)]}) from None


def email_domain(email: str) -> str:
    """The part after the @ of a stored (valid, lower-cased) address."""
    return email.rpartition("@")[2]
