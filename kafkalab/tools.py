"""Kafka's own CLI tools (kafka-topics.sh, ...) run against a cluster, as the notes write them.

The tools are the real Java programs (the main classes Kafka's bin/*.sh scripts call). Before running,
the arguments are read for the mistakes the notes make (a spaced server list, --from-begining, ...)
and a hint is printed; where the cluster had to take other ports than the notes', the notes'
addresses are mapped to the real ones and a note says so.
"""
from __future__ import annotations

import re
import subprocess
import sys
import threading
from dataclasses import dataclass

from . import report
from .errors import KafkaLabError
from .i18n import register, t

register({
    "tool_output_folded": {
        "en": "[{count} more lines hidden: {what}. The full text: res = cluster.tool(...); print(res.stderr)]",
        "ru": "[скрыто ещё строк: {count} — {what}. Полный текст: res = cluster.tool(...); print(res.stderr)]",
    },
    "tool_folded_usage": {
        "en": "the tool's list of options (see it with --help)",
        "ru": "список опций инструмента (его показывает --help)",
    },
    "tool_folded_trace": {"en": "a Java stack trace", "ru": "стек вызовов Java"},
    "tool_not_in_kafka4": {
        "en": "{tool} does not exist in Kafka {version}: ZooKeeper was removed in Kafka 4.0. Use "
              "kafka-metadata-quorum.sh (the KRaft controller quorum) or kafka-topics.sh / kafka-configs.sh.",
        "ru": "В Kafka {version} нет {tool}: ZooKeeper убрали в Kafka 4.0. Используйте kafka-metadata-quorum.sh "
              "(кворум контроллеров KRaft) или kafka-topics.sh / kafka-configs.sh.",
    },
    "tool_bootstrap_down": {
        "en": "Nothing answers at {given}: {nodes} is down, so {tool} cannot even fetch the cluster's metadata "
              "(Kafka's own tool would wait about a minute, then fail with 'Timed out waiting for a node "
              "assignment'). A client needs one live broker to bootstrap from; live now: {live}. "
              "Fix: --bootstrap-server {suggest}",
        "ru": "По адресу {given} никто не отвечает: {nodes} не работает, и {tool} не может даже получить "
              "метаданные кластера (инструмент самой Kafka ждал бы около минуты, а потом упал бы с 'Timed out "
              "waiting for a node assignment'). Клиенту для начала нужен хотя бы один живой брокер; сейчас "
              "живы: {live}. Исправление: --bootstrap-server {suggest}",
    },
    "tool_cluster_down": {
        "en": "No broker of cluster '{name}' runs, so {tool} has nobody to ask. Start them: cluster.start() "
              "(or `kafkalab up`).",
        "ru": "Ни один брокер кластера '{name}' не работает, и {tool} некого спросить. Запустите их: "
              "cluster.start() (или `kafkalab up`).",
    },
})

BOOTSTRAP_FLAGS = ("--bootstrap-server", "--broker-list")

TOOLS = {
    "kafka-topics": "org.apache.kafka.tools.TopicCommand",
    "kafka-console-producer": "kafka.tools.ConsoleProducer",
    "kafka-console-consumer": "org.apache.kafka.tools.consumer.ConsoleConsumer",
    "kafka-consumer-groups": "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
    "kafka-producer-perf-test": "org.apache.kafka.tools.ProducerPerformance",
    "kafka-consumer-perf-test": "org.apache.kafka.tools.ConsumerPerformance",
    "kafka-dump-log": "kafka.tools.DumpLogSegments",
    "kafka-configs": "kafka.admin.ConfigCommand",
    "kafka-acls": "kafka.admin.AclCommand",
    "kafka-get-offsets": "org.apache.kafka.tools.GetOffsetShell",
    "kafka-delete-records": "org.apache.kafka.tools.DeleteRecordsCommand",
    "kafka-leader-election": "org.apache.kafka.tools.LeaderElectionCommand",
    "kafka-reassign-partitions": "org.apache.kafka.tools.reassign.ReassignPartitionsCommand",
    "kafka-log-dirs": "org.apache.kafka.tools.LogDirsCommand",
    "kafka-metadata-quorum": "org.apache.kafka.tools.MetadataQuorumCommand",
    "kafka-broker-api-versions": "kafka.admin.BrokerApiVersionsCommand",
    "kafka-storage": "kafka.tools.StorageTool",
    "zookeeper-shell": "org.apache.zookeeper.ZooKeeperMainWithTlsSupportForKafka",
}
# Kafka 4.x moved these from the Scala core (kafka.*) to org.apache.kafka.tools and removed ZooKeeper
TOOLS_4 = {
    "kafka-console-producer": "org.apache.kafka.tools.ConsoleProducer",
    "kafka-dump-log": "org.apache.kafka.tools.DumpLogSegments",
    "kafka-configs": "org.apache.kafka.tools.ConfigCommand",
    "kafka-broker-api-versions": "org.apache.kafka.tools.BrokerApiVersionsCommand",
}
NOT_IN_4 = {"zookeeper-shell"}
# tools whose figures are the lesson: they keep the optimizing JIT; the others start in half the CPU on C1
MEASURING_TOOLS = {"kafka-producer-perf-test", "kafka-consumer-perf-test"}
TOOL_HEAP = "256m"


