"""Contacts of an organisation: add, edit, remove, list; permissions; the CSV import."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import AuditEntry, Contact
from services import policies
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.organisations import contacts
from services.organisations.contacts_csv import (
    MAX_BYTES,
    ContactImportRefused,
    import_contacts,
)


@pytest.fixture
def person(make_user):
    """A user without a password (hashing one costs half a second; nobody signs in here)."""

    def _make(role: str = "viewer", **kwargs):
        return make_user(role, password=None, **kwargs)

    return _make


def _count(db) -> int:
    return db.scalar(select(func.count(Contact.id)))


def test_add_normalises_links_a_verified_account_and_audits(db, world, person):
    uni = world["uni"]
    coordinator = person("coordinator")
    person = person("viewer", email="ada@uni-testing.eu")
    contact = contacts.add_contact(
        db,
        RequestContext(coordinator),
        uni.id,
        name="  Ada Lovelace ",
        email=" Ada@Uni-Testing.EU ",
        function="Grants office",
    )
    db.commit()
    assert (contact.name, contact.email, contact.function) == (
        "Ada Lovelace",
        "ada@uni-testing.eu",
        "Grants office",
    )
    assert contact.user_id == person.id and contact.source == "manual"
    assert contact.created_by_id == coordinator.id
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "contact.added"))
    assert entry.actor_id == coordinator.id and entry.details["organisation"] == uni.id
    assert [c.email for c in contacts.contacts_of(db, uni.id)] == ["ada@uni-testing.eu"]


def test_duplicates_per_organisation_are_refused_but_allowed_elsewhere(db, world, person):
    ctx = RequestContext(person("coordinator"))
    contacts.add_contact(db, ctx, world["uni"].id, name="Bob", email="bob@x.org")
    with pytest.raises(Conflict) as refused:
        contacts.add_contact(db, ctx, world["uni"].id, name="Bobby", email="BOB@x.org ")
    assert "already a contact" in refused.value.message
    assert refused.value.field_errors == {"email": ["Already a contact of this organisation."]}
    contacts.add_contact(db, ctx, world["pharma"].id, name="Bob", email="bob@x.org")
    db.commit()
    assert _count(db) == 2


BAD_CONTACTS = [
    ("", "a@x.org", "", {"name"}),
    ("Ann", "not-an-email", "", {"email"}),
    ("Ann\x00", "a@x.org", "", {"name"}),
    ("Ann", "a\x00@x.org", "", {"email"}),
    ("Ann", "a@x.org", "Boss\x00", {"function"}),
    ("Ann\ud800", "a@x.org", "", {"name"}),
    ("A" * 201, "a@x.org", "F" * 201, {"name", "function"}),
    ("Ann", "a@" + "x" * 250 + ".org", "", {"email"}),
    ("", "", "", {"name", "email"}),
]


def test_bad_input_is_refused_with_the_fields_named(db, world, person):
    """One test for every case: each per-test database reset costs seconds on PostgreSQL."""
    ctx = RequestContext(person("coordinator"))
    for name, email, function, fields in BAD_CONTACTS:
        with pytest.raises(InvalidInput) as refused:
            contacts.add_contact(
                db, ctx, world["uni"].id, name=name, email=email, function=function
            )
        assert set(refused.value.field_errors) == fields, (name, email, function)
    db.commit()  # nothing half-written, and a NUL never reached PostgreSQL
    assert _count(db) == 0


def test_unverified_accounts_are_not_linked(db, world, person):
    person = person("viewer", email="eve@x.org")
    person.email_verified_at = None
    db.commit()
    contact = contacts.add_contact(db, RequestContext(None), world["uni"].id, name="Eve",
                                   email="eve@x.org")  # fmt: skip
    assert contact.user_id is None


def test_who_may_keep_and_see_contacts(db, world, person):
    uni, pharma = world["uni"], world["pharma"]
    member = person("viewer", org_id=uni.id, org_role="applicant")
    rep = person("viewer", org_id=uni.id, org_role="partner_rep")
    other_rep = person("viewer", org_id=pharma.id, org_role="partner_rep")
    viewer, sgg = person("viewer"), person("viewer", sgg_id=world["sgg_a"].id)
    admin = person("admin")
    for allowed in (member, rep, admin, person("coordinator")):
        assert policies.can_see_contacts(allowed, uni.id)
        assert policies.can_manage_contacts(allowed, uni)
    for refused in (other_rep, viewer, sgg, None):
        assert not policies.can_see_contacts(refused, uni.id)
    contact = contacts.add_contact(db, RequestContext(member), uni.id, name="C", email="c@x.org")
    with pytest.raises(PermissionDenied):
        contacts.add_contact(db, RequestContext(other_rep), uni.id, name="D", email="d@x.org")
    with pytest.raises(NotFound):  # a contact of another organisation is not even named
        contacts.remove_contact(db, RequestContext(other_rep), contact.id)
    with pytest.raises(NotFound):
        contacts.edit_contact(db, RequestContext(viewer), contact.id, name="X", email="c@x.org")
    with pytest.raises(NotFound):
        contacts.add_contact(db, RequestContext(admin), 999_999, name="E", email="e@x.org")
    contacts.remove_contact(db, RequestContext(rep), contact.id)
    db.commit()
    assert _count(db) == 0
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "contact.removed"))


def test_edit_changes_fields_relinks_and_refuses_a_taken_address(db, world, person):
    uni = world["uni"]
    ctx = RequestContext(person("coordinator"))
    person = person("viewer", email="new@x.org")
    first = contacts.add_contact(db, ctx, uni.id, name="First", email="first@x.org")
    contacts.add_contact(db, ctx, uni.id, name="Second", email="second@x.org")
    with pytest.raises(Conflict):
        contacts.edit_contact(db, ctx, first.id, name="First", email="Second@x.org")
    edited = contacts.edit_contact(db, ctx, first.id, name="Renamed", email="new@x.org",
                                   function="PI")  # fmt: skip
    db.commit()
    assert (edited.name, edited.email, edited.function, edited.user_id) == (
        "Renamed",
        "new@x.org",
        "PI",
        person.id,
    )
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "contact.edited"))
    assert entry.details["changes"]["email"] == {"old": "first@x.org", "new": "new@x.org"}


def test_an_account_created_later_is_linked_to_its_contacts(db, world, person):
    contacts.add_contact(db, RequestContext(None), world["uni"].id, name="Late", email="late@x.org")
    contacts.add_contact(db, RequestContext(None), world["pharma"].id, name="Late",
                         email="late@x.org")  # fmt: skip
    db.commit()
    late = person("viewer", email="Late@x.org")
    assert {c.user_id for c in db.scalars(select(Contact))} == {late.id}


# --- CSV --------------------------------------------------------------------------------


def _csv(*lines: str, bom: bool = False, sep: str = ";") -> bytes:
    text = "\r\n".join(line.replace(";", sep) for line in lines) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def test_csv_with_bom_and_either_separator_imports_every_row(db, world, person):
    ctx = RequestContext(person("coordinator"))
    uni, pharma = world["uni"], world["pharma"]
    known = contacts.add_contact(db, ctx, uni.id, name="Known", email="known@x.org")
    data = _csv(
        "Organisation;Name;E-mail;Function",
        f"{uni.pic};Zoë Müller;zoe@x.org;Professor",
        f"{pharma.id};Jan Novák;JAN@x.org;",
        f"{uni.pic};Known again;known@x.org;",
        ";;;",
        bom=True,
    )
    report = import_contacts(db, ctx, data)
    assert (report.added, report.known) == (2, 1)
    data = _csv("pic,name,email", f'{pharma.pic},"Smith, Anna",anna@x.org', sep=",")
    assert import_contacts(db, ctx, data).added == 1
    db.commit()
    by_email = {c.email: c for c in db.scalars(select(Contact))}
    assert by_email["zoe@x.org"].name == "Zoë Müller" and by_email["zoe@x.org"].source == "csv"
    assert by_email["jan@x.org"].organisation_id == pharma.id
    assert by_email["anna@x.org"].name == "Smith, Anna"
    assert by_email["known@x.org"].name == known.name


def test_csv_with_bad_rows_reports_each_and_writes_nothing(db, world, person):
    uni = world["uni"]
    ctx = RequestContext(person("coordinator"))
    data = _csv(
        "organisation;name;email;function",
        f"{uni.pic};Good One;good@x.org;",
        f"{uni.pic};;noname@x.org;",
        "123456789;Ghost;ghost@x.org;",
        f"{uni.pic};Bad Mail;bad-mail;",
        f"{uni.pic};Nul\x00Name;nul@x.org;",
        f"{uni.pic};Good Again;GOOD@x.org;",
        ";No Org;noorg@x.org;",
    )
    with pytest.raises(ContactImportRefused) as refused:
        import_contacts(db, ctx, data)
    lines = {e.line: e.reason for e in refused.value.errors}
    assert sorted(lines) == [3, 4, 5, 6, 7, 8]
    assert "required" in lines[3] and "123456789" in lines[4] and "email" in lines[5]
    assert "NUL byte" in lines[6] and "line 2" in lines[7]
    assert "no organisation" in lines[8]
    assert refused.value.message == "6 rows are not valid; nothing was imported."
    db.commit()
    assert _count(db) == 0


BAD_FILES = [
    (b"", "empty"),
    ("name;email\n".encode("utf-16"), "not UTF-8"),
    (b"\xff\xfename;email\n", "not UTF-8"),
    (b"name;email\n", "no contacts"),
    (b"name;phone\nA;1\n", "unknown column 'phone'"),
    (b"organisation;name\n1;A\n", "no email column"),
    (b"pic;organisation_id;name;email\n1;1;A;a@x.org\n", "one column"),
    (b"name;email\nA;a@x.org\n", "no organisation"),
    (b"x" * (MAX_BYTES + 1), "larger than"),
]


def test_csv_files_refused_as_a_whole(db, world, person):
    ctx = RequestContext(person("coordinator"))
    for data, message in BAD_FILES:
        with pytest.raises(InvalidInput) as refused:
            import_contacts(db, ctx, data)
        errors = getattr(refused.value, "errors", [])
        text = refused.value.message + " ".join(e.reason for e in errors)
        assert message in text, (data[:40], text)
    assert _count(db) == 0


def test_csv_from_an_organisation_page_is_for_that_organisation(db, world, person):
    uni, pharma = world["uni"], world["pharma"]
    rep = person("viewer", org_id=uni.id, org_role="partner_rep")
    ctx = RequestContext(rep)
    report = import_contacts(db, ctx, _csv("name;email", "A;a@x.org"), organisation_id=uni.id)
    assert report.added == 1
    with pytest.raises(ContactImportRefused) as refused:
        import_contacts(
            db, ctx, _csv("pic;name;email", f"{pharma.pic};B;b@x.org"), organisation_id=uni.id
        )
    assert "this file is for University of Testing" in refused.value.errors[0].reason
    with pytest.raises(ContactImportRefused) as refused:  # no page: rows checked one by one
        import_contacts(db, ctx, _csv("pic;name;email", f"{pharma.pic};B;b@x.org"))
    assert "you cannot change the contacts of Pharma One AG" in refused.value.errors[0].reason
    with pytest.raises(PermissionDenied):
        import_contacts(db, ctx, _csv("name;email", "B;b@x.org"), organisation_id=pharma.id)
    db.commit()
    assert _count(db) == 1


def test_csv_row_limit(db, world, person, monkeypatch):
    from services.organisations import contacts_csv

    monkeypatch.setattr(contacts_csv, "MAX_ROWS", 3)
    uni = world["uni"]
    rows = [f"{uni.pic};P{i};p{i}@x.org" for i in range(4)]
    with pytest.raises(InvalidInput, match="more than 3 contacts"):
        import_contacts(db, RequestContext(None), _csv("pic;name;email", *rows))
