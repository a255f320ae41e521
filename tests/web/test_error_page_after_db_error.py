"""The 500 page renders after a failed statement: on PostgreSQL the failed statement aborts
the transaction, and the error page (whose menu needs the signed-in user) used to fail
too. A test-only route runs the failing statement."""

from __future__ import annotations

from sqlalchemy import text

from tests.conftest import PASSWORD
from tests.support import login
from webapp.database import db as request_db


def test_the_error_page_renders_after_a_database_error(app, make_user):
    def broken() -> str:
        request_db().execute(text("SELECT * FROM no_such_table"))
        return "unreachable"

    app.add_url_rule("/test-only/broken", "test_broken", broken)
    client = app.test_client()
    login(client, make_user().email, PASSWORD)
    response = client.get("/test-only/broken")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in body and "Sign out" in body  # the full page, menu too
