"""Locust users for bench/load_pages.py: each user reads one kind of page, pausing between
pages like a person reading them.

Configured by the environment (bench/load_pages.py sets it): LOAD_PATHS ("|"-separated,
rotated over), LOAD_COOKIE (the signed-in session), LOAD_NAME (the label in the
statistics), LOAD_THINK_MS ("LO-HI", the pause after each answer) and LOAD_USER_AGENT.
Anything but a 200 counts as a failure (a redirect to the login page would otherwise pass).

With LOAD_MIX (JSON: role -> {"cookie": ..., "pages": [[name, path], ...]}) the users are
people of every role instead: user i takes role i mod #roles and reads that role's pages in
a random order, each page under its own name in the statistics (``--mix``).
"""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import FastHttpUser, between, task

PATHS = [p for p in os.environ.get("LOAD_PATHS", "/").split("|") if p]
LO, HI = (int(x) / 1000 for x in os.environ.get("LOAD_THINK_MS", "500-1500").split("-"))
HEADERS = {"User-Agent": os.environ.get("LOAD_USER_AGENT", "pm-load-bench/1")}
if os.environ.get("LOAD_COOKIE"):
    HEADERS["Cookie"] = os.environ["LOAD_COOKIE"]
NAME = os.environ.get("LOAD_NAME", "page")
MIX = json.loads(os.environ.get("LOAD_MIX", "{}"))
_next_user = itertools.count()


class PageReader(FastHttpUser):
    wait_time = between(LO, HI)

    def on_start(self) -> None:
        if MIX:
            role = sorted(MIX)[next(_next_user) % len(MIX)]
            pages = [tuple(page) for page in MIX[role]["pages"]]
            random.shuffle(pages)
            self.headers = (
                {**HEADERS, "Cookie": MIX[role]["cookie"]}
                if MIX[role]["cookie"]
                else {k: v for k, v in HEADERS.items() if k != "Cookie"}
            )
        else:
            pages = [(NAME, p) for p in PATHS]
            self.headers = HEADERS
        start = random.randrange(len(pages))  # spreads users over the paths
        self.pages = itertools.islice(itertools.cycle(pages), start, None)

    @task
    def read(self) -> None:
        name, path = next(self.pages)
        with self.client.get(
            path, headers=self.headers, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{path} answered {response.status_code}")
