"""Where a submission's kernel runs: its own network and mount namespaces, its own user, limits.

As root on Linux (the grader's normal case), the worker of one submission calls `Sandbox.enter()` once:
- a network namespace with only loopback: the kernel and its cluster reach nobody else, and every
  submission may use the notes' ports (graded on a shared class cluster, the kernel keeps the grader's
  network and reaches the cluster as a student user of its own, confined by its ACLs);
- a mount namespace: private /tmp, /var/tmp, /dev/shm; a /proc where the kernel sees only its own
  processes; the instructor's folders (checks, solutions, tests, HOME, the output, every submission's
  folder) covered; the submission's work folder appears as /tmp/work; Kafka's jars and the grader's
  class-data archives (kafkalab.cds) read-only at their own paths, so the archives match and the
  kernel's JVMs start with 40% less CPU;
- cgroups where writable (v2, else v1): memory, pids and CPU limits, and a way to end every process the
  submission started, setsid ones too.
The kernel runs as a user of its own (one uid per worker slot) with rlimits and a scrubbed environment,
started by `python -m kafkalab.grading.sandbox` (the launcher below), which drops root before exec.
Without root: the kernel runs as a separate process group with rlimits and a scrubbed environment, as
the grader's user; the report calls that isolation "weak".
"""
from __future__ import annotations

import ctypes
import fcntl
import json
import os
import resource
import secrets
import signal
import socket
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

WORK = Path("/tmp/work")    # the submission's folder, as the kernel sees it
UID_BASE = 62000
TOKEN_ENV = "KAFKALAB_SANDBOX"

