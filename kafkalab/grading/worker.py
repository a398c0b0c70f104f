"""Grade one submission, in a process of its own (started by kafkalab.grading.batch).

    python -m kafkalab.grading.worker < job.json > report.json

Order: load the lab's checks (before anything of the student runs); enter the sandbox; execute the
notebook cell by cell in a sandboxed kernel, with a per-cell and a total time limit and capped output;
then ask the kernel for the values the checks name (kafkalab.grading.values) and run the checks here,
against the cluster the notebook started. The report goes to stdout, which the kernel cannot reach.
"""
from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

from ..i18n import t
from . import messages  # noqa: F401
from .registry import check_files, exercises, load
from .sandbox import Limits, Sandbox

NOTEBOOK_NAME = "submission.ipynb"


def checks_hash(lab: str) -> str:
    """SHA-256 over the lab's visible and hidden check files (names and bytes)."""
    digest = hashlib.sha256()
    for path in check_files(lab):
        digest.update(f"{path.parent.name}/{path.name}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _client_class():
    from nbclient import NotebookClient

    class CappedClient(NotebookClient):
        """nbclient with a cap on the bytes of output it keeps."""

        output_cap = 1_000_000
        _kept = 0
        _capped = False

        def output(self, outs, msg, display_id, cell_index):
            content = msg.get("content", {})
            size = len(json.dumps(content, default=str))
            room = self.output_cap - self._kept
            self._kept += size
            if size <= room:
                return super().output(outs, msg, display_id, cell_index)
            if self._capped:
                return None
            self._capped = True
            if msg.get("msg_type") == "stream" and room > 0:  # keep what fits of the first one too large
                super().output(outs, {**msg, "content": {**content, "text": str(content.get("text", ""))[:room]}},
                               display_id, cell_index)
            from nbformat.v4 import new_output

            marker = new_output("stream", name="stderr", text=t("grading_output_capped", limit=self.output_cap))
            outs.append(marker)
            return marker

    return CappedClient


def _kernel_manager(box: Sandbox):
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpecManager

    spec_dir = Path("/tmp/.kafkalab-grader" if box.strong else box.work.parent / f".spec-{box.token}") / "kernels"
    kernel = spec_dir / "kafkalab-sandbox"
    kernel.mkdir(parents=True, exist_ok=True)
    os.chmod(spec_dir.parent, 0o700)
    (kernel / "kernel.json").write_text(json.dumps({
        "argv": box.kernel_argv(), "display_name": "Kafka Lab sandbox", "language": "python",
        "interrupt_mode": "signal"}))
    # asynchronous, as nbclient expects: a blocking client would wait forever on a kernel that died mid-cell
    km = AsyncKernelManager(kernel_name="kafkalab-sandbox",
                            kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(spec_dir)]))
    km.connection_file = str(box.work_inside / ".connection.json")
    return km


def _kernel_pid(km) -> int | None:
    provisioner = getattr(km, "provisioner", None)
    return getattr(provisioner, "pid", None)


