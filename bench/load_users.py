"""Locust runs of bench/load_pages.py: users with think time (bench/locustfile.py) reading
one kind of page, or people of every role reading all their pages at once (``--mix``)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# flask-login's "strong" session protection ties a session to the client's IP and
# User-Agent: the sign-in and every request must send the same one (bench/load_pages.py).
USER_AGENT = "pm-load-bench/1"


def _locust(base: str, users: int, seconds: int, env: dict[str, str]) -> list[dict]:
    """Run bench/locustfile.py headless with ``env`` added; the rows of its statistics."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
            "--headless", "--host", base, "-u", str(users), "-r", "10", "-t", f"{seconds}s",
            "--reset-stats", "--only-summary", "--loglevel", "ERROR", "--csv", f"{tmp}/run",
        ]  # fmt: skip
        env = {**os.environ, "LOAD_USER_AGENT": USER_AGENT, **env}
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp)
        stats = Path(f"{tmp}/run_stats.csv")
        if not stats.exists():
            raise SystemExit(f"locust failed: {out.stdout}\n{out.stderr}")
        with stats.open() as fh:
            return list(csv.DictReader(fh))


def run_locust(
    base: str, name: str, paths: list[str], cookie: str, users: int, seconds: int, think: str
) -> dict:
    """``users`` locust users (bench/locustfile.py) reading ``paths``, pausing ``think`` ms
    after each answer; started 10 a second, statistics from when all are running."""
    env = {"LOAD_PATHS": "|".join(paths), "LOAD_COOKIE": cookie, "LOAD_NAME": name,
           "LOAD_THINK_MS": think}  # fmt: skip
    row = next(r for r in _locust(base, users, seconds, env) if r["Name"] == name)
    count = int(row["Request Count"])
    return {
        "requests": count,
        "seconds": count / float(row["Requests/s"]) if float(row["Requests/s"]) else seconds,
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
        "non200": int(row["Failure Count"]),
        **dict.fromkeys(("connect", "read", "write", "timeout"), 0),
    }


def run_mix(base: str, pages: dict, cookies: dict, users: int, seconds: int, think: str) -> None:
    """Every page at once: ``users`` locust users of every role (bench/locustfile.py)."""
    mix: dict[str, dict] = {}
    for name, (role, paths) in pages.items():
        entry = mix.setdefault(role or "visitor", {"cookie": cookies.get(role, ""), "pages": []})
        entry["pages"] += [[name, path] for path in paths]
    rows = _locust(base, users, seconds, {"LOAD_MIX": json.dumps(mix), "LOAD_THINK_MS": think})
    print(f"\n{users} users of every role, think {think} ms, {seconds} s (after all started):")
    print("| page | requests | p50 ms | p95 ms | p99 ms | failures |\n|---|---|---|---|---|---|")
    slow, failures = [], 0
    for row in rows:
        label = "all pages" if row["Name"] == "Aggregated" else row["Name"]
        print(
            f"| {label} | {row['Request Count']} | {row['50%']} | {row['95%']} "
            f"| {row['99%']} | {row['Failure Count']} |"
        )
        if row["Name"] != "Aggregated":
            failures += int(row["Failure Count"])
            if float(row["95%"]) > 100:
                slow.append(f"{label} ({row['95%']} ms)")
    print(f"target p95 <= 100 ms for every page at {users} users:",
          "met" if not slow else f"missed: {', '.join(slow)}")  # fmt: skip
    print("target no errors:", "met" if failures == 0 else f"missed: {failures} failures")
