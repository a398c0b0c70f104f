"""KRaft clusters: the storage format step as the quickstart writes it, and the controller quorum's state.

    cluster = kafkalab.up("kraft", kafka="4")       # 3 controllers (19091..19093) + 3 brokers (9092..9094)
    cluster.storage_format_commands()               # what ran before each node: kafka-storage.sh format ...
    cluster.quorum()                                 # {'leader': 1002, 'epoch': 3, 'voters': [...], ...}

The format step: one cluster id (``kafka-storage.sh random-uuid``) for the whole cluster, then
``kafka-storage.sh format -t ID -c FILE`` for every node before its first start. The quorum is static
(``controller.quorum.voters`` in every file), the form Kafka 3.9 and 4.x both accept, so format needs
neither ``--standalone`` nor ``--initial-controllers``. The commands are kept in the cluster's folder
(``config/format-storage.sh``) for lessons to show.

The quorum is read with Kafka's own ``kafka-metadata-quorum.sh describe --status`` and
``--replication`` (``org.apache.kafka.tools.MetadataQuorumCommand``): confluent-kafka has no
DescribeQuorum call.
"""
from __future__ import annotations

import re
import shlex
import subprocess
from concurrent.futures import ThreadPoolExecutor

from ..i18n import register
from .engines.base import QUICK_JVM_OPTS, JavaStep
from .probes import tcp_open

QUORUM_MAIN = "org.apache.kafka.tools.MetadataQuorumCommand"
FORMAT_SCRIPT = "format-storage.sh"
QUORUM_TIMEOUT = 30.0

register({
    "kafka_mismatch": {
        "en": "Cluster '{name}' runs Kafka {existing}, not {wanted}. Use another --name, or remove it first "
              "(kafkalab down --name {name}, or up(..., fresh=True)).",
        "ru": "Кластер '{name}' работает на Kafka {existing}, а не {wanted}. Возьмите другое --name или "
              "сначала удалите его (kafkalab down --name {name} или up(..., fresh=True)).",
    },
    "kraft_no_quorum": {
        "en": "Could not create topic '{topic}': only {alive} of {total} KRaft controllers are running, and "
              "the quorum needs {need} to elect a leader and commit metadata. Existing partitions still "
              "serve reads and writes; new topics, leader changes and config changes wait for the quorum. "
              "Fix: start a controller again: .start('{example}') on your cluster object, or "
              "`kafkalab start {example} --name {name}` in a terminal.",
        "ru": "Не удалось создать топик '{topic}': работают только {alive} из {total} контроллеров KRaft, "
              "а кворуму нужно {need}, чтобы выбрать лидера и зафиксировать метаданные. Существующие партиции "
              "по-прежнему принимают запись и чтение; новые топики, смена лидеров и настроек ждут кворума. "
              "Что сделать: запустите контроллер снова: .start('{example}') у объекта кластера или "
              "`kafkalab start {example} --name {name}` в терминале.",
    },
    "quorum_line": {
        "en": "  KRaft quorum: leader {leader}, epoch {epoch}, voters {voters}, max follower lag {lag}",
        "ru": "  Кворум KRaft: лидер {leader}, эпоха {epoch}, голосующие {voters}, макс. лаг {lag}",
    },
    "quorum_unknown": {
        "en": "  KRaft quorum: no answer ({error})",
        "ru": "  Кворум KRaft: нет ответа ({error})",
    },
    "quorum_no_leader": {
        "en": "The KRaft controller quorum of cluster '{name}' named no leader within {seconds:g} s (last answer: "
              "{error}). A majority of its controllers must run: `kafkalab status --name {name}` shows which "
              "nodes run; start a stopped one with .start('<node>') on your cluster object.",
        "ru": "Кворум контроллеров KRaft кластера '{name}' не назвал лидера за {seconds:g} с (последний ответ: "
              "{error}). Должно работать большинство его контроллеров: `kafkalab status --name {name}` покажет, "
              "какие узлы работают; остановленный запустите через .start('<узел>') у объекта кластера.",
    },
    "format_script_header": {
        "en": "# What kafkalab ran before each node's first start (as Kafka's quickstart does it):\n"
              "# one cluster id for the whole cluster, then each node's storage formatted with it.",
        "ru": "# Что kafkalab выполнил перед первым запуском каждого узла (как в quickstart Kafka):\n"
              "# один id на весь кластер, затем хранилище каждого узла отформатировано с ним.",
    },
})