def _alive(pid: int | None) -> bool:
    import psutil

    try:
        return bool(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


class Kernel:
    """The grader's own line to the kernel: a blocking client, the kernel's pid, interrupt and kill."""

    def __init__(self, km):
        from jupyter_client import BlockingKernelClient

        self.pid = _kernel_pid(km)
        self.client = BlockingKernelClient()
        self.client.load_connection_info(km.get_connection_info())
        self.client.start_channels(hb=False)

    def alive(self) -> bool:
        return _alive(self.pid)

    def interrupt(self) -> None:
        with contextlib.suppress(OSError, TypeError):
            os.kill(self.pid, 2)

    def kill(self) -> None:
        with contextlib.suppress(OSError, TypeError):
            os.kill(self.pid, 9)

    def responds(self, timeout: float = 10.0) -> bool:
        """Does it answer again (after an interrupt), or does it still run the timed-out cell?"""
        if not self.alive():
            return False
        try:
            self.client.kernel_info(reply=True, timeout=timeout)
            return True
        except Exception:
            return False


def execute(notebook, box: Sandbox, cell_timeout: int, total_timeout: int, output_cap: int, lang: str | None):
    """Run the cells; yield (kernel, why it was stopped or None, the cells interrupted at their time limit)
    with the kernel still up."""
    from nbclient.exceptions import DeadKernelError

    client = _client_class()(notebook, km=_kernel_manager(box), timeout=cell_timeout, allow_errors=True,
                             interrupt_on_timeout=True, startup_timeout=120, iopub_timeout=10,
                             error_on_timeout={"ename": "CellTimeoutError", "evalue": f"{cell_timeout} s", "traceback": []},
                             resources={"metadata": {"path": str(box.work_inside)}})
    client.output_cap = output_cap
    deadline = time.monotonic() + total_timeout
    stopped = {"why": None}
    interrupted: list[int] = []  # cells stopped by an interrupt at their time limit (numbered from 1)

    def stop_at_deadline():
        stopped["why"] = t("grading_total_timeout", seconds=total_timeout)
        with contextlib.suppress(OSError, TypeError):
            os.kill(_kernel_pid(client.km), 9)

    timer = threading.Timer(total_timeout, stop_at_deadline)
    timer.daemon = True
    with client.setup_kernel(env=box.env()):
        kernel = Kernel(client.km)
        timer.start()
        try:
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code" or stopped["why"]:
                    continue
                client.timeout = max(1, min(cell_timeout, int(deadline - time.monotonic())))
                began = time.monotonic()
                try:
                    client.execute_cell(cell, index)
                except DeadKernelError:
                    stopped["why"] = stopped["why"] or "the kernel died"
                    break
                if time.monotonic() - began >= client.timeout and any(  # the grader's interrupt
                        o.get("ename") in ("KeyboardInterrupt", "CellTimeoutError") for o in cell.get("outputs", ())):
                    interrupted.append(index + 1)
                # a cell that ran out of time and ignored the interrupt still runs: the kernel does not answer
                if not kernel.responds():
                    stopped["why"] = t("grading_cell_timeout", cell=index + 1, seconds=cell_timeout)
                    kernel.kill()
                    break
        finally:
            timer.cancel()
        try:
            yield kernel, stopped["why"], interrupted
        finally:
            kernel.client.stop_channels()


def _setfsuid(uid: int) -> None:
    """File access as `uid` (this thread): the checks read the sandbox with the student's rights only."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.setfsgid(uid)
        libc.setfsuid(uid)


def find_cluster(lab: str, box: Sandbox):
    """The cluster the notebook started: the one named after the lab, else the newest; only a trustworthy one.

    The state file was written by the student's kernel: its folder must be in the sandbox, and every
    process it names must belong to the sandbox's user.
    """
    import psutil

    from ..cluster import state
    from ..cluster.cluster import Cluster

    found = []
    for name in state.names():
        try:
            found.append(Cluster.load(name))
        except Exception:
            continue
    found.sort(key=lambda c: (c.name == lab, c.state.get("created", 0) if isinstance(c.state, dict) else 0))
    for cluster in reversed(found):
        try:
            inside = cluster.dir.resolve().is_relative_to(box.work_inside.resolve())
            pids = [v.get("pid") for v in cluster.runtime.values() if isinstance(v, dict) and v.get("pid")]
            owned = all(not psutil.pid_exists(int(p)) or psutil.Process(int(p)).uids().real == box.uid for p in pids)
        except Exception:
            continue
        if inside and owned:
            return cluster
    return None


def class_view(shared: dict, private: Path):
    """The class cluster as the checks see it: the instructor's rights, the submission's namespace. Its
    state lives in `private`, a folder of root's own (the kernel, another uid, cannot read the
    credentials); its settings and the tools' config file are read and written now, before the checks
    take the student's file rights."""
    from ..cluster.cluster import up
    from ..cluster.connection import of_cluster, tool_config_file

    saved = {k: os.environ.get(k) for k in ("KAFKALAB_HOME", "KAFKALAB_CLIENT_CONFIG", "KAFKALAB_STUDENT",
                                             "KAFKALAB_BOOTSTRAP")}
    for key in saved:
        os.environ.pop(key, None)
    os.environ.update(KAFKALAB_HOME=str(private / "home"), KAFKALAB_STUDENT=shared["student"])
    if shared.get("config"):
        (private / "admin.properties").write_text(shared["config"])
        os.environ["KAFKALAB_CLIENT_CONFIG"] = str(private / "admin.properties")
    if shared.get("bootstrap"):
        os.environ["KAFKALAB_BOOTSTRAP"] = shared["bootstrap"]
    try:
        cluster = up(name="class", engine="external", quiet=True)
        cluster.pinned_connection = of_cluster(cluster)
        cluster.pinned_tool_config = tool_config_file(cluster)
        return cluster
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None)
            if value is not None:
                os.environ[key] = value


def _cluster_id(cluster) -> str | None:
    try:
        admin = cluster.admin()
        return admin.describe_cluster(request_timeout=10).result(timeout=15).cluster_id
    except Exception:
        return None


