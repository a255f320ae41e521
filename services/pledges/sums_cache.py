"""The funding pages' programme sums, kept per process until a change reaches them.

The funding overview and a programme's funding page sum 15,000 pledges on every request;
the sums change only when a submitted or confirmed pledge does. Each programme carries
``pledge_sums_token``, a random value replaced in the transaction of every change that can
move its sums, flushed through the ORM by any process (web, worker, command line): a
pledge entering, leaving or changing within the submitted and confirmed states; an
organisation becoming or ceasing to be an EFPIA member; a topic changing area or going;
an area renamed. A page computes the sums once per token and process.

A token is random, not a counter: sums computed inside a transaction that is rolled back
sit under a token no committed row will ever hold. The rules that decide a pledge
(services.pledges.rules) never read this cache: they sum under the envelope lock.
A write outside the ORM (raw SQL, a bulk load) must replace the tokens itself
(:func:`renew_all`).
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy import event, inspect, update
from sqlalchemy.orm import ORMExecuteState, Session

from models import Organisation, Pledge, Programme, ScientificArea, Topic

T = TypeVar("T")
LIVE = ("submitted", "confirmed")  # the states the sums read (rules.LIVE)
MAX_ENTRIES = 512  # (programme, token, what) entries per process; a few bytes of sums each
ALL = None  # "every programme": an organisation's membership or an area counts in all

_lock = threading.Lock()
_entries: OrderedDict[tuple[int, str, str], Any] = OrderedDict()


def cached(programme: Programme, what: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per programme token and ``what``; callers copy nothing: return
    values that are not changed afterwards (tuples, frozen dataclasses)."""
    token = programme.pledge_sums_token
    if not token:
        return compute()
    key = (programme.id, token, what)
    with _lock:
        if key in _entries:
            _entries.move_to_end(key)
            return _entries[key]
    value = compute()
    with _lock:
        _entries[key] = value
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def renew(session: Session, programme_ids: Iterable[int] | None) -> None:
    """Give the programmes (``None``: every programme) new tokens in this transaction."""
    # On the connection, not the session: a Core statement, seen by no ORM event.
    stmt = update(Programme).values(pledge_sums_token=uuid.uuid4().hex)
    ids: list[int] = []
    if programme_ids is not None:
        ids = sorted(set(programme_ids))
        if not ids:
            return
        stmt = stmt.where(Programme.id.in_(ids))
    session.connection().execute(stmt)
    # The programmes already loaded read the new token at their next access.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Programme) and (programme_ids is None or obj.id in ids):
            session.expire(obj, ["pledge_sums_token"])


def renew_all(session: Session) -> None:
    renew(session, ALL)


def _changed(obj: Any, name: str) -> bool:
    return bool(inspect(obj).attrs[name].history.has_changes())


def _in_sums(session: Session, pledge: Pledge) -> bool:
    """Whether the pledge was or becomes submitted or confirmed."""
    history = inspect(pledge).attrs["status"].history
    if history.added and not history.deleted and pledge not in session.new:
        return True  # set on an expired pledge: its old state is unknown
    states = {*history.added, *history.deleted, *history.unchanged} or {pledge.status}
    return bool(states & set(LIVE))


def _pledge_programmes(session: Session) -> tuple[set[int], bool]:
    """The programmes whose sums this flush can move, and whether it can move them all."""
    ids: set[int] = set()
    everything = False
    for obj in session.deleted:
        if (isinstance(obj, Pledge) and obj.status in LIVE) or isinstance(obj, Topic):
            ids.add(obj.programme_id)
        elif isinstance(obj, Organisation | ScientificArea):
            everything = True
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Pledge):
            if not _in_sums(session, obj):
                continue
            if obj in session.new or session.is_modified(obj, include_collections=False):
                programme = obj.programme_id or (obj.topic.programme_id if obj.topic else None)
                if programme is None:
                    everything = True
                else:
                    ids.add(programme)
        elif isinstance(obj, Topic) and obj not in session.new and _changed(obj, "area_id"):
            ids.add(obj.programme_id)
        elif isinstance(obj, Organisation) and obj not in session.new:
            everything = everything or _changed(obj, "is_efpia_member")
        elif isinstance(obj, ScientificArea) and obj not in session.new:
            everything = everything or _changed(obj, "name")
    return ids, everything


@event.listens_for(Session, "before_flush")
def _renew_before_flush(session: Session, _context: Any, _instances: Any) -> None:
    ids, everything = _pledge_programmes(session)
    if everything:
        renew(session, ALL)
    elif ids:
        renew(session, ids)


_WATCHED = (Pledge, Organisation, Topic, ScientificArea)


@event.listens_for(Session, "do_orm_execute")
def _renew_after_bulk(state: ORMExecuteState) -> None:
    """An ORM UPDATE, DELETE or INSERT statement on a watched table (a merge moving
    pledges, a bulk load): every programme gets a new token (they are rare)."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    mapper = state.bind_mapper
    if mapper is not None and issubclass(mapper.class_, _WATCHED):
        renew(state.session, ALL)
