"""The funding pages' programme sums, kept per process until a change reaches them.

The funding overview and a programme's funding page sum 15,000 pledges on every request;
the sums change only when a submitted or confirmed pledge does. Each programme carries
``pledge_sums_token``, a random value replaced in the transaction of every change that can
move its sums, flushed through the ORM by any process (web, worker, command line): a
pledge entering, leaving or changing within the submitted and confirmed states; an
organisation becoming or ceasing to be an EFPIA member; a topic changing area or going;
an area renamed. A page computes the sums once per token and process.

With Redis (``REDIS_URL``), the first process to compute the sums of a token leaves them
there for a day (``SharedSums``: JSON, under the token), and the others read them instead
of summing again: 50 users at once met a cold process on one coordinator page in five.
Redis failing costs the sums once per process, never an error.

A token is random, not a counter: sums computed inside a transaction that is rolled back
sit under a token no committed row will ever hold. The rules that decide a pledge
(services.pledges.rules) never read this cache: they sum under the envelope lock.
A write outside the ORM (raw SQL, a bulk load) must replace the tokens itself
(:func:`renew_all`).
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from decimal import Decimal
from types import MappingProxyType
from typing import Any, TypeVar

import redis
from sqlalchemy import event, inspect, update
from sqlalchemy.orm import ORMExecuteState, Session

from models import Organisation, Pledge, Programme, ScientificArea, Topic

T = TypeVar("T")
LIVE = ("submitted", "confirmed")  # the states the sums read (rules.LIVE)
MAX_ENTRIES = 512  # (programme, token, what) entries per process; a few bytes of sums each
ALL = None  # "every programme": an organisation's membership or an area counts in all

log = logging.getLogger(__name__)
_lock = threading.Lock()
_entries: OrderedDict[tuple[int, str, str], Any] = OrderedDict()


class SharedSums:
    """The sums of every process, in Redis under their token (a day, then they go)."""

    TTL_SECONDS = 24 * 3600
    PREFIX = "partnering:pledge-sums"

    def __init__(self, redis_url: str) -> None:
        # Short timeouts: a page waits for Redis at most this long before summing itself.
        self._client = redis.Redis.from_url(
            redis_url, socket_connect_timeout=0.2, socket_timeout=0.2
        )

    def get(self, key: tuple[int, str, str]) -> Any | None:
        try:
            found = self._client.get(self._name(key))
        except redis.RedisError as exc:
            log.warning("pledge sums: Redis read failed (%s); summing in this process", exc)
            return None
        try:
            return None if found is None else json.loads(found)
        except ValueError:  # not JSON: whatever wrote it, the sums are computed again
            log.warning("pledge sums: an entry in Redis is not JSON; summing again")
            return None

    def put(self, key: tuple[int, str, str], value: Any) -> None:
        try:
            self._client.set(self._name(key), json.dumps(value), ex=self.TTL_SECONDS)
        except redis.RedisError as exc:
            log.warning("pledge sums: Redis write failed (%s); kept in this process", exc)

    def _name(self, key: tuple[int, str, str]) -> str:
        programme_id, token, what = key
        return f"{self.PREFIX}:{programme_id}:{token}:{what}"


class Codec:
    """How a kind of sums goes to JSON and back (Redis keeps text)."""

    def __init__(self, encode: Callable[[Any], Any], decode: Callable[[Any], Any]) -> None:
        self.encode, self.decode = encode, decode


def _whole(value: Any) -> int:
    """Cents as an int (PostgreSQL's sums are numeric): JSON keeps them exact."""
    return round(Decimal(str(value or 0)))


def _table(found: Any, width: int) -> list[list[Any]]:
    """Rows of ``width`` values, or ValueError (Redis holds whatever was written there)."""
    if not isinstance(found, list) or any(
        not isinstance(row, list) or len(row) != width for row in found
    ):
        raise ValueError(f"not rows of {width} values")
    return found


def _cell(value: Any) -> Any:
    return None if value is None else value if isinstance(value, str) else _whole(value)


# Euros by name (rules.programme_sums), rows of (name, cents, cents), cents by topic id.
EUROS = Codec(
    lambda sums: {name: str(value) for name, value in sums.items()},
    lambda found: {name: Decimal(value) for name, value in dict(found).items()},
)
AREA_ROWS = Codec(
    lambda rows: [[_cell(v) for v in row] for row in rows],
    lambda found: tuple(tuple(row) for row in _table(found, 3)),
)
BY_ID = Codec(
    lambda sums: [[key, *map(_whole, values)] for key, values in sums.items()],
    lambda found: MappingProxyType({row[0]: tuple(row[1:]) for row in _table(found, 4)}),
)


def _decoded(found: Any, codec: Codec | None) -> Any | None:
    """What Redis held, decoded; None (sum again) for nothing or for what does not decode."""
    if found is None or codec is None:
        return None
    try:
        return codec.decode(found)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, ArithmeticError) as exc:
        log.warning("pledge sums: unreadable entry in Redis (%r); summing again", exc)
        return None


def cached(
    session: Session,
    programme: Programme,
    what: str,
    compute: Callable[[], T],
    codec: Codec | None = None,
) -> T:
    """``compute()`` once per programme token and ``what``: in this process, and with a
    ``codec`` and the session's ``SharedSums`` (``session.info["pledge_sums"]``), once for
    every process. Callers copy nothing: return values that are not changed afterwards
    (tuples, read-only mappings)."""
    token = programme.pledge_sums_token
    if not token:
        return compute()
    key = (programme.id, token, what)
    with _lock:
        if key in _entries:
            _entries.move_to_end(key)
            return _entries[key]
    shared: SharedSums | None = session.info.get("pledge_sums") if codec else None
    value = _decoded(shared.get(key), codec) if shared is not None and codec else None
    if value is None:
        value = compute()
        if shared is not None and codec is not None:
            shared.put(key, codec.encode(value))
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