_CLONE_NEWNS, _CLONE_NEWNET = 0x00020000, 0x40000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 32, 4096, 16384, 1 << 18
_ENV_KEEP = ("LANG", "LC_ALL", "LC_CTYPE", "JAVA_HOME", "KAFKALAB_LANG", "TZ")


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = (lambda s: s.encode() if s is not None else None)
    _check(_libc().mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def _loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifreq = struct.pack("16sH14s", b"lo", 0, b"")
        flags = struct.unpack("16sH14s", fcntl.ioctl(s, 0x8913, ifreq))[1]  # SIOCGIFFLAGS
        fcntl.ioctl(s, 0x8914, struct.pack("16sH14s", b"lo", flags | 1, b""))  # SIOCSIFFLAGS, IFF_UP


def strong_possible() -> bool:
    """Root on Linux: namespaces and a user of its own per kernel."""
    return sys.platform.startswith("linux") and os.geteuid() == 0


@dataclass
class Limits:
    memory: int = 3 << 30        # bytes for the kernel and its cluster together
    pids: int = 2048             # tasks (threads count): a fork bomb stops here
    cpus: float = 1.0            # CPU quota in cores
    # CPU weight, in processes' worth: a cgroup weighs as much as one process by default, so on a machine
    # busy with other work (dozens of JVM threads) a submission got far less than its quota and more of its
    # cells ran into their time limit. Its quota still caps it.
    cpu_weight: int = 16
    file_size: int = 1 << 30     # largest file it may write
    open_files: int = 8192


@dataclass
class Sandbox:
    """One submission's isolation. `work` is the host folder that becomes /tmp/work."""
    work: Path
    slot: int = 0
    kafka_home: Path | None = None
    cds_dir: Path | None = None  # the grader's class-data archives, shared read-only
    hide: list[Path] = field(default_factory=list)
    keep: list[Path] = field(default_factory=list)  # kept read-only even under a replaced /tmp (the venv)
    limits: Limits = field(default_factory=Limits)
    token: str = field(default_factory=lambda: secrets.token_hex(8))
    strong: bool = field(default_factory=strong_possible)
    docker: bool = False         # the worker runs in a container of its own (kafkalab.grading.container)
    cgroups: list[Path] = field(default_factory=list)
    cgroup_kind: str = "none"
    # grading on a shared class cluster: the kernel reaches it over the grader's network, as a student
    # user of its own (KAFKALAB_ENGINE=external, its client properties, its namespace)
    student_env: dict = field(default_factory=dict)

    @property
    def shared(self) -> bool:
        return bool(self.student_env)

    @property
    def uid(self) -> int:
        return UID_BASE + self.slot if self.strong else os.getuid()

    @property
    def isolation(self) -> str:
        if self.docker:
            return "docker+uid"
        return f"namespaces+uid+cgroup-{self.cgroup_kind}" if self.strong else "weak"

    @property
    def work_inside(self) -> Path:
        return WORK if self.strong else self.work

    @property
    def kafkalab_home(self) -> Path:
        """The kernel's KAFKALAB_HOME, unique per submission: node markers never match another sandbox's."""
        return self.work_inside / f".kafkalab-{self.token}"

    def prepare(self) -> None:
        """In the grader, before the worker starts: the work folder belongs to the kernel's user."""
        self.work.mkdir(parents=True, exist_ok=True)
        if self.strong:
            for path in [self.work, *self.work.rglob("*")]:
                os.chown(path, self.uid, self.uid, follow_symlinks=False)
            os.chmod(self.work, 0o700)

    # --- in the worker ----------------------------------------------------------------------------
    def enter(self) -> None:
        """Move this (worker) process into the submission's namespaces and cgroups; mount its view.

        In a container (docker) all of that is done already: only the tmpfs over /root is opened."""
        if self.docker:  # the tmpfs over /root (and /home) lets the kernel's user reach Python and the venv below
            for top in ("/root", "/home"):
                if os.path.ismount(top):
                    os.chmod(top, 0o755)
            return
        if not self.strong:
            return
        self._make_cgroups()
        hide = [p for p in self.hide if p.exists()]
        # a folder inside another hidden one (--out inside the submissions' folder) is covered with it,
        # and no longer exists to be mounted on once its parent is
        hide = [p for p in hide if not any(p != q and p.is_relative_to(q) for q in hide)]
        replaced = [Path(f) for f in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")
                    if Path(f).is_dir() and not Path(f).is_symlink()]
        _check(_libc().unshare(_CLONE_NEWNS | (0 if self.shared else _CLONE_NEWNET)), "unshare")
        # folders opened in the new mount namespace (a bind from the old one fails), before any is covered
        covered = [*hide, *replaced]
        kept = [*self.keep, *(p for p in (self.kafka_home, self.cds_dir) if p)]
        keep = {str(p): os.open(p, os.O_PATH | os.O_DIRECTORY) for p in (k.resolve() for k in kept)
                if p.is_dir() and any(p.is_relative_to(c) for c in covered)}
        work_fd = os.open(self.work, os.O_PATH | os.O_DIRECTORY)
        if not self.shared:
            _loopback_up()
        _mount(None, "/", None, _MS_REC | _MS_PRIVATE)
        for path in hide:  # writable by root only: the kept folders are re-created inside
            if path.is_dir():
                _mount("tmpfs", str(path), "tmpfs", _MS_NOSUID | _MS_NODEV, "mode=0755,size=1m")
            else:
                _mount("/dev/null", str(path), None, _MS_BIND)
        for folder in replaced:
            _mount("tmpfs", str(folder), "tmpfs", _MS_NOSUID | _MS_NODEV, "mode=1777,size=1g")
        binds = [*keep.items(), (str(WORK), work_fd)]
        for path, fd in binds:  # the venv, Python, the package, Kafka read-only; the work folder read-write
            Path(path).mkdir(parents=True, exist_ok=True)
            _mount(f"/proc/self/fd/{fd}", path, None, _MS_BIND | _MS_REC)
            if path != str(WORK):
                _mount(None, path, None, _MS_BIND | _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID | _MS_NODEV)
            os.close(fd)
        _mount("proc", "/proc", "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, "hidepid=2")

    def _make_cgroups(self) -> None:
        root = Path("/sys/fs/cgroup")
        name = f"kafkalab-grade-{self.slot}-{self.token}"
        lim = self.limits
        if "memory" in _read(root / "cgroup.controllers").split():  # cgroup v2
            group = root / name
            try:
                for ctl in ("memory", "pids", "cpu"):
                    _write(root / "cgroup.subtree_control", f"+{ctl}")
                group.mkdir()
                _write(group / "memory.max", str(lim.memory))
                _write(group / "pids.max", str(lim.pids))
                _write(group / "cpu.max", f"{int(lim.cpus * 100000)} 100000")
                _write(group / "cpu.weight", str(lim.cpu_weight * 100))
                self.cgroups, self.cgroup_kind = [group], "v2"
            except OSError:
                pass
            return
        settings = {"memory": {"memory.limit_in_bytes": lim.memory}, "pids": {"pids.max": lim.pids},
                    "cpu": {"cpu.cfs_period_us": 100000, "cpu.cfs_quota_us": int(lim.cpus * 100000),
                            "cpu.shares": lim.cpu_weight * 1024},
                    "cpuacct": {}, "freezer": {}}
        for ctl, values in settings.items():
            group = root / ctl / name
            try:
                group.mkdir()
                for key, value in values.items():
                    _write(group / key, str(value))
                self.cgroups.append(group)
            except OSError:
                continue
        self.cgroup_kind = "v1" if self.cgroups else "none"

    def kernel_argv(self) -> list[str]:
        """The kernelspec argv: the launcher, which enters the cgroups, drops root and execs ipykernel."""
        spec = {"uid": self.uid if self.strong else None, "cgroups": [str(c) for c in self.cgroups],
                "work": str(self.work_inside), "env": self.env(), "limits": self.limits.__dict__}
        return [sys.executable, "-m", "kafkalab.grading.sandbox", json.dumps(spec), "--",
                sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]

    def env(self) -> dict:
        """The kernel's whole environment: an allow-list, never the grader's variables or tokens."""
        work = self.work_inside
        env = {k: os.environ[k] for k in _ENV_KEEP if k in os.environ}
        venv_bin = str(Path(sys.executable).parent)
        env.update({
            "PATH": os.pathsep.join([venv_bin, "/usr/local/bin", "/usr/bin", "/bin"]),
            "HOME": str(work / ".home"), "TMPDIR": "/tmp" if self.strong else str(work / ".tmp"),
            "KAFKALAB_HOME": str(self.kafkalab_home), "KAFKALAB_ENGINE": "local",
            "KAFKALAB_CACHE": str(work / ".cache"), "PYTHONUNBUFFERED": "1", "PYTHONNOUSERSITE": "1",
            "MPLBACKEND": "Agg", TOKEN_ENV: self.token,
        })
        if self.kafka_home:
            env["KAFKA_HOME"] = str(self.kafka_home)
        env.update(self.student_env)
        if self.strong and self.cds_dir:  # read-only there; in weak mode a kernel could write into it
            env["KAFKALAB_CDS_DIR"] = str(self.cds_dir)
        env.setdefault("LANG", "C.UTF-8")
        return env

    def cpu_seconds(self) -> float | None:
        """CPU time the submission has used (its cgroup's, or its container's); None where unknown."""
        groups = self.cgroups or ([Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/cpuacct")] if self.docker else [])
        for group in groups:
            usage = _read(group / "cpuacct.usage").strip()  # v1: nanoseconds
            if usage.isdigit():
                return int(usage) / 1e9
            stat = dict(line.split() for line in _read(group / "cpu.stat").splitlines() if len(line.split()) == 2)
            if stat.get("usage_usec", "").isdigit():  # v2
                return int(stat["usage_usec"]) / 1e6
        return None

    # --- ending -------------------------------------------------------------------------------------
    def processes(self) -> list:
        """Every process the submission started: by cgroup, by uid (strong), by token (weak)."""
        import psutil

        found = {}
        for group in self.cgroups:
            for pid in _read(group / "cgroup.procs").split():
                try:
                    found[int(pid)] = psutil.Process(int(pid))
                except psutil.Error:
                    pass
        for proc in psutil.process_iter(["uids", "environ"] if not self.strong else ["uids"]):
            try:
                if self.strong and proc.info["uids"] and proc.info["uids"].real == self.uid:
                    found[proc.pid] = proc
                elif not self.strong and (proc.info.get("environ") or {}).get(TOKEN_ENV) == self.token:
                    found[proc.pid] = proc
            except (psutil.Error, AttributeError):
                continue
        found.pop(os.getpid(), None)
        alive = []
        for proc in found.values():
            try:
                if proc.status() != psutil.STATUS_ZOMBIE:
                    alive.append(proc)
            except psutil.Error:
                continue
        return alive

    def end(self, timeout: float = 20.0) -> int:
        """End every process of the submission and remove its cgroups; returns how many were ended."""
        import psutil

        from ..waiting import wait_for

        if not self.cgroups:  # the grader's backstop: the worker's cgroups, found by their name
            name = f"kafkalab-grade-{self.slot}-{self.token}"
            root = Path("/sys/fs/cgroup")
            self.cgroups = [g for g in [root / name, *root.glob(f"*/{name}")] if g.is_dir()]
        freezers = [g for g in self.cgroups if g.parent.name == "freezer"]
        ended: set[int] = set()

        def kill_all() -> bool:
            for group in freezers:
                _write(group / "freezer.state", "FROZEN", quiet=True)
            if self.strong:
                _kill_uid(self.uid)
            for group in self.cgroups:
                if (group / "cgroup.kill").exists():
                    _write(group / "cgroup.kill", "1", quiet=True)
            procs = self.processes()
            for proc in procs:
                try:
                    proc.kill()
                    ended.add(proc.pid)
                except psutil.Error:
                    pass
            for group in freezers:
                _write(group / "freezer.state", "THAWED", quiet=True)
            _reap()
            return not procs

        try:
            wait_for(kill_all, timeout, "the submission's processes to end")
        finally:
            for group in self.cgroups:
                try:  # a cgroup goes once the kernel has let go of its last process
                    wait_for(lambda: _removed(group), 5, f"the cgroup {group} to go", every=0.1)
                except TimeoutError:
                    pass
        return len(ended)



def _removed(folder: Path) -> bool:
    try:
        folder.rmdir()
    except FileNotFoundError:
        pass
    except OSError:  # busy: still has a process
        return False
    return True

SLOTS = 64
CLAIMS = Path("/run/kafkalab-grade")  # one lock file per slot, held by the batch that grades in it


def claim_slots(count: int) -> dict[int, int]:
    """Claim `count` slots (each its own uid) for this grader process: {slot: fd of its held lock}.

    Two batches on one machine (two courses, two instructors) must never share a slot: a slot's uid is
    how a sandbox's processes are found and ended. The locks go with the process, so the slots of a
    grader that was killed are free again at once; what it left running is swept when claimed."""
    CLAIMS.mkdir(mode=0o700, parents=True, exist_ok=True)
    held: dict[int, int] = {}
    for slot in range(SLOTS):
        if len(held) == count:
            break
        fd = os.open(CLAIMS / f"slot-{slot}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        held[slot] = fd
    if len(held) < count:
        release_slots(held)
        from ..errors import KafkaLabError

        raise KafkaLabError("grading_no_slots", free=len(held), wanted=count)
    return held


def release_slots(held: dict[int, int]) -> None:
    for fd in held.values():
        os.close(fd)  # closing drops the lock
    held.clear()


def sweep_stale(slots: list[int]) -> int:
    """End what earlier, interrupted grader runs left in `slots` (claimed by us, so no live grader
    uses them): every process of the slot's uid, its cgroups."""
    if not strong_possible():
        return 0
    ended = 0
    for slot in slots:
        box = Sandbox(work=Path("/nonexistent"), slot=slot, token="*")
        root = Path("/sys/fs/cgroup")
        box.cgroups = [g for g in [*root.glob(f"kafkalab-grade-{slot}-*"), *root.glob(f"*/kafkalab-grade-{slot}-*")]
                       if g.is_dir()]
        if box.cgroups or box.processes():
            ended += box.end()
    return ended


def _kill_uid(uid: int) -> None:
    """SIGKILL every process of the slot's uid in one kernel call: kill(-1) from a child that has become
    that uid. Where no freezer cgroup holds them (in a container), a fork bomb outruns killing its
    processes one by one; it cannot outrun this."""
    if os.geteuid() != 0 or uid < UID_BASE:
        return
    try:
        pid = os.fork()
    except OSError:  # no task left for the helper: the caller tries again, and kills one by one meanwhile
        return
    if pid == 0:  # the child only changes uid, signals and exits: safe after fork in a threaded process
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)
        except BaseException:
            pass
        os._exit(0)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass  # another grading thread's _reap() collected it first: it has signalled and ended


def _reap() -> None:
    """Collect this process's own ended children (the kernel), so none stays a zombie."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _write(path: Path, text: str, quiet: bool = False) -> None:
    try:
        path.write_text(text)
    except OSError:
        if not quiet:
            raise


def _launch(spec: dict, argv: list[str]) -> None:
    """Runs as the grader's user inside the namespaces: join cgroups, limit, drop root, exec the kernel."""
    for group in spec["cgroups"]:
        _write(Path(group) / "cgroup.procs", str(os.getpid()), quiet=True)
    limits = spec["limits"]
    for rlimit, value in ((resource.RLIMIT_FSIZE, limits["file_size"]), (resource.RLIMIT_NOFILE, limits["open_files"]),
                          (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(rlimit, (value, value))
    uid = spec["uid"]
    work = Path(spec["work"])
    connection = next((a for a in argv if a.endswith(".json")), None)
    if uid is not None:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["pids"], limits["pids"]))
        if connection:
            os.chown(connection, uid, uid)
        for sub in (".home", ".cache", Path(spec["env"]["KAFKALAB_HOME"]).name):
            (work / sub).mkdir(exist_ok=True)
            os.chown(work / sub, uid, uid)
        _write(Path("/proc/self/oom_score_adj"), "1000", quiet=True)  # out of memory: the kernel goes first
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: dies with its worker
    else:
        for sub in (".home", ".cache", ".tmp", Path(spec["env"]["KAFKALAB_HOME"]).name):
            (work / sub).mkdir(exist_ok=True)
    os.umask(0o022)
    os.chdir(work)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.execve(argv[0], argv, spec["env"])


if __name__ == "__main__":
    split = sys.argv.index("--")
    _launch(json.loads(sys.argv[1]), sys.argv[split + 1:])
