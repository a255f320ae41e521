"""Navigation by role. An entry shows only if its endpoint exists and the user may use it.
The inbox is not an entry: the header has its own link to it, with the unread count."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from models import User
from services import policies
from webapp.urls import constant_url


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    visible: Callable[[User], bool]


def _anyone(_user: User) -> bool:
    return True


NAV: tuple[NavItem, ...] = (
    NavItem("Dashboard", "main.dashboard", _anyone),
    NavItem("Topics", "topics.index", _anyone),
    NavItem("Calls", "topics.calls", _anyone),
    NavItem("Organisations", "organisations.index", _anyone),
    NavItem(
        "Join an organisation",
        "people.join_start",
        lambda u: not policies.organisation_ids(u) and not policies.is_coordinator(u),
    ),
    NavItem(
        "Join requests",
        "people.join_requests",
        lambda u: policies.is_coordinator(u) or policies.is_partner_rep(u),
    ),
    NavItem("My pledges", "pledges.mine", policies.is_partner_rep),
    NavItem("Funding", "pledges.funding", policies.is_coordinator),
    NavItem(
        "Consortia",
        "consortia.index",
        lambda u: policies.is_coordinator(u) or policies.is_sgg_member(u),
    ),
    NavItem("Users", "admin.users", policies.is_admin),
    NavItem("Programmes", "admin.programmes", policies.can_edit_programme_settings),
    NavItem("Outbox", "admin.outbox", policies.can_read_outbox),
    NavItem("Imports", "organisations.imports", policies.is_admin),
    NavItem("Background work", "admin.background", policies.is_admin),
)


def nav_for(user: User) -> list[tuple[str, str]]:
    """(label, url) pairs for the user's navigation bar."""
    views = current_app.view_functions
    return [
        (i.label, constant_url(i.endpoint)) for i in NAV if i.endpoint in views and i.visible(user)
    ]
