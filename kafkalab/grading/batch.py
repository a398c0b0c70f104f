"""Instructor grading: each submission in its own sandboxed kernel and cluster; the grade decided outside it.

    kafkalab grade submissions/*.ipynb --lab lab03 --out grades/ [--jobs N] [--gradescope] [--only NAME]

The instructor names the lab (or keeps each lab's submissions in a folder named after it). A worker
process per submission (kafkalab.grading.worker) runs the notebook in a sandbox (kafkalab.grading.sandbox),
asks the kernel for the values the checks name and runs the checks itself against the live cluster.
This process writes every report; the checks' hash is verified before and after each submission.
"""
from __future__ import annotations

import hashlib
import json
import os
import queue
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from .. import cli_help  # noqa: F401  (the help texts of add_parser)
from ..errors import KafkaLabError
from ..i18n import register, t
from . import messages  # noqa: F401
from .registry import checks_dir, exercises, lab_of, load, weight_of
from .reports import feedback_html, feedback_md, gradescope, using_lang, write_csvs
from . import container
from .class_users import grading_user, host_tag, stale
from .sandbox import SLOTS, WORK, Limits, Sandbox, claim_slots, release_slots, strong_possible, sweep_stale
from .worker import NOTEBOOK_NAME, checks_hash

register({
    "grading_which_lab": {
        "en": "Which lab are these submissions for? Pass --lab lab03, or keep them in a folder named after the lab.",
        "ru": "К какой лабораторной относятся работы? Укажите --lab lab03 или положите их в папку с именем лабораторной.",
    },
    "grading_lab_no_checks": {
        "en": "No checks worth any points were found for {lab} (looked in {where}). Nothing was graded.",
        "ru": "Для {lab} не найдено проверок с баллами (искал в {where}). Ничего не проверено.",
    },
    "grading_checks_changed": {
        "en": "The checks of {lab} changed while the batch ran (after {name}). Grading stopped; regrade the batch.",
        "ru": "Проверки {lab} изменились во время проверки (после {name}). Проверка остановлена; запустите её заново.",
    },
    "grading_isolation_unknown": {
        "en": "Unknown isolation '{wanted}': use docker, namespaces or weak.",
        "ru": "Неизвестная изоляция «{wanted}»: используйте docker, namespaces или weak.",
    },
    "grading_docker_unavailable": {
        "en": "Isolation 'docker' was asked for, but {why}. Start Docker and build the course image "
              "(bash scripts/setup-docker), or grade with --isolation namespaces (as root) or weak.",
        "ru": "Запрошена изоляция 'docker', но {why}. Запустите Docker и соберите образ курса "
              "(bash scripts/setup-docker) или проверяйте с --isolation namespaces (под root) либо weak.",
    },
    "grading_interrupted": {
        "en": "Grading stopped ({why}): {done} of {total} submission(s) graded, their reports are in {out}. "
              "The running submissions' kernels, clusters and containers were ended. Run the same command again "
              "to grade them all, or add --only with the names still missing.",
        "ru": "Проверка остановлена ({why}): проверено работ: {done} из {total}, их отчёты в {out}. "
              "Ядра, кластеры и контейнеры незавершённых работ остановлены. Запустите ту же команду снова, "
              "чтобы проверить все работы, или добавьте --only с именами ещё не проверенных.",
    },
    "grading_batch_done": {
        "en": "{graded} submission(s) graded, {ungradable} ungradable (listed in {where}); {points} point(s) in total. "
              "Isolation: {isolation}. Reports: {out}",
        "ru": "Проверено работ: {graded}, не удалось проверить: {ungradable} (список в {where}); всего баллов: {points}. "
              "Изоляция: {isolation}. Отчёты: {out}",
    },
})

GiB = 1 << 30
ISOLATIONS = ("docker", "namespaces", "weak")
CA_COPY = "ca.pem"  # a class cluster's CA certificate, copied into each submission's work folder


