"""Notifications under faults: runs the real-component scenarios and prints their figures.

Each scenario (tests/workers/test_notification_faults.py) uses a real SMTP server on
loopback counting Message-IDs, a private redis-server and real Celery worker/beat
processes: (a) 1,000 notifications with the worker SIGKILLed mid-delivery, (b) the SMTP
server down for a while, (c) Redis restarted between commit and enqueue, (d) two workers
and two beats sending deadline reminders.

Usage: PYTHONPATH=. python bench/notifications_faults.py            (SQLite)
       TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \
       PYTHONPATH=. python bench/notifications_faults.py            (PostgreSQL)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "tests" / "workers" / "test_notification_faults.py"


def main() -> int:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-m", "slow", str(SCENARIOS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    marker = "FAULT-FIGURES "
    lines = [line.split(marker, 1)[1] for line in proc.stdout.splitlines() if marker in line]
    for line in lines:
        scenario, *pairs = line.split()
        print(f"{scenario:24s} " + "  ".join(pairs))
    summary = proc.stdout.strip().splitlines()[-1:] or ["(no output)"]
    print("pytest:", summary[0])
    if proc.returncode != 0:
        print(proc.stdout[-4000:], proc.stderr[-2000:], sep="\n")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
