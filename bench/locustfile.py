"""Locust users for bench/load_pages.py: each user reads one kind of page, pausing between
pages like a person reading them.

Configured by the environment (bench/load_pages.py sets it): LOAD_PATHS ("|"-separated,
rotated over), LOAD_COOKIE (the signed-in session), LOAD_NAME (the label in the
statistics), LOAD_THINK_MS ("LO-HI", the pause after each answer) and LOAD_USER_AGENT.
Anything but a 200 counts as a failure (a redirect to the login page would otherwise pass).
"""

from __future__ import annotations

import itertools
import os
import random

from locust import FastHttpUser, between, task

PATHS = [p for p in os.environ.get("LOAD_PATHS", "/").split("|") if p]
LO, HI = (int(x) / 1000 for x in os.environ.get("LOAD_THINK_MS", "500-1500").split("-"))
HEADERS = {"User-Agent": os.environ.get("LOAD_USER_AGENT", "pm-load-bench/1")}
if os.environ.get("LOAD_COOKIE"):
    HEADERS["Cookie"] = os.environ["LOAD_COOKIE"]
NAME = os.environ.get("LOAD_NAME", "page")


class PageReader(FastHttpUser):
    wait_time = between(LO, HI)

    def on_start(self) -> None:
        start = random.randrange(len(PATHS))  # spreads users over the paths
        self.paths = itertools.islice(itertools.cycle(PATHS), start, None)

    @task
    def read(self) -> None:
        path = next(self.paths)
        with self.client.get(
            path, headers=HEADERS, name=NAME, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{path} answered {response.status_code}")