def main_class(name: str, version: str) -> str:
    """The main class of tool `name` in Kafka `version`; KafkaLabError for a tool 4.x no longer has."""
    from .distribution import major

    if major(version) >= 4:
        if name in NOT_IN_4:
            raise KafkaLabError("tool_not_in_kafka4", tool=f"{name}.sh", version=version)
        return TOOLS_4.get(name, TOOLS[name])
    return TOOLS[name]
NOTEBOOK_CONSUMER_TIMEOUT_MS = 10000


def tool_name(tool: str) -> str:
    """'bin/kafka-topics.sh' -> 'kafka-topics'; KafkaLabError for an unknown tool."""
    name = tool.rsplit("/", 1)[-1]
    name = name[:-3] if name.endswith(".sh") else name
    if name not in TOOLS:
        raise KafkaLabError("tool_unknown", tool=tool, tools=", ".join(f"{n}.sh" for n in TOOLS))
    return name


def hints(name: str, args: list[str]) -> list[str]:
    """Hints for the mistakes the notes make, in the current language."""
    found = []
    for i, arg in enumerate(args):
        if arg.endswith(",") and i > 0 and args[i - 1] in ("--bootstrap-server", "--broker-list"):
            found.append(t("hint_spaces_in_list", arg=arg))
        if arg == "--from-begining":
            found.append(t("hint_from_begining"))
        if arg == "--zookeeper" and name == "kafka-topics":
            found.append(t("hint_zookeeper_option"))
        if arg == "--broker-list" and name == "kafka-console-producer":
            found.append(t("hint_broker_list"))
    if name == "kafka-console-producer" and any(a in ("--from-beginning", "--from-begining", "--partition",
                                                      "--offset", "--group") for a in args):
        found.append(t("hint_producer_as_consumer"))
    return found


def map_notes_ports(cluster, args: list[str]) -> tuple[list[str], list[str]]:
    """Replace the notes' addresses (localhost:9092.., localhost:2181) by the cluster's real ones."""
    moved: dict[int, int] = {}
    for node in cluster.nodes:
        if node.role in ("broker", "zookeeper") and node.port != node.preferred_port:
            moved[node.preferred_port] = node.port
    if not moved:
        return args, []
    notes: list[str] = []

    def swap(match: re.Match) -> str:
        port = int(match.group(2))
        if port not in moved:
            return match.group(0)
        new = f"127.0.0.1:{moved[port]}"
        notes.append(t("tool_ports_rewritten", old=match.group(0), new=new))
        return new

    pattern = re.compile(r"(localhost|127\.0\.0\.1):(\d+)")
    return [pattern.sub(swap, a) for a in args], notes


def check_bootstrap(cluster, name: str, args: list[str]) -> None:
    """A KafkaLabError, before any JVM starts, when every broker the tool is told to bootstrap from is down
    (a killed broker-0 and the notes' localhost:9092): the tool would only hang, then time out."""
    from .cluster import probes

    given = next((args[i + 1] for i, a in enumerate(args[:-1]) if a in BOOTSTRAP_FLAGS), None)
    if not given or not cluster.engine.controls_nodes:
        return
    addresses = [a.strip() for a in given.split(",") if a.strip()]
    pattern = re.compile(r"^(?:localhost|127\.0\.0\.1):(\d+)$")
    ports = [int(m.group(1)) for m in map(pattern.match, addresses) if m]
    if len(ports) != len(addresses) or any(probes.tcp_open("127.0.0.1", p) for p in ports):
        return  # an address elsewhere, or one that answers: the tool's own business
    brokers = [n for n in cluster.nodes if n.role == "broker"]
    named = [n.name for n in brokers if n.port in ports]
    if not named:
        return  # not this cluster's brokers: the tool's own error says more
    live = [n for n in brokers if probes.tcp_open(n.host, n.port)]
    if not live:
        raise KafkaLabError("tool_cluster_down", name=cluster.name, tool=name)
    shown = [f"localhost:{n.port}" if n.port == n.preferred_port else f"{n.host}:{n.port}" for n in live]
    raise KafkaLabError("tool_bootstrap_down", given=given, nodes=", ".join(named), tool=name,
                        live=", ".join(f"{n.name} ({a})" for n, a in zip(live, shown)), suggest=",".join(shown))


