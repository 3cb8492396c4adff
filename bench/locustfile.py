"""A city morning for locust: employees learning, supervisors and HR at their dashboards.

    locust -f bench/locustfile.py --headless -u 200 -r 20 -t 120s --host http://127.0.0.1:PORT

``bench/city_morning.py`` starts the cluster, seeds it and runs this; by hand, the cluster must
hold the accounts it names (``LOCUST_*`` below, as ``city_morning.py`` sets them):

- employees ``ujianNNNN`` (``bench/quiz_load.py``'s ``seed``: password ``kuis12345``, enrolled
  in ``UJIAN-KUIS``, whose post-test is quiz ``LOCUST_QUIZ_ID``), each simulated employee its
  own account: the catalogue, a search, the course page, the lesson page (which records
  progress), their dashboard, and once the quiz (intro, start, the attempt page, one autosave per
  question as ``lms/static/js/quiz.js`` sends it, submit, the result page);
- supervisors as the demo's ``atasan`` (their dashboard, the team's JP page);
- HR as the demo's ``bkpsdm`` (the BKPSDM dashboard, a report page, a CSV export streamed, and
  a background XLSX export started and polled until ready).

Each simulated user logs in once, through the real form (GET /masuk for the CSRF token, POST
/masuk). No redirect is followed by requests itself: each one is a request of its own, named,
so locust's count is the count of requests the app servers answered (for comparing with
Prometheus). Supervisors and HR share one account each (the per-account login limit is 10 a
minute): ``fixed_count`` keeps them few.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
QUESTION = re.compile(r'data-question="(\d+)"')
FORM = {"Content-Type": "application/x-www-form-urlencoded"}

QUIZ_ID = int(os.environ.get("LOCUST_QUIZ_ID", "1"))
COURSE = os.environ.get("LOCUST_COURSE", "UJIAN-KUIS")
EMPLOYEE_PASSWORD = os.environ.get("LOCUST_EMPLOYEE_PASSWORD", "kuis12345")
DEMO_PASSWORD = os.environ.get("LOCUST_DEMO_PASSWORD", "demo12345")
SUPERVISORS = int(os.environ.get("LOCUST_SUPERVISORS", "8"))
HR = int(os.environ.get("LOCUST_HR", "5"))
REPORT = os.environ.get("LOCUST_REPORT", "jp-compliance")
SEARCHES = ("uji", "kuis", "pelatihan", "manajemen", "digital")
_EMPLOYEE_NUMBERS = itertools.count()


class Person(HttpUser):
    abstract = True
    wait_time = between(1, 5)  # reading a page between clicks
    username = ""
    password = DEMO_PASSWORD

    def on_start(self) -> None:
        self.token = ""
        page = self.get("/masuk", "login page")
        self.token = self.csrf(page)
        form = {"identifier": self.username, "password": self.password, "csrf_token": self.token}
        with self.client.post(
            "/masuk", data=form, name="login", allow_redirects=False, catch_response=True
        ) as resp:
            if resp.status_code != 302 or "/masuk" in resp.headers.get("Location", ""):
                resp.failure(f"login {self.username}: {resp.status_code}")

    def get(self, path: str, name: str, expect: int = 200) -> str:
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as resp:
            if resp.status_code != expect:
                resp.failure(f"{resp.status_code} {resp.headers.get('Location', '')}".strip())
                return ""
            return resp.text if expect == 200 else resp.headers.get("Location", "")

    def post(self, path: str, name: str, expect: int = 302, **kwargs) -> str:
        with self.client.post(
            path, name=name, allow_redirects=False, catch_response=True, **kwargs
        ) as resp:
            if resp.status_code != expect:
                resp.failure(f"{resp.status_code} {resp.headers.get('Location', '')}".strip())
                return ""
            return resp.headers.get("Location", "") if expect == 302 else resp.text

    def csrf(self, page: str) -> str:
        found = TOKEN.search(page)
        return found.group(1) if found else self.token


class Employee(Person):
    weight = 1  # every user that is not a supervisor or HR (those have fixed counts)
    password = EMPLOYEE_PASSWORD

    def on_start(self) -> None:
        self.username = f"ujian{next(_EMPLOYEE_NUMBERS):04d}"
        self.quiz_done = False
        super().on_start()

    @task(3)
    def catalogue(self) -> None:
        self.get("/pelatihan", "catalogue")

    @task(2)
    def search(self) -> None:
        self.get(f"/pelatihan?q={random.choice(SEARCHES)}", "search")

    @task(2)
    def course_page(self) -> None:
        self.get(f"/pelatihan/{COURSE}", "course page")

    @task(3)
    def lesson(self) -> None:
        where = self.get(f"/belajar/{COURSE}", "resume", expect=302)
        if where:
            self.get(where, "lesson page")

    @task(3)
    def dashboard(self) -> None:
        self.get("/dasbor", "dashboard")

    @task(1)
    def quiz(self) -> None:
        if self.quiz_done:
            return self.dashboard()
        self.quiz_done = True
        page = self.get(f"/kuis/{QUIZ_ID}", "quiz intro")
        where = self.post(
            f"/kuis/{QUIZ_ID}/mulai", "quiz start", data={"csrf_token": self.csrf(page)}
        )
        attempt = re.search(r"/kuis/percobaan/(\d+)$", where)
        if not attempt:
            return
        base = f"/kuis/percobaan/{attempt.group(1)}"
        page = self.get(base, "attempt page")
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.csrf(page)}
        for question in dict.fromkeys(QUESTION.findall(page)):
            body = json.dumps({"question_id": int(question), "response": random.randrange(4)})
            with self.client.post(
                f"{base}/jawab",
                data=body,
                headers=headers,
                name="autosave",
                catch_response=True,
                allow_redirects=False,
            ) as resp:
                if resp.status_code != 200 or not resp.text.startswith("{"):
                    resp.failure(f"autosave {resp.status_code}")
                elif json.loads(resp.text).get("ok") is not True:
                    resp.failure(f"autosave reply {resp.text[:80]}")
        where = self.post(f"{base}/kumpulkan", "quiz submit", data={"csrf_token": self.csrf(page)})
        if where.endswith("/hasil"):
            self.get(f"{base}/hasil", "quiz result")


class Supervisor(Person):
    fixed_count = SUPERVISORS
    username = "atasan"

    @task(3)
    def dashboard(self) -> None:
        self.get("/dasbor", "dashboard (supervisor)")

    @task(2)
    def team(self) -> None:
        self.get("/tim/jp", "team JP")


class HumanResources(Person):
    fixed_count = HR
    username = "bkpsdm"
    wait_time = between(2, 8)

    @task(3)
    def dashboard(self) -> None:
        self.get("/dasbor", "dashboard (BKPSDM)")

    @task(3)
    def report(self) -> None:
        page = self.get(f"/laporan/{REPORT}", "report page")
        self.token = self.csrf(page)

    @task(1)
    def csv_export(self) -> None:
        self.get(f"/laporan/{REPORT}.csv", "CSV export")

    @task(1)
    def background_export(self) -> None:
        if not self.token:
            self.report()
        where = self.post(
            f"/laporan/{REPORT}/ekspor", "export start", data={"csrf_token": self.token}
        )
        job = re.search(r"/laporan/ekspor/(\d+)$", where)
        if not job:
            return
        self.get(where, "export page")
        for _ in range(10):
            status = self.get(f"/laporan/ekspor/{job.group(1)}/status", "export status")
            if not status or json.loads(status).get("download_url"):
                return
            self.wait()  # as the page polls: not at once
