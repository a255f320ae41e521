"""Mail over TLS verifies the server: a loopback SMTP server with a self-signed certificate
(made here with the openssl command) gets nothing, and the row is kept for a retry with the
reason, unless MAIL_CA_FILE names that certificate; then the mail is delivered."""

from __future__ import annotations

import dataclasses
import shutil
import ssl
import subprocess
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from models.base import utcnow
from services.notifications import delivery, notify
from tests.support import free_port, service_unavailable
from tests.workers.faults import SmtpSink, _Handler


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        service_unavailable("the openssl command is not installed (it makes the test certificate)")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert),
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


class TlsSink(SmtpSink):
    """The Message-ID counting sink of the fault tests, speaking STARTTLS or implicit TLS."""

    def __init__(self, cert: Path, key: Path, implicit: bool) -> None:
        super().__init__()
        self.port = free_port()
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(cert, key)
        self.implicit = implicit

    def start(self) -> None:
        tls = (
            {"ssl_context": self.context}
            if self.implicit
            else {"tls_context": self.context, "require_starttls": True}
        )
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **tls)
        self.controller.start()


@contextmanager
def tls_sink(certificate: tuple[Path, Path], implicit: bool):
    sink = TlsSink(*certificate, implicit=implicit)
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


def _scope(app):
    factory = app.extensions["partnering.sessions"]

    @contextmanager
    def scope():
        with factory() as session:
            yield session
            session.commit()

    return scope


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "smtp_ssl"])
def test_tls_mail_needs_a_trusted_certificate(app, db, make_user, settings, certificate, implicit):
    with tls_sink(certificate, implicit) as sink:
        mail_settings = dataclasses.replace(
            settings,
            mail_server="127.0.0.1",
            mail_port=sink.port,
            mail_use_tls=not implicit,
            mail_use_ssl=implicit,
            smtp_timeout_seconds=5,
            outbox_max_attempts=5,
        )
        mail = notify.queue_email(db, make_user(), "account.reset", "password_reset", link="/r")
        db.commit()
        scope = _scope(app)

        assert delivery.deliver_one(scope, mail_settings, mail.id) == "pending"
        db.refresh(mail)
        assert "CERTIFICATE_VERIFY_FAILED" in mail.last_error, mail.last_error
        assert mail.attempts == 1 and sink.total == 0

        mail.next_attempt_at = utcnow() - timedelta(seconds=1)  # due again now
        db.commit()
        trusted = dataclasses.replace(mail_settings, mail_ca_file=str(certificate[0]))
        assert delivery.deliver_one(scope, trusted, mail.id) == "sent"
        db.refresh(mail)
        assert mail.status == "sent" and mail.last_error == ""
        assert sink.unique == {f"<outbox-{mail.id}@partnering-machine>"}


def test_the_ca_file_is_a_setting():
    from services.core.config import load_settings

    assert load_settings({"MAIL_CA_FILE": "/etc/ssl/mail-ca.pem"}).mail_ca_file == (
        "/etc/ssl/mail-ca.pem"
    )
    assert load_settings({}).mail_ca_file is None
