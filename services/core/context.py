"""Who asks for a use case and from where: the one object a service receives instead of
loose ``actor``, ``ip`` and ``public_url`` arguments.

The web layer builds one per request (webapp.helpers.context: the signed-in user, the
client's address, the configured public URL); a task or CLI command builds one from the
settings with ``for_settings`` (no client IP; the actor is the user it acts for, or None).
"""

from __future__ import annotations

from dataclasses import dataclass

from models import User
from services.core.config import Settings
from services.core.errors import PermissionDenied


@dataclass(frozen=True)
class RequestContext:
    actor: User | None
    client_ip: str = ""  # recorded in the audit log; "" outside a web request
    public_url: str = ""  # prefix of the links in notifications; "" gives relative links
    invitation_expiry_days: int = 14  # INVITATION_EXPIRY_DAYS, for whoever sends invitations

    @classmethod
    def for_settings(cls, settings: Settings, actor: User | None = None) -> RequestContext:
        """The context of a task or CLI command: no client, the deployment's public URL."""
        return cls(
            actor,
            public_url=settings.public_url,
            invitation_expiry_days=settings.invitation_expiry_days,
        )

    @property
    def user(self) -> User:
        """The acting user, for use cases that nobody may run anonymously."""
        if self.actor is None:
            raise PermissionDenied("Sign in first.")
        return self.actor

    def link(self, path: str) -> str:
        """The address of ``path`` ("/pledges/7") for a notification."""
        return f"{self.public_url}{path}"
