"""Cancelling the consortium jobs: a match computation, an expertise index build.

The lease machinery (services/operations/leases.py) does the work: a queued job is
cancelled at once, a running one stops at its worker's next checkpoint.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from models import ExpertiseIndexVersion, MatchRequest
from services import policies
from services.consortia.match_requests import get_request
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import Conflict, NotFound, PermissionDenied
from services.operations import leases


def cancel_match(session: Session, ctx: RequestContext, request_id: int) -> MatchRequest:
    """Cancel a queued or running suggestion (who asked for it, or a coordinator)."""
    req = get_request(session, ctx.user, request_id)
    if not policies.can_cancel_match(ctx.user, req):
        raise PermissionDenied("Only who asked for this suggestion or a coordinator can cancel it.")
    if req.status not in leases.MATCH.live or req.cancel_requested_at is not None:
        raise Conflict(f"This suggestion is {req.status}: there is nothing to cancel.")
    state = leases.cancel(session, leases.MATCH, req, f"Cancelled by {ctx.user.name}.")
    audit.record(session, ctx.user, "match.cancelled", req, ip=ctx.client_ip, state=state)
    return req


def cancel_index_build(
    session: Session, ctx: RequestContext, version_id: int
) -> ExpertiseIndexVersion:
    """Cancel a queued or running build of the expertise index (administrators)."""
    if not policies.can_build_index(ctx.user):
        raise PermissionDenied("Only administrators can cancel an index build.")
    version = session.get(ExpertiseIndexVersion, version_id)
    if version is None:
        raise NotFound("No such index version.")
    if version.status not in leases.INDEX.live or version.cancel_requested_at is not None:
        raise Conflict(f"Index build {version.id} is {version.status}: nothing to cancel.")
    state = leases.cancel(session, leases.INDEX, version, f"Cancelled by {ctx.user.name}.")
    audit.record(session, ctx.user, "expertise_index.cancelled", version, ip=ctx.client_ip,
                 state=state)  # fmt: skip
    return version