def choose_isolation(wanted: str | None = None, shared: bool = False) -> str:
    """docker where a daemon answers and the course image is here, else namespaces as root, else weak.

    `wanted` (or KAFKALAB_GRADE_ISOLATION) insists on one; docker that cannot be had is an error.
    On a shared class cluster only namespaces will do: the kernel needs the grader's network, and must
    not be able to read the instructor's credentials (a weak sandbox runs it as the grader's user)."""
    wanted = wanted or os.environ.get("KAFKALAB_GRADE_ISOLATION") or None
    if wanted and wanted not in ISOLATIONS:
        raise KafkaLabError("grading_isolation_unknown", wanted=wanted)
    if shared:
        if wanted not in (None, "namespaces") or not strong_possible():
            raise KafkaLabError("grading_class_isolation", wanted=wanted or "weak")
        return "namespaces"
    if wanted == "docker" or wanted is None:
        if container.available():
            return "docker"
        if wanted == "docker":
            why = ("the docker command is missing" if not container.docker_cli() else
                   "no Docker daemon answers, or the course image is not built")
            raise KafkaLabError("grading_docker_unavailable", why=why)
    if wanted == "weak" or not strong_possible():
        return "weak"
    return "namespaces"


def _lang_of(path: Path) -> str | None:
    for part in reversed(path.resolve().parts):
        if part in ("en", "ru"):
            return part
    return None


def resolve_lab(lab: str | None, paths: list[Path]) -> str:
    """The lab the instructor named, else the one folder name all submissions share."""
    if lab:
        if lab_of(lab) != lab:
            raise KafkaLabError("grading_which_lab")
        return lab
    folders = {lab_of(p.resolve().parent.name) for p in paths}
    if len(folders) == 1 and None not in folders:
        return folders.pop()
    raise KafkaLabError("grading_which_lab")