@dataclass
class ToolResult:
    """What a tool printed and how it ended."""

    tool: str
    returncode: int
    stdout: str
    stderr: str
    echoed: bool = True
    waited_for_input: bool = False  # with idle_input: still running, reading nothing, when the input closed

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()

    def __repr__(self) -> str:
        return f"<ToolResult {self.tool} returncode={self.returncode} lines={len(self.lines)}>"

    def _ipython_display_(self) -> None:
        if not self.echoed:  # already shown while it ran
            print(self.stdout, end="")
            fold = _Fold()
            print("".join(line for line in self.stderr.splitlines(keepends=True) if fold.shows(line))
                  + fold.summary(), end="", file=sys.stderr)


# what the console consumer prints when the --timeout-ms we added ends it: not the student's error
_TIMEOUT_NOISE = ("Error processing message, terminating consumer process",
                  "org.apache.kafka.common.errors.TimeoutException")


class _Fold:
    """Keeps the head of a tool's error output on the page and folds what floods it: the option table
    a usage error prints (hundreds of lines) and Java stack frames."""

    FRAME = re.compile(r"^\s+(at |\.\.\. \d+ more)")

    def __init__(self):
        self.usage = False
        self.hidden = {"tool_folded_usage": 0, "tool_folded_trace": 0}

    def shows(self, line: str) -> bool:
        if not self.usage and line.startswith("Option ") and "Description" in line:
            self.usage = True
        if self.usage:
            self.hidden["tool_folded_usage"] += 1
        elif self.FRAME.match(line):
            self.hidden["tool_folded_trace"] += 1
        else:
            return True
        return False

    def summary(self) -> str:
        """One line naming what was folded, '' when nothing was."""
        folded = {k: n for k, n in self.hidden.items() if n}
        if not folded:
            return ""
        return t("tool_output_folded", count=sum(folded.values()), what=", ".join(t(k) for k in folded)) + "\n"


def _pump(stream, sink, into: list[str], drop: tuple[str, ...] = (), fold: _Fold | None = None) -> None:
    for line in iter(stream.readline, ""):
        if any(d in line for d in drop):
            continue
        into.append(line)
        if sink is not None and (fold is None or fold.shows(line)):
            sink.write(line)
            sink.flush()
    stream.close()


def prepare(cluster, tool: str, args: list[str], *, notebook: bool) -> tuple[str, list[str], list[str]]:
    """(tool name, final args, notes and hints to show) for a tool run."""
    name = tool_name(tool)
    notes = hints(name, args)
    if name == "zookeeper-shell" and args and not args[0].startswith("-"):
        args = ["-server", *args]  # as Kafka's bin/zookeeper-shell.sh does
    from . import namespace
    from .cluster import connection

    if connection.of_cluster(cluster) is None:
        args, moved = map_notes_ports(cluster, args)
        notes += moved
    args, renamed = namespace.map_tool_args(cluster, args)  # a student's topics and groups on a shared cluster
    notes += renamed
    args, grouped = namespace.console_group(cluster, name, args)
    notes += grouped
    args, elsewhere = connection.tool_args(cluster, name, args)  # an external cluster: address, client config
    notes += elsewhere
    check_bootstrap(cluster, name, args)
    if notebook and name == "kafka-console-consumer" and not {"--max-messages", "--timeout-ms"} & set(args):
        args = [*args, "--timeout-ms", str(NOTEBOOK_CONSUMER_TIMEOUT_MS)]
        notes.append(t("tool_timeout_added", ms=NOTEBOOK_CONSUMER_TIMEOUT_MS))
    return name, args, notes


def command(cluster, tool: str, args: list[str], *, notebook: bool = False) -> tuple[list[str], list[str]]:
    """(argv, notes) that run `tool args` against the cluster through its engine."""
    name, args, notes = prepare(cluster, tool, args, notebook=notebook)
    return _argv(cluster, name, args), notes


def _argv(cluster, name: str, args: list[str]) -> list[str]:
    from .cluster.engines.base import QUICK_JVM_OPTS, JavaStep, kafka_version

    main = main_class(name, kafka_version(cluster))
    quick = [] if name in MEASURING_TOOLS else QUICK_JVM_OPTS
    return cluster.engine.tool_command(cluster.site, JavaStep(main, args, TOOL_HEAP, quick))


