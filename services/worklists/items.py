"""What a work queue is made of, and how its counts and ages read in words.

A queue holds groups (one, unnamed, for most queues; one per state for "my topics" and
"my pledges") of items. An item names the page where its work is done by endpoint and
arguments, so the services know no URLs; the template builds the link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

SHOWN = 8  # items listed per group; the count says how many there are in all


def plural(n: int, one: str, many: str) -> str:
    """ "1 pledge", "2 pledges", "0 pledges"."""
    return f"{n:,} {one if n == 1 else many}"


def money(amount: Decimal) -> str:
    return f"EUR {amount:,.2f}"


def duration(seconds: float) -> str:
    """A span in the largest whole unit that reads well: "3 days", "5 hours"."""
    seconds = abs(seconds)
    if seconds < 3600:
        return "less than an hour"
    if seconds < 86400:
        return plural(int(seconds // 3600), "hour", "hours")
    days = int(seconds // 86400)
    if days < 60:
        return plural(days, "day", "days")
    return plural(days // 30, "month", "months")


def until(when: datetime, now: datetime) -> str:
    """ "in 5 days" ahead of ``now``, "3 days ago" behind it."""
    seconds = (when - now).total_seconds()
    return f"in {duration(seconds)}" if seconds >= 0 else f"{duration(seconds)} ago"


@dataclass(frozen=True)
class Link:
    """A page of the web app: its endpoint, arguments and an anchor within it."""

    endpoint: str
    args: dict[str, Any] = field(default_factory=dict)
    anchor: str = ""


@dataclass(frozen=True)
class Item:
    title: str  # what the work is about (never a title the viewer may not open)
    action: str  # what to do there: "Screen", "Confirm or reject"...
    link: Link
    detail: str = ""
    since: datetime | None = None  # when it started waiting
    due: datetime | None = None  # its deadline or expiry, where it has one

    def overdue(self, now: datetime) -> bool:
        return self.due is not None and self.due < now


@dataclass
class Group:
    label: str  # "" for a queue's only group
    total: int
    items: list[Item]


@dataclass
class Queue:
    key: str  # stable, for the page's anchors and the tests
    title: str
    one: str  # the noun counted: "pledge"
    many: str  # its plural: "pledges"
    empty: str  # the sentence shown when nothing waits
    groups: list[Group] = field(default_factory=list)
    due_word: str = ""  # how a due date reads: "expires", "deadline"
    since_word: str = "waiting {}"  # how an item's age reads: "waiting 3 days"
    more: Link | None = None  # where the whole list is

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)

    @property
    def count(self) -> str:
        return self.count_of(self.total)

    def count_of(self, n: int) -> str:
        return plural(n, self.one, self.many)

    def age(self, item: Item, now: datetime) -> str:
        if item.since is None:
            return ""
        return self.since_word.format(duration((now - item.since).total_seconds()))

    def due(self, item: Item, now: datetime) -> str:
        if item.due is None:
            return ""
        return f"{self.due_word} {until(item.due, now)}".strip()


@dataclass
class Section:
    """The queues of one role of the viewer."""

    key: str
    title: str
    queues: list[Queue]


@dataclass
class Dashboard:
    now: datetime
    sections: list[Section]

    @property
    def total(self) -> int:
        return sum(q.total for s in self.sections for q in s.queues)


def single(rows: list[Any], items: list[Item]) -> list[Group]:
    """The one group of an ungrouped queue from ``ranked`` rows (none when empty)."""
    return [Group("", rows[0].total, items)] if rows else []


def grouped(rows: list[Any], label: Any, item: Any, order: list[str] | None = None) -> list[Group]:
    """Groups from rows carrying ``group`` and ``total`` columns (``ranked`` queries):
    ``label(group)`` names a group, ``item(row)`` builds an item; ``order`` sorts groups."""
    groups: dict[str, Group] = {}
    for row in rows:
        g = groups.get(row.group)
        if g is None:
            g = groups[row.group] = Group(label(row.group), row.total, [])
        g.items.append(item(row))
    keys = list(groups)
    if order is not None:
        keys.sort(key=lambda k: order.index(k) if k in order else len(order))
    return [groups[k] for k in keys]