# --- the storage format step --------------------------------------------------------------------------
def format_commands(cluster) -> str:
    """The quickstart's commands for this cluster, with its real id and files (a shell script's text)."""
    from ..i18n import t

    cluster_id = cluster.state.get("kraft_cluster_id", "")
    lines = [t("format_script_header"),
             "# KAFKA_CLUSTER_ID=\"$(bin/kafka-storage.sh random-uuid)\"",
             f"KAFKA_CLUSTER_ID={shlex.quote(cluster_id)}"]
    for node in cluster.nodes:
        if node.role in ("controller", "broker"):
            path = cluster.config_path(node)
            lines.append(f"bin/kafka-storage.sh format -t \"$KAFKA_CLUSTER_ID\" -c {shlex.quote(str(path))}"
                         f" --ignore-formatted   # {node.name}")
    return "\n".join(lines) + "\n"


def write_format_script(cluster) -> None:
    """Keep the format commands in the cluster's folder: config/format-storage.sh."""
    (cluster.dir / "config" / FORMAT_SCRIPT).write_text(format_commands(cluster))


# --- the quorum ---------------------------------------------------------------------------------------
def _bootstrap_args(cluster) -> list[str]:
    """--bootstrap-server while a broker answers (DescribeQuorum is forwarded to the controllers), else
    --bootstrap-controller straight to the voters (a cluster whose brokers are all down)."""
    brokers = [b for b in cluster.brokers if tcp_open(b.host, b.port)]
    if brokers:
        return ["--bootstrap-server", ",".join(f"{b.host}:{b.port}" for b in brokers)]
    voters = [v for v in cluster.spec.voters() if v.role == "controller"]
    return ["--bootstrap-controller", ",".join(f"{v.host}:{v.quorum_port}" for v in voters)]


def _run(cluster, args: list[str], timeout: float) -> str:
    """The quorum tool's output: a call to the cluster's warm tool server where it runs (a JVM start saved
    on each of a wait's many calls), else a JVM of its own."""
    from .. import toolserver

    served = toolserver.open_call(cluster, "kafka-metadata-quorum", QUORUM_MAIN, args)
    if served is None:
        argv = cluster.engine.tool_command(cluster.site, JavaStep(QUORUM_MAIN, args, "128m", QUICK_JVM_OPTS))
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as err:
            raise RuntimeError(f"no answer within {timeout:g} s") from err
        code, text = out.returncode, (out.stdout, out.stderr)
    else:
        try:
            code = served.wait(timeout)
        except subprocess.TimeoutExpired as err:
            served.kill()
            raise RuntimeError(f"no answer within {timeout:g} s") from err
        text = (served.stdout.read(), served.stderr.read())
        served.stdout.close()
        served.stderr.close()
    if code != 0:
        lines = [ln for ln in (text[1] + text[0]).splitlines() if ln.strip() and not ln.startswith("\tat ")]
        raise RuntimeError((lines[-1] if lines else f"exit code {code}")[:300])
    return text[0]


def _ids(text: str) -> list[int]:
    """Node ids from CurrentVoters / CurrentObservers: '[1001,1002]' or '[{"id": 1001, ...}, ...]'."""
    found = re.findall(r'"id":\s*(\d+)', text)
    return [int(i) for i in (found or re.findall(r"\d+", text))]


def parse_status(text: str) -> dict:
    """`describe --status` output -> {'cluster_id', 'leader', 'epoch', 'high_watermark', 'max_follower_lag',
    'max_follower_lag_ms', 'voter_ids', 'observer_ids'}."""
    fields = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()

    def number(key):
        try:
            return int(fields[key])
        except (KeyError, ValueError):
            return None

    leader = number("LeaderId")
    return {"cluster_id": fields.get("ClusterId"), "leader": leader if leader is not None and leader >= 0 else None,
            "epoch": number("LeaderEpoch"), "high_watermark": number("HighWatermark"),
            "max_follower_lag": number("MaxFollowerLag"), "max_follower_lag_ms": number("MaxFollowerLagTimeMs"),
            "voter_ids": _ids(fields.get("CurrentVoters", "")),
            "observer_ids": _ids(fields.get("CurrentObservers", ""))}