def grade(job: dict) -> dict:
    """The whole grading of one submission (runs in the worker process)."""
    import nbformat

    from .context import Context
    from .runner import run_exercise
    from .values import KernelValues

    lab, lang = job["lab"], job.get("lang") or "en"
    os.environ["KAFKALAB_LANG"] = lang
    # the checks' tools run as JVMs of the grader's own: no tool server, which the submission could have
    # started, replaced or be listening in place of (the kernel's environment is its own, kafkalab.grading.sandbox)
    os.environ["KAFKALAB_TOOL_SERVER"] = "0"
    load(lab)
    found = exercises(lab)
    before = checks_hash(lab)
    box = Sandbox(work=Path(job["work"]), slot=job["slot"],
                  kafka_home=Path(job["kafka_home"]) if job.get("kafka_home") else None,
                  cds_dir=Path(job["cds_dir"]) if job.get("cds_dir") else None,
                  hide=[Path(p) for p in job.get("hide", [])], keep=[Path(p) for p in job.get("keep", [])], limits=Limits(**job.get("limits", {})),
                  strong=job.get("strong", True), docker=job.get("docker", False), token=job["token"],
                  student_env=job.get("student_env") or {})
    report = {"lab": lab, "isolation": box.isolation, "checks_hash": before, "kernel_stopped": None}
    notebook = nbformat.read(str(box.work / NOTEBOOK_NAME), as_version=4)
    with contextlib.suppress(Exception):  # orphans of the submission become ours, and are reaped
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    box.enter()
    if box.docker:  # the grader's machine may not let it chown: root of the container does it here
        box.prepare()
    report["isolation"] = box.isolation
    try:
        with contextlib.ExitStack() as stack:
            try:
                kernel, why, interrupted = stack.enter_context(contextlib.contextmanager(execute)(
                    notebook, box, job["cell_timeout"], job["total_timeout"], job["output_cap"], lang))
            except Exception as err:  # the kernel did not start: not the student's doing
                report["ungradable"] = f"kernel: {type(err).__name__}: {err}"[:500]
                return report
            report["kernel_stopped"] = why
            report["cells_interrupted"] = interrupted
            # for the instructor, never for the score: what raised (the notebook's own outputs say it)
            report["cells_failed"] = [i + 1 for i, c in enumerate(notebook.cells) if c.cell_type == "code"
                                      and i + 1 not in interrupted
                                      and any(o.get("output_type") == "error" for o in c.get("outputs", ()))]
            values = KernelValues(kernel.client, interrupt=kernel.interrupt, alive=kernel.alive,
                                  gone=why and "stopped")
            private = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=".grader-")))
            shared = class_view(job["shared"], private) if job.get("shared") else None  # before fsuid
            os.environ["KAFKALAB_HOME"] = str(box.kafkalab_home)
            if box.strong:
                _setfsuid(box.uid)
            try:
                cluster = shared or find_cluster(lab, box)
                # by name, so Context checks that its brokers run; "-" is no valid name: no cluster
                os.environ["KAFKALAB_CLUSTER"] = cluster.name if cluster else "-"
                ctx = Context(values, cluster=shared, rng=random.Random(job.get("seed")))
                results = [run_exercise(e.id, values, ctx) for e in found]
                report["cluster_id"] = _cluster_id(cluster) if cluster else None
            finally:
                if box.strong:
                    _setfsuid(0)
            report["exercises"] = [r.to_dict() for r in results]
            report["score"] = sum(r.points for r in results)
            report["max_score"] = sum(r.max_points for r in results)
            with contextlib.suppress(Exception):
                report["executed"] = nbformat.writes(notebook)[:5_000_000]
    finally:
        report["cpu_seconds"] = box.cpu_seconds()
        try:
            report["processes_ended"] = box.end()
        except TimeoutError:
            if not box.docker:
                raise
            # the verdict stands: the grader removes this container next, and with it every process in it
            report["processes_ended"] = None
    return report


def main() -> None:
    import faulthandler
    import signal

    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 PID` prints where a worker is, into its log
    # jsonschema (under nbformat) builds three grammars of the optional rfc3987-syntax at import: 1.2 of a
    # worker's 1.6 CPU-seconds of imports, for an "iri" format no notebook schema uses. Without it: 0.3.
    sys.modules.setdefault("rfc3987_syntax", None)
    # the worker ends with the grader that started it, and ends its sandbox on the way (grade's finally)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    job = json.loads(sys.stdin.read())
    real_stdout = os.fdopen(os.dup(1), "w")
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # nothing else may write into the report stream
    try:
        report = grade(job)
    except Exception as err:
        report = {"lab": job.get("lab"), "ungradable": f"worker: {type(err).__name__}: {err}"[:500]}
    real_stdout.write(json.dumps(report, ensure_ascii=False))
    real_stdout.flush()


if __name__ == "__main__":
    main()
