"""The "People" section of an organisation's page: what the viewer may see and do there."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from models import Organisation
from services import policies
from services.organisations import contacts
from webapp.database import db
from webapp.people.forms import ActionForm, ContactForm


def panel_context(org: Organisation) -> dict[str, Any]:
    """Who has an account for the organisation; its contacts only for who may see them;
    the add form only for who may keep them."""
    can_see = policies.can_see_contacts(current_user, org.id)
    people = contacts.people(db(), org.id, with_contacts=can_see)
    manage = (
        can_see
        and policies.can_manage_contacts(current_user, org.id)
        and org.merged_into_id is None
    )
    return {
        "people": people.members,
        "contacts": people.contacts,
        "can_see_contacts": can_see,
        "can_manage_contacts": manage,
        # Only for who renders them (a form costs 150-300 calls to build).
        "contact_form": ContactForm(formdata=None) if manage else None,
        "action_form": ActionForm() if manage else None,
        "can_join": policies.can_request_to_join(current_user, org.id),
    }
