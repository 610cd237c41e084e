"""People writing through the gateway in the background while a test hurts Carrel.

Each thread is one person with a client of their own, as on their own
device: a mentee changes their interests, the mentor logs sessions; threads
past the team's mentees only read. Two threads never write the same profile,
whose optimistic concurrency would (rightly) answer 409 to one of them. Every
answer is counted by status, so a test can say which failures it allows
(none, unless the fault is PostgreSQL itself, which the write path needs).
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx

from tests.faults.programme import Person, Team, client

TOPICS = ["metadata", "preservation", "digital scholarship", "outreach", "archives"]


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(
        self, what: str, answer: httpx.Response | Exception, took: float
    ) -> None:
        with self.lock:
            if isinstance(answer, Exception):
                self.statuses[0] += 1
                self.failures.append(f"{what}: {answer!r}")
                return
            self.statuses[answer.status_code] += 1
            self.latencies.append(took)
            if not answer.is_success:
                self.failures.append(
                    f"{what}: {answer.status_code} {answer.text[:200]}"
                )

    @property
    def succeeded(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)


class Writers:
    """Background writers and readers on one team until stopped."""

    def __init__(
        self, url: str, team: Team, threads: int = 2, reads: bool = False
    ) -> None:
        self.url = url
        self.team = team
        self.tally = Tally()
        self.reads = reads
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(n,), daemon=True)
            for n in range(threads)
        ]

    def __enter__(self) -> Writers:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _run(self, number: int) -> None:
        rng = random.Random(number)
        mentees = self.team.mentees
        writer = mentees[number] if number < len(mentees) else None
        with client(self.url, timeout=20) as http:
            while not self._stop.is_set():
                self._one(http, rng, writer, logs_sessions=number == 0)

    def _one(
        self,
        http: httpx.Client,
        rng: random.Random,
        mentee: Person | None,
        logs_sessions: bool,
    ) -> None:
        choice = rng.random()
        if mentee is None or (self.reads and choice < 0.5):
            reader = rng.choice(self.team.people)
            self._call(
                http,
                "GET directory",
                "GET",
                f"/teams/{self.team.team_id}/directory",
                reader,
            )
        elif choice < 0.85 or not logs_sessions:
            body = {"interests": rng.sample(TOPICS, 2)}
            self._call(
                http, "PUT interests", "PUT", "/me/profile/interests", mentee, body
            )
        else:
            held_on = date.today() - timedelta(days=rng.randint(1, 300))
            team, mentorship = self.team.team_id, self.team.mentorship_id
            path = f"/teams/{team}/mentorships/{mentorship}/sessions"
            session = {"held_on": held_on.isoformat(), "minutes": 30}
            self._call(
                http, "POST session", "POST", path, self.team.mentors[0], session
            )

    def _call(
        self,
        http: httpx.Client,
        what: str,
        method: str,
        path: str,
        person: Person,
        body: object = None,
    ) -> None:
        started = time.monotonic()
        try:
            answer: httpx.Response | Exception = http.request(
                method, path, json=body, headers=person.headers
            )
        except httpx.HTTPError as error:
            answer = error
            time.sleep(0.2)
        self.tally.record(what, answer, time.monotonic() - started)