def _start(cluster, name: str, args: list[str], stdin=None, **popen):
    """The running tool: a call to the cluster's tool server when it serves this tool, else its own JVM."""
    from . import toolserver
    from .cluster.engines.base import kafka_version

    if stdin is None:
        served = toolserver.open_call(cluster, name, main_class(name, kafka_version(cluster)), args)
        if served is not None:
            return served
    return subprocess.Popen(_argv(cluster, name, args), stdin=stdin if stdin is not None else subprocess.DEVNULL,
                            **popen)


def run_tool(cluster, tool: str, args: list[str], *, input: str | None = None, timeout: float | None = None,
             echo: bool = True, idle_input: float | None = None) -> ToolResult:
    """Run a tool, stream its output (echo) and return it; for notebooks and Python code.

    input: what the tool reads, then the end of its input. idle_input: keep the input open and empty for
    that many seconds, as a terminal where nobody types, then end it (Ctrl+D); `waited_for_input` says
    whether the tool was still waiting then. timeout: the tool is killed after it (Ctrl+C)."""
    given = list(args)
    name, args, notes = prepare(cluster, tool, args, notebook=True)
    for note in notes:
        report.warn(note)
    drop = _TIMEOUT_NOISE if "--timeout-ms" in args and "--timeout-ms" not in given else ()
    proc = _start(cluster, name, args, stdin=subprocess.PIPE if input is not None or idle_input else None,
                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
    out: list[str] = []
    err: list[str] = []
    fold = _Fold()
    pumps = [threading.Thread(target=_pump, args=(proc.stdout, sys.stdout if echo else None, out), daemon=True),
             threading.Thread(target=_pump, args=(proc.stderr, sys.stderr if echo else None, err, drop, fold),
                              daemon=True)]
    for p in pumps:
        p.start()
    waited = False
    if idle_input:
        try:
            proc.wait(timeout=idle_input)
        except subprocess.TimeoutExpired:
            waited = True
    if input is not None or idle_input:
        try:
            if input:
                proc.stdin.write(input if input.endswith("\n") else input + "\n")
            proc.stdin.close()
        except BrokenPipeError:
            pass
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
        err.append(t("tool_timed_out", tool=tool_name(tool), seconds=timeout) + "\n")
        if echo:
            print(err[-1], end="", file=sys.stderr)
    except KeyboardInterrupt:
        proc.kill()
        proc.wait()
        raise
    for p in pumps:
        p.join()
    if echo and fold.summary():
        print(fold.summary(), end="", file=sys.stderr)
    if code == 0:
        _created_topic_known(cluster, name, args)
    return ToolResult(tool_name(tool), code, "".join(out), "".join(err), echoed=echo, waited_for_input=waited)


def _created_topic_known(cluster, name: str, args: list[str], timeout: float = 10.0) -> None:
    """After `kafka-topics --create`, wait until each broker that answers knows the topic. The tool returns
    once the controller has it; a `--describe` a moment later may ask a broker the news has not reached
    yet and hear "does not exist". Only on clusters kafkalab started (their brokers can be asked one by one)."""
    if name != "kafka-topics" or "--create" not in args or not cluster.engine.controls_nodes:
        return
    topic = next((args[i + 1] for i, a in enumerate(args[:-1]) if a == "--topic"), None) or next(
        (a.split("=", 1)[1] for a in args if a.startswith("--topic=")), None)
    if not topic:
        return
    from .cluster.probes import tcp_open, topic_names
    from .waiting import wait_for

    def everywhere() -> bool:
        return all(names is None or topic in names
                   for names in (topic_names(f"{b.host}:{b.port}") for b in cluster.brokers
                                 if tcp_open(b.host, b.port)))
    try:
        wait_for(everywhere, timeout, f"every broker to know {topic}", every=0.1)
    except TimeoutError:
        pass  # the next step says what is wrong in its own words


def run_in_terminal(cluster, tool: str, args: list[str]) -> int:
    """Run a tool with this terminal's stdin/stdout/stderr (the `kafkalab tool` command)."""
    from . import toolserver
    from .cluster.engines.base import kafka_version

    name, args, notes = prepare(cluster, tool, args, notebook=False)
    for note in notes:
        report.warn(note)
    served = toolserver.open_call(cluster, name, main_class(name, kafka_version(cluster)), args)
    try:
        if served is None:
            code = subprocess.call(_argv(cluster, name, args))
        else:
            pumps = [threading.Thread(target=_pump, args=(served.stdout, sys.stdout, []), daemon=True),
                     threading.Thread(target=_pump, args=(served.stderr, sys.stderr, []), daemon=True)]
            for p in pumps:
                p.start()
            code = served.wait()
            for p in pumps:
                p.join()
        if code == 0:
            _created_topic_known(cluster, name, args)
        return code
    except KeyboardInterrupt:
        if served is not None:
            served.kill()
        return 130