def parse_replication(text: str) -> list[dict]:
    """`describe --replication` table -> one dict per node: id, log_end_offset, lag, status (Leader,
    Follower, Observer) and the last fetch / caught-up times (ms since the epoch)."""
    rows = [line.split() for line in text.splitlines() if line.strip()]
    if not rows or rows[0][0] != "NodeId":
        return []
    header = rows[0]
    found = []
    for row in rows[1:]:
        if len(row) != len(header):
            continue
        cell = dict(zip(header, row))

        def number(key):
            try:
                return int(cell[key])
            except (KeyError, ValueError):
                return None

        found.append({"id": number("NodeId"), "log_end_offset": number("LogEndOffset"), "lag": number("Lag"),
                      "status": cell.get("Status"), "last_fetch_ms": number("LastFetchTimestamp"),
                      "last_caught_up_ms": number("LastCaughtUpTimestamp")})
    return found


def describe_quorum(cluster, timeout: float = QUORUM_TIMEOUT) -> dict:
    """The controller quorum now: leader, epoch, high watermark, and each voter's log end offset, lag and
    role ('voters'; the brokers are 'observers'). {'error': ...} when the quorum does not answer."""
    base = _bootstrap_args(cluster)
    by_id = {n.id: n.name for n in cluster.nodes}
    with ThreadPoolExecutor(2) as pool:
        status = pool.submit(_run, cluster, [*base, "describe", "--status"], timeout)
        replication = pool.submit(_run, cluster, [*base, "describe", "--replication"], timeout)
        try:
            info = parse_status(status.result())
        except RuntimeError as err:
            return {"error": str(err), "voters_expected": [n.id for n in cluster.spec.voters()]}
        try:
            rows = parse_replication(replication.result())
        except RuntimeError:
            rows = []
    rows_by_id = {r["id"]: r for r in rows}
    voter_ids = info.pop("voter_ids") or [r["id"] for r in rows if r["status"] != "Observer"]
    observer_ids = info.pop("observer_ids") or [r["id"] for r in rows if r["status"] == "Observer"]

    def entry(node_id: int, default_status: str) -> dict:
        row = rows_by_id.get(node_id, {})
        status = row.get("status") or ("Leader" if node_id == info["leader"] else default_status)
        return {"id": node_id, "node": by_id.get(node_id), "status": status,
                "log_end_offset": row.get("log_end_offset"), "lag": row.get("lag"),
                "last_fetch_ms": row.get("last_fetch_ms"), "last_caught_up_ms": row.get("last_caught_up_ms")}

    info["leader_node"] = by_id.get(info["leader"])
    info["voters"] = [entry(i, "Follower") for i in voter_ids]
    info["observers"] = [entry(i, "Observer") for i in observer_ids]
    return info


def wait_for_quorum(cluster, timeout: float = 120.0) -> dict:
    """describe_quorum(cluster) once the quorum answers and names a leader (a busy machine may need a few
    questions); a KafkaLabError in words when it has not within `timeout` seconds."""
    from ..errors import KafkaLabError
    from ..waiting import wait_for

    last = [{}]

    def answered():
        last[0] = describe_quorum(cluster)
        return last[0] if last[0].get("leader") is not None else None

    try:
        return wait_for(answered, timeout, "the controller quorum's leader", every=0.5)[0]
    except TimeoutError:
        raise KafkaLabError("quorum_no_leader", name=cluster.name, seconds=timeout,
                            error=last[0].get("error") or "LeaderId -1") from None


def quorum_text(quorum: dict) -> str:
    """One line about the quorum for `kafkalab status`, in the current language."""
    from ..i18n import t

    if "error" in quorum:
        return t("quorum_unknown", error=quorum["error"])
    return t("quorum_line", leader=quorum.get("leader_node") or quorum.get("leader"), epoch=quorum.get("epoch"),
             voters=", ".join(str(v["node"] or v["id"]) for v in quorum["voters"]),
             lag=quorum.get("max_follower_lag"))


def no_quorum_error(cluster, topic: str):
    """'kraft_no_quorum' when fewer than a majority of the voters run, else None."""
    from ..errors import KafkaLabError

    voters = cluster.spec.voters()
    if not voters or not cluster.engine.controls_nodes:
        return None
    alive = [v for v in voters if cluster.alive(v)]
    need = len(voters) // 2 + 1
    if len(alive) >= need:
        return None
    dead = [v.name for v in voters if v not in alive]
    return KafkaLabError("kraft_no_quorum", topic=topic, alive=len(alive), total=len(voters), need=need,
                         example=dead[0], name=cluster.name)