def default_jobs(per_job: int = int(1.5 * GiB), lab: str | None = None, shared: bool = False) -> int:
    """One and a half workers per core (a submission waits on its cluster a third of its time: sessions
    expiring, brokers restarting), divided by the lab's weight (the clusters' worth of JVMs a submission
    runs, declared by its checks), and no more than free memory holds (a cluster and a kernel each).
    On a shared class cluster a submission starts no JVM of its own: two per core."""
    import psutil

    if shared:
        return max(1, min(2 * (os.cpu_count() or 1), SLOTS, psutil.virtual_memory().available // (per_job // 3)))
    clusters = weight_of(lab) if lab else 1
    cores, per_job = (os.cpu_count() or 1) * 3 // 2 // clusters, clusters * per_job
    return max(1, min(cores, psutil.virtual_memory().available // per_job))


def _notebook_lab(data: dict) -> str | None:
    """The lab a notebook's own check() calls name (None when it has none)."""
    import re

    pattern = re.compile(r"""check(?:_all)?\(\s*["'](lab\d\d)""")
    for cell in data.get("cells", []):
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            found = pattern.search("".join(source) if isinstance(source, list) else str(source))
            if found:
                return found.group(1)
    return None


def validate(raw: bytes, lab: str) -> str | None:
    """Why this file cannot be graded as `lab` (a message for the student), or None."""
    import nbformat

    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict) or int(data.get("nbformat", 0)) < 4:
            raise ValueError(f"nbformat {data.get('nbformat') if isinstance(data, dict) else '?'}, 4 needed")
        nbformat.validate(nbformat.reads(raw.decode("utf-8"), as_version=4))
    except Exception as err:
        return t("grading_bad_notebook", error=f"{type(err).__name__}: {str(err)[:200]}")
    found = _notebook_lab(data)
    if found and found != lab:
        return t("grading_wrong_lab", found=found, lab=lab)
    return None


def _zero(lab: str, message: str, shared: bool = False) -> list[dict]:
    """Every exercise at 0 with `message`; on a class cluster those that need the nodes are worth 0 of 0."""
    return [{"id": e.id, "points": 0, "max_points": 0 if shared and e.needs_nodes else e.max_points,
             "passed": False, "message": message, "evidence": {}} for e in exercises(lab)]


class Batch:
    """One `kafkalab grade` run: settings shared by every submission."""

    def __init__(self, lab: str, out: Path, cell_timeout: int = 300, total_timeout: int = 900, jobs: int | None = None,
                 lang: str | None = None, keep: bool = False, limits: Limits | None = None,
                 output_cap: int = 1_000_000, hide: list[Path] | None = None, isolation: str | None = None,
                 shared=None):
        from .. import distribution

        self.lab, self.out, self.lang, self.keep = lab, out, lang, keep
        self.cell_timeout, self.total_timeout, self.output_cap = cell_timeout, total_timeout, output_cap
        self.shared = shared  # the class cluster, attached with the instructor's admin rights, or None
        self.jobs = jobs or default_jobs(lab=lab, shared=shared is not None)
        self.limits = limits or Limits()
        self.isolation = choose_isolation(isolation, shared=shared is not None)
        self.docker = self.isolation == "docker"
        self.strong = self.isolation != "weak"
        self.checks = checks_dir()
        load(lab)
        # on a shared cluster an exercise that needs the nodes is worth 0 of 0 (the report says why)
        self.max_score = sum(e.max_points for e in exercises(lab) if not (shared and e.needs_nodes))
        if self.checks is None or self.max_score == 0:
            raise KafkaLabError("grading_lab_no_checks", lab=lab, where=str(self.checks or "checks/"))
        self.hash = checks_hash(lab)
        self.claims = claim_slots(self.jobs) if self.strong and strong_possible() else {}
        sweep_stale(list(self.claims))  # a grader killed mid-batch earlier: its sandboxes end now
        if self.docker:
            for slot in self.claims:
                container.remove(slot=slot)
        dist = distribution.find()
        self.kafka_home = dist.home.resolve() if dist else None
        # the other Kafka lines (4.x for the KRaft lab): read-only in the sandbox, found through its cache
        self.other_kafka = {v: d.home.resolve() for v in distribution.VERSIONS.values()
                            if v != distribution.KAFKA_VERSION and (d := distribution.find(v))}
        from .. import cds

        self.cds_dir = cds.folder().resolve() if cds.folder().is_dir() else None
        self.workroot = Path(tempfile.mkdtemp(prefix="kafkalab-grade-"))
        os.chmod(self.workroot, 0o711)
        import kafkalab

        # what the kernel needs (read-only), even where it sits under a hidden folder (e.g. Python in HOME)
        self.keep_paths = [Path(sys.prefix), Path(sys.base_prefix), Path(kafkalab.__file__).parent,
                           *self.other_kafka.values()]
        hidden = [self.checks, self.checks.parent / "solutions", self.checks.parent / "tests", Path.home(),
                  out, self.workroot, *(hide or [])]
        if shared and (shared.state.get("connection") or {}).get("config"):  # the instructor's credentials
            hidden.append(Path(shared.state["connection"]["config"]))
        self.hide = sorted({p.resolve() for p in hidden})
        self.slots: queue.Queue[int] = queue.Queue()
        for slot in self.claims or range(self.jobs):
            self.slots.put(slot)
        self.stopping = threading.Event()
        self.running: dict[int, subprocess.Popen] = {}  # slot -> its worker, for abort()
        if shared:
            self._sweep_students()
        self.firewall = _class_firewall(shared) if shared else None  # last: close() removes it

    def grade_one(self, path: Path, name: str) -> dict:
        """Grade one submission; never raises for the student's doing."""
        began = time.monotonic()
        raw = path.read_bytes() if path.is_file() else b""
        lang = self.lang or _lang_of(path) or "en"
        base = {"name": name, "submission": str(path), "lab": self.lab, "lang": lang, "max_score": self.max_score,
                "score": 0, "kafkalab_version": _version(), "checks_hash": self.hash,
                "notebook_hash": hashlib.sha256(raw).hexdigest(), "cluster_id": None}
        with using_lang(lang):
            problem = validate(raw, self.lab)
            if problem:
                return {**base, "status": "graded", "error": problem,
                        "exercises": _zero(self.lab, problem, self.shared is not None),
                        "seconds": round(time.monotonic() - began, 1)}
        slot = self.slots.get()
        work = Path(tempfile.mkdtemp(prefix=f"{slot}-", dir=self.workroot))
        student = self._student() if self.shared else None
        try:
            if student:
                self._create_student(student, work)
            (work / NOTEBOOK_NAME).write_bytes(raw)
            for version, home in self.other_kafka.items():  # the kernel's KAFKALAB_CACHE is work/.cache
                (work / ".cache").mkdir(exist_ok=True)
                (work / ".cache" / f"kafka-{version}").symlink_to(home)
            box = Sandbox(work=work, slot=slot, strong=self.strong, docker=self.docker,
                          student_env=self._student_env(student))
            if not self.docker:  # in a container, the worker does it as the container's root
                box.prepare()
            box.end()  # nothing of an earlier submission may still run as this slot's user
            job = {"lab": self.lab, "lang": lang, "work": str(WORK if self.docker else work), "slot": slot,
                   "strong": self.strong, "docker": self.docker, "token": box.token,
                   "kafka_home": str(self.kafka_home) if self.kafka_home else None,
                   "cds_dir": str(self.cds_dir) if self.cds_dir else None,
                   "hide": [str(p) for p in self.hide], "keep": [str(p) for p in self.keep_paths],
                   "limits": self.limits.__dict__, "cell_timeout": self.cell_timeout,
                   "total_timeout": self.total_timeout, "output_cap": self.output_cap,
                   "seed": secrets.randbits(64), "student_env": box.student_env}
            if student:
                job["shared"] = {"student": student.name, **self._shared_config()}
            report = self._run_worker(job, box)
        finally:
            if student:
                self._remove_student(student)
            self.slots.put(slot)
            if not self.keep:
                shutil.rmtree(work, ignore_errors=True)
        if checks_hash(self.lab) != self.hash:
            raise KafkaLabError("grading_checks_changed", lab=self.lab, name=name)
        executed = report.pop("executed", None)
        if isinstance(executed, str):  # for the instructor: what ran, outputs capped
            (self.out / f"{name}.executed.ipynb").write_text(executed)
        merged = {**base, **{k: v for k, v in report.items() if k in (
            "exercises", "score", "isolation", "cluster_id", "kernel_stopped", "cells_interrupted", "cells_failed", "processes_ended",
            "cpu_seconds")}}
        merged["sandbox_uid"] = box.uid  # whose processes were the submission's (ended with it)
        with using_lang(lang):
            if report.get("checks_hash") not in (None, self.hash) or "ungradable" in report or "exercises" not in report:
                error = report.get("ungradable") or "the worker returned no result"
                merged.update(status="ungradable", score=0, error=error,
                              exercises=_zero(self.lab, t("grading_ungradable", error=error), self.shared is not None))
            else:
                merged["status"] = "graded"
                if report.get("kernel_stopped"):
                    merged["error"] = report["kernel_stopped"]
                elif report.get("cells_interrupted"):  # the cells after it ran on, maybe without its results
                    merged["error"] = t("grading_cells_interrupted", seconds=self.cell_timeout,
                                        cells=", ".join(map(str, report["cells_interrupted"])))
                if not self.strong:
                    merged["isolation_note"] = t("grading_weak_isolation")
        merged["score"] = sum(e["points"] for e in merged["exercises"])
        merged["seconds"] = round(time.monotonic() - began, 1)
        return merged

    # --- a shared class cluster ------------------------------------------------------------------
    @staticmethod
    def _student():
        from ..classroom import Student

        return Student(grading_user())

    def _create_student(self, student, work: Path) -> None:
        """A SCRAM user of the submission's own on the class cluster (its prefix, ACLs and quotas), whose
        client properties the kernel finds in its work folder, with a copy of the cluster's CA certificate
        (the instructor's may sit where the sandbox hides it: under /tmp, beside their properties)."""
        from ..classroom import admin_connection, create_students

        ca = admin_connection(self.shared).ca_file
        if ca:
            shutil.copyfile(Path(ca).expanduser(), work / CA_COPY)
        create_students(self.shared, [student], work, say=lambda _line: None, ca=str(WORK / CA_COPY) if ca else None)

    @staticmethod
    def _student_env(student) -> dict:
        if student is None:
            return {}
        return {"KAFKALAB_ENGINE": "external", "KAFKALAB_STUDENT": student.name,
                "KAFKALAB_CLIENT_CONFIG": str(WORK / f"{student.name}.properties")}

    def _shared_config(self) -> dict:
        """The instructor's client properties (and address, if it came from KAFKALAB_BOOTSTRAP), for the
        worker's own view (never the kernel's)."""
        from ..cluster.connection import read_properties

        info = self.shared.state.get("connection") or {}
        config = Path(info["config"]).read_text() if info.get("config") else ""
        ca_keys = [key for key in ("ssl.ca.location", "ssl.truststore.location") if key in read_properties(config)]
        if ca_keys:  # the copy in the work folder (_create_student): the instructor's may be hidden in the sandbox
            config = config.rstrip("\n") + "\n" + "".join(f"{key}={WORK / CA_COPY}\n" for key in ca_keys)
        return {"config": config, "bootstrap": info.get("bootstrap_env") or (
            None if config else info.get("bootstrap") or self.shared.bootstrap_servers)}

    def _remove_student(self, student, failed: str = "grading_student_left") -> None:
        """The submission's topics, groups, ACLs, quotas and user leave the class cluster with it."""
        from ..classroom import remove_students

        try:
            remove_students(self.shared, [student], say=lambda _line: None)
        except Exception as err:  # the grade stands; the instructor learns what is left
            print(t(failed, student=student.name, error=err), file=sys.stderr)

    def _sweep_students(self) -> None:
        """Remove the grading users (and their topics, groups, ACLs, quotas) of this machine's graders that were
        killed mid-batch, whose own cleanup never ran; as the firewall sweeps their chains."""
        from ..classroom import Student

        try:
            users = self.shared.admin().describe_user_scram_credentials(request_timeout=30).result(timeout=40)
        except Exception as err:
            print(t("grading_stale_unlisted", error=err), file=sys.stderr)
            return
        host = host_tag()
        for user in sorted(u for u in users if stale(u, host)):
            self._remove_student(Student(user), failed="grading_stale_left")

    def _run_worker(self, job: dict, box: Sandbox) -> dict:
        log = self.workroot / f"worker-{job['slot']}.log"
        argv = [sys.executable, "-m", "kafkalab.grading.worker"]
        if self.docker:
            argv = container.worker_argv(box.slot, box.token, box.work, self.limits, self.kafka_home,
                                         self.cds_dir, self.checks, job["lang"], tuple(self.other_kafka.values()))
        if self.stopping.is_set():
            return {"ungradable": "the batch was stopped"}
        with open(log, "wb") as err:
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=err, start_new_session=True,
                                    env={**os.environ, "PYTHONUNBUFFERED": "1"})
            self.running[job["slot"]] = proc
            if self.stopping.is_set():  # abort() ran between the check above and Popen
                os.killpg(proc.pid, signal.SIGKILL)
            try:
                out, _ = proc.communicate(json.dumps(job).encode(), timeout=self.total_timeout + 180)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()
                out = b""
            finally:
                self.running.pop(job["slot"], None)
                if self.docker:
                    container.remove(token=box.token)
                box.end()  # a backstop: by uid, whatever the worker did or did not do
        try:
            return json.loads(out.decode("utf-8") or "{}")
        except ValueError:
            tail = log.read_text(errors="replace")[-300:] if log.exists() else ""
            return {"ungradable": f"worker exited {proc.returncode}: {tail}"}

    def write(self, report: dict) -> None:
        """The student's report and feedback files, written by the grader alone."""
        name = report["name"]
        (self.out / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
        (self.out / f"{name}.feedback.md").write_text(feedback_md(report))
        (self.out / f"{name}.feedback.html").write_text(feedback_html(report))

    def abort(self) -> None:
        """Stop the batch: no new worker starts, the running ones are killed; each grading thread then ends
        its submission's sandbox and container as after any worker (in _run_worker's finally)."""
        self.stopping.set()
        for proc in list(self.running.values()):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def close(self) -> None:
        if self.firewall:
            self.firewall.close()
        release_slots(self.claims)
        if not self.keep:
            shutil.rmtree(self.workroot, ignore_errors=True)


def _version() -> str:
    import kafkalab

    return kafkalab.__version__


def _visibility(lab: str) -> dict[str, str]:
    """Per exercise: visible, or the visibility of its hidden parts (after_due_date unless said otherwise)."""
    found = {}
    for e in exercises(lab):
        hidden = [p.visibility for p in e.parts if p.visibility != "visible"]
        found[e.id] = "hidden" if "hidden" in hidden else ("after_due_date" if hidden else "visible")
    return found


def names_for(paths: list[Path]) -> list[str]:
    """A unique, file-safe name per submission (its file name, numbered when two share one)."""
    import re

    stems = [re.sub(r"[^A-Za-z0-9_.-]", "_", p.stem) or "submission" for p in paths]
    return [s if stems.count(s) == 1 else f"{s}-{i:03d}" for i, s in enumerate(stems)]


class Signalled(BaseException):
    """SIGTERM or SIGHUP reached `kafkalab grade` (main() turns them into this, like Ctrl-C)."""


class Interrupted(Exception):
    """The batch stopped before its end; its running submissions were ended."""

    def __init__(self, why: str, done: int, total: int, out: str):
        super().__init__(why, done, total, out)
        self.why, self.done, self.total, self.out = why, done, total, out


def grade(paths: list[str | Path], out: str | Path, lab: str | None = None, cell_timeout: int = 300,
          total_timeout: int = 900, jobs: int | None = None, gradescope_out: bool = False, lang: str | None = None,
          keep: bool = False, progress: bool = True, only: list[str] | None = None,
          limits: Limits | None = None, isolation: str | None = None, shared=None) -> list[dict]:
    """Grade every submission; write OUT/<name>.json|.feedback.md|.feedback.html, grades.csv, moodle.csv, canvas.csv.

    shared: a class cluster (attached with admin rights): each submission runs on it as a user of its own,
    whose topics, groups, ACLs and login are deleted after it."""
    from tqdm import tqdm

    paths = [Path(p) for p in paths]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    lab = resolve_lab(lab, paths)
    names = names_for(paths)
    todo = [(p, n) for p, n in zip(paths, names) if not only or n in only or p.name in only or p.stem in only]
    batch = Batch(lab, out, cell_timeout, total_timeout, jobs, lang, keep, limits,
                  hide=sorted({p.resolve().parent for p in paths}), isolation=isolation, shared=shared)
    reports: dict[str, dict] = {}
    pool = ThreadPoolExecutor(max_workers=batch.jobs)
    try:
        bar = tqdm(total=len(todo), desc=f"grading {lab}", unit="nb", disable=not progress)
        try:
            futures = {pool.submit(batch.grade_one, p, n): n for p, n in todo}
            for future in as_completed(futures):
                report = future.result()
                batch.write(report)
                if gradescope_out:
                    target = out / "gradescope" / report["name"] / "results.json"
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(json.dumps(gradescope(report, _visibility(lab)), ensure_ascii=False, indent=2))
                    if len(paths) == 1:
                        (out / "results.json").write_text(target.read_text())
                reports[report["name"]] = report
                bar.update(1)
                bar.write(f"{report['name']}: {report['score']}/{report['max_score']} {report['status']} "
                          f"({report['seconds']} s)")
        except BaseException as stop:  # Ctrl-C, a signal (main()), a failure: end every running submission
            batch.abort()
            pool.shutdown(wait=True, cancel_futures=True)
            if isinstance(stop, (KeyboardInterrupt, Signalled)):
                raise Interrupted(str(stop.args[0]) if stop.args else "Ctrl-C", len(reports), len(todo), str(out))
            raise
        bar.close()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        batch.close()
    # a regrade of a subset keeps the earlier reports of the others in the CSVs
    everyone = []
    for name in names:
        if name in reports:
            everyone.append(reports[name])
        elif (out / f"{name}.json").exists():
            everyone.append(json.loads((out / f"{name}.json").read_text()))
    write_csvs(out, everyone)
    (out / "ungradable.txt").write_text("".join(f"{r['submission']}\n" for r in everyone if r.get("status") == "ungradable"))
    return [reports[n] for n in names if n in reports]


def _raise_on_signal(signum, _frame):
    raise Signalled(signal.Signals(signum).name)


def _class_firewall(shared):
    """The kernels' network on the class cluster: its brokers only (kafkalab.grading.firewall)."""
    from ..cluster.connection import of_cluster
    from ..inspect import brokers
    from .firewall import Firewall

    conn = of_cluster(shared)
    listed = [(b.host, b.port) for b in brokers(shared)]
    listed += [(a.rsplit(":", 1)[0].strip("[]"), int(a.rsplit(":", 1)[1])) for a in conn.bootstrap.split(",") if ":" in a]
    return Firewall(listed).open()


def _class_cluster(name: str | None):
    """`--class NAME`: the class cluster as the instructor attached it (`kafkalab up --engine external`)."""
    if not name:
        return None
    from ..cluster.cluster import attach

    from ..cluster.connection import of_cluster

    cluster = attach(name)
    if cluster.engine.controls_nodes:
        raise KafkaLabError("grading_class_not_external", name=name)
    if not of_cluster(cluster).protocol.startswith("SASL"):  # no login: every kernel would be anyone
        raise KafkaLabError("grading_class_not_secured", name=name, protocol=of_cluster(cluster).protocol)
    return cluster


def main(args) -> int:
    """Entry of `kafkalab grade` (args from the CLI parser)."""
    for signum in (signal.SIGTERM, signal.SIGHUP):  # a killed grader ends its sandboxes, like Ctrl-C does
        signal.signal(signum, _raise_on_signal)
    try:
        reports = grade(args.submissions, args.out, lab=args.lab, cell_timeout=args.timeout,
                        total_timeout=args.total_timeout, jobs=args.jobs, gradescope_out=args.gradescope,
                        lang=args.lang, keep=args.keep, only=args.only,
                        limits=Limits(memory=int(args.memory * GiB)) if args.memory else None,
                        isolation=args.isolation, shared=_class_cluster(args.class_cluster))
    except KafkaLabError as err:
        print(err, file=sys.stderr)
        return 2
    except Interrupted as stop:
        print(t("grading_interrupted", why=stop.why, done=stop.done, total=stop.total, out=stop.out), file=sys.stderr)
        return 128 + (signal.Signals[stop.why].value if stop.why.startswith("SIG") else signal.SIGINT.value)
    graded = [r for r in reports if r["status"] == "graded"]
    isolation = sorted({r.get("isolation", "-") for r in reports})
    print(t("grading_batch_done", graded=len(graded), ungradable=len(reports) - len(graded),
            where=Path(args.out) / "ungradable.txt", points=sum(r["score"] for r in graded),
            isolation=", ".join(isolation), out=args.out))
    return 0


def add_parser(sub) -> None:
    """The `grade` subcommand of the kafkalab CLI, its help in the current language."""
    p = sub.add_parser("grade", help=t("cli_help_grade"))
    p.add_argument("submissions", nargs="+", help=t("cli_help_grade_submissions"))
    p.add_argument("--out", required=True, help=t("cli_help_grade_out"))
    p.add_argument("--lab", help=t("cli_help_grade_lab"))
    p.add_argument("--timeout", type=int, default=300, help=t("cli_help_grade_timeout"))
    p.add_argument("--total-timeout", type=int, default=900, help=t("cli_help_grade_total_timeout"))
    p.add_argument("--jobs", type=int, help=t("cli_help_grade_jobs"))
    p.add_argument("--memory", type=float, help=t("cli_help_grade_memory"))
    p.add_argument("--only", nargs="+", help=t("cli_help_grade_only"))
    p.add_argument("--gradescope", action="store_true", help=t("cli_help_grade_gradescope"))
    p.add_argument("--class", dest="class_cluster", metavar="NAME", help=t("cli_help_grade_class"))
    p.add_argument("--lang", choices=["en", "ru"], help=t("cli_help_grade_lang"))
    p.add_argument("--isolation", choices=ISOLATIONS, help=t("cli_help_grade_isolation"))
    p.add_argument("--keep", action="store_true", help=t("cli_help_grade_keep"))
