"""Checks of lab 07 (Kafka 4.x, KRaft): formatted storage on disk, the controller quorum asked live, the
metadata log (__cluster_metadata) read with kafka-dump-log.sh, topics and messages in the cluster."""
from __future__ import annotations

import json
import re
from pathlib import Path

from kafkalab.grading import Fail, exercise, weight
from kafkalab.i18n import register
from kafkalab.waiting import wait_for

NEW_CLUSTER = "new-cluster"   # the folder of the lab cluster where the setup cell wrote the new cluster's configs
RULES = {"2 of 3": {"create": True, "produce": True}, "1 of 3": {"create": False, "produce": True}}
ZK_RECORDS = {  # a znode of ZooKeeper mode -> the record types of __cluster_metadata that carry what it held
    "/brokers/ids/0": {"REGISTER_BROKER_RECORD"},
    "/brokers/topics/orders": {"TOPIC_RECORD", "PARTITION_RECORD"},
    "/config/topics/orders": {"CONFIG_RECORD"},
    "/admin/delete_topics/legacy": {"REMOVE_TOPIC_RECORD"},
}
ZK_ANSWERS = ("/brokers/ids", "/controller", "/brokers/topics/orders", "/config/topics/orders")
CAUGHT_UP_LAG = 5  # records; the leader appends a no-op record twice a second, so 0-1 is normal

# A submission runs a ZooKeeper-mode cluster and then a 3-node KRaft cluster: two at once on 2 cores
# starved the KRaft controllers until one died at start-up (Kafka 4.4.0, "Unhandled error initializing
# new publishers") in a CI run.
weight("lab07", 2)

register({
    "lab07_formatted_nodes": {
        "en": "`formatted` has the node ids {found}, but the config files in {folder} are for the nodes {expected}. "
              "Hint: one entry per config file, keyed by the node.id written in it.",
        "ru": "В `formatted` id узлов {found}, а файлы конфигурации в {folder} описывают узлы {expected}. "
              "Подсказка: по одной записи на файл конфигурации, ключ — node.id, записанный в нём.",
    },
    "lab07_formatted_folder": {
        "en": "`formatted[{node}]` is '{found}', but the config of node {node} ({config}) says log.dirs={expected}: "
              "that is where format writes. Hint: read the folder from the config, do not guess it.",
        "ru": "`formatted[{node}]` равен '{found}', а в конфигурации узла {node} ({config}) log.dirs={expected}: "
              "format пишет именно туда. Подсказка: возьмите папку из конфигурации, не угадывайте её.",
    },
    "lab07_not_formatted": {
        "en": "There is no meta.properties in '{folder}': the storage of node {node} is not formatted. Hint: "
              "kafka-storage.sh format -t ID -c CONFIG, once for each config file.",
        "ru": "В '{folder}' нет meta.properties: хранилище узла {node} не отформатировано. Подсказка: "
              "kafka-storage.sh format -t ID -c CONFIG, по разу на каждый файл конфигурации.",
    },
    "lab07_meta_cluster_id": {
        "en": "meta.properties of node {node} says cluster.id={found}, but `new_cluster_id` is {expected}. Hint: the "
              "nodes of one cluster share one id: make it once with random-uuid, then format every node with it.",
        "ru": "В meta.properties узла {node} cluster.id={found}, а `new_cluster_id` равен {expected}. Подсказка: у "
              "узлов одного кластера один id: получите его один раз через random-uuid и форматируйте им каждый узел.",
    },
    "lab07_meta_fields": {
        "en": "meta.properties of node {node} has node.id={node_id}, version={version}, directory.id={directory}; "
              "format writes node.id={node}, version=1 and a directory.id. Hint: format it again from its own config "
              "(add --ignore-formatted only to skip folders already done).",
        "ru": "В meta.properties узла {node} node.id={node_id}, version={version}, directory.id={directory}; "
              "format записывает node.id={node}, version=1 и directory.id. Подсказка: отформатируйте его заново по "
              "его собственной конфигурации (--ignore-formatted нужен только чтобы пропустить готовые папки).",
    },
    "lab07_new_id_reused": {
        "en": "`new_cluster_id` is the id of the lab's own cluster. A new cluster needs an id of its own, else its "
              "nodes could be taken for members of the lab's cluster. Hint: kafka-storage.sh random-uuid.",
        "ru": "`new_cluster_id` — это id кластера самой лабораторной. Новому кластеру нужен свой id, иначе его узлы "
              "можно принять за участников кластера лабораторной. Подсказка: kafka-storage.sh random-uuid.",
    },
    "lab07_directory_ids": {
        "en": "The folders share a directory.id ({found}); format gives every folder an id of its own. Hint: format "
              "each node's folder with kafka-storage.sh, do not copy meta.properties.",
        "ru": "У папок одинаковый directory.id ({found}); format даёт каждой папке собственный id. Подсказка: "
              "форматируйте папку каждого узла через kafka-storage.sh, не копируйте meta.properties.",
    },
    "lab07_no_bootstrap": {
        "en": "'{folder}' has no bootstrap checkpoint ({file}): format writes the first metadata (metadata.version) "
              "for every node with the controller role. Hint: run kafka-storage.sh format for that node.",
        "ru": "В '{folder}' нет bootstrap checkpoint ({file}): format записывает первые метаданные "
              "(metadata.version) для каждого узла с ролью controller. Подсказка: выполните kafka-storage.sh format "
              "для этого узла.",
    },
    "lab07_quorum_unknown": {
        "en": "The controller quorum does not answer ({error}). Hint: a majority of the controllers must run: "
              "cluster.start() starts every stopped node.",
        "ru": "Кворум контроллеров не отвечает ({error}). Подсказка: должно работать большинство контроллеров: "
              "cluster.start() запускает все остановленные узлы.",
    },
    "lab07_quorum_keys": {
        "en": "`quorum` should be a dict with the keys {expected}; it has {found}.",
        "ru": "`quorum` должен быть словарём с ключами {expected}; в нём {found}.",
    },
    "lab07_voters": {
        "en": "quorum['voters'] is {found}, but the quorum's voters are {expected}. Hint: CurrentVoters of describe "
              "--status; the nodes that only follow the metadata log do not vote.",
        "ru": "quorum['voters'] равен {found}, а голосующие кворума — {expected}. Подсказка: CurrentVoters из describe "
              "--status; узлы, которые только читают лог метаданных, не голосуют.",
    },
    "lab07_observers": {
        "en": "quorum['observers'] is {found}, but the quorum's observers are {expected}. Hint: CurrentObservers of "
              "describe --status: which nodes read the metadata log without a vote?",
        "ru": "quorum['observers'] равен {found}, а наблюдатели кворума — {expected}. Подсказка: CurrentObservers из "
              "describe --status: какие узлы читают лог метаданных без права голоса?",
    },
    "lab07_leader_not_voter": {
        "en": "quorum['leader'] is {found}, which is not a voter ({voters}). Hint: LeaderId of describe --status.",
        "ru": "quorum['leader'] равен {found}, а это не голосующий узел ({voters}). Подсказка: LeaderId из describe "
              "--status.",
    },
    "lab07_epoch": {
        "en": "quorum['epoch'] is {found}, but the quorum's epoch is {live} now and it never goes down. Hint: "
              "LeaderEpoch of describe --status, as a number.",
        "ru": "quorum['epoch'] равен {found}, а эпоха кворума сейчас {live}, и она никогда не уменьшается. "
              "Подсказка: LeaderEpoch из describe --status, числом.",
    },
    "lab07_epoch_leader": {
        "en": "The metadata log shows no leader {leader} in epoch {epoch} (leaders by epoch: {history}). Hint: take "
              "LeaderId and LeaderEpoch from one and the same describe --status answer.",
        "ru": "В логе метаданных нет лидера {leader} в эпохе {epoch} (лидеры по эпохам: {history}). Подсказка: "
              "берите LeaderId и LeaderEpoch из одного и того же ответа describe --status.",
    },
    "lab07_majority": {
        "en": "`{name}` is {found}; with {voters} voters it is {expected}. Hint: a majority of n voters is n // 2 + 1; "
              "the quorum survives the loss of the others.",
        "ru": "`{name}` равен {found}; при {voters} голосующих он равен {expected}. Подсказка: большинство из n "
              "голосующих — n // 2 + 1; кворум переживает потерю остальных.",
    },
    "lab07_active_controller": {
        "en": "active_controller() returned {found}, but the active controller (the quorum's leader) is {expected} "
              "now. Hint: ask the quorum each time the function is called, not AdminClient.describe_cluster().",
        "ru": "active_controller() вернула {found}, а активный контроллер (лидер кворума) сейчас {expected}. "
              "Подсказка: спрашивайте кворум при каждом вызове функции, а не AdminClient.describe_cluster().",
    },
    "lab07_admin_answers": {
        "en": "`admin_answers` is {found}; describe_cluster() of this cluster names one of its brokers {brokers}. "
              "Hint: store the .controller.id of each of your calls, as a list.",
        "ru": "`admin_answers` равен {found}; describe_cluster() этого кластера называет один из его брокеров "
              "{brokers}. Подсказка: сохраните .controller.id каждого вызова списком.",
    },
    "lab07_outcomes_shape": {
        "en": "`outcomes` should be {{'2 of 3': {{'create': bool, 'produce': bool}}, '1 of 3': {{...}}}}; it is {found}.",
        "ru": "`outcomes` должен быть {{'2 of 3': {{'create': bool, 'produce': bool}}, '1 of 3': {{...}}}}; он равен "
              "{found}.",
    },
    "lab07_outcome": {
        "en": "outcomes['{running}']['{action}'] is {found}, but with {running} controllers running, {action} "
              "{verdict}. Hint: record what the cluster did (the result of your attempt), not what you expected.",
        "ru": "outcomes['{running}']['{action}'] равен {found}, а когда работают {running} контроллеров, {action} "
              "{verdict}. Подсказка: записывайте, что сделал кластер (результат попытки), а не то, чего вы ждали.",
    },
    "lab07_verdict_works": {"en": "succeeds", "ru": "удаётся"},
    "lab07_verdict_fails": {"en": "fails", "ru": "не удаётся"},
    "lab07_killed": {
        "en": "`killed` is {found}; it should name the two controllers you killed, in order (of {controllers}). "
              "Hint: kill controllers, never brokers: the brokers must keep serving.",
        "ru": "`killed` равен {found}; в нём должны быть два убитых вами контроллера по порядку (из {controllers}). "
              "Подсказка: убивайте контроллеры, а не брокеры: брокеры должны продолжать работать.",
    },
    "lab07_node_down": {
        "en": "{node} is still down. Hint: cluster.start() starts every stopped node.",
        "ru": "{node} всё ещё не работает. Подсказка: cluster.start() запускает все остановленные узлы.",
    },
    "lab07_voters_behind": {
        "en": "Not every voter has caught up with the metadata log: {lags} (records behind the leader). Hint: wait "
              "until every voter's lag is at most {limit} (describe --replication), then check again.",
        "ru": "Не все голосующие догнали лог метаданных: {lags} (записей позади лидера). Подсказка: дождитесь, пока "
              "лаг каждого голосующего станет не больше {limit} (describe --replication), и проверьте снова.",
    },
    "lab07_messages_missing": {
        "en": "'orders' holds {found} of the 10 messages {label}-0 ... {label}-9; missing e.g. {missing}. Hint: produce "
              "them while {running} controllers run, and flush.",
        "ru": "В 'orders' {found} из 10 сообщений {label}-0 ... {label}-9; нет, например, {missing}. Подсказка: "
              "отправьте их, пока работают {running} контроллеров, и вызовите flush.",
    },
    "lab07_failover_order": {
        "en": "The metadata log does not show the story: {what}. Hint: kill the active controller first, create "
              "kraft-two once a new leader is elected, lose a second controller, bring both back, then create "
              "kraft-back; run the setup cell again to start over.",
        "ru": "Лог метаданных не подтверждает порядок событий: {what}. Подсказка: сначала убейте активный "
              "контроллер, создайте kraft-two после выборов нового лидера, потеряйте второй контроллер, верните оба "
              "и создайте kraft-back; чтобы начать сначала, выполните ячейку подготовки заново.",
    },
    "lab07_story_first_leader": {
        "en": "{node} (the first one killed) was never the quorum's leader",
        "ru": "{node} (убитый первым) ни разу не был лидером кворума",
    },
    "lab07_story_two": {
        "en": "kraft-two was not created by a new leader after {node} was killed",
        "ru": "kraft-two создан не новым лидером после того, как убили {node}",
    },
    "lab07_story_back": {
        "en": "kraft-back was not created after a new election (the quorum lost and regained)",
        "ru": "kraft-back создан не после новых выборов (потеря и возврат кворума)",
    },
    "lab07_story_produced": {
        "en": "the {label} messages were not written between the elections around them",
        "ru": "сообщения {label} записаны не между выборами, которые их окружают",
    },
    "lab07_answers_keys": {
        "en": "`{name}` should have the keys {expected}; it has {found}.",
        "ru": "В `{name}` должны быть ключи {expected}; в нём {found}.",
    },
    "lab07_zk_answer": {
        "en": "zk_answers['{path}'] is {found}, but this KRaft cluster says {expected}. Hint: {hint}",
        "ru": "zk_answers['{path}'] равен {found}, а этот кластер KRaft говорит {expected}. Подсказка: {hint}",
    },
    "lab07_hint_brokers": {
        "en": "the registered brokers (REGISTER_BROKER_RECORD, or AdminClient.describe_cluster().nodes), not every node.",
        "ru": "зарегистрированные брокеры (REGISTER_BROKER_RECORD или AdminClient.describe_cluster().nodes), а не все узлы.",
    },
    "lab07_hint_controller": {
        "en": "ZooKeeper's /controller named the active controller: in KRaft, the quorum's leader.",
        "ru": "/controller в ZooKeeper называл активный контроллер: в KRaft это лидер кворума.",
    },
    "lab07_hint_assignment": {
        "en": "{{partition: [replica ids in order]}} from the PARTITION_RECORDs of orders (or describe the topic).",
        "ru": "{{partition: [id реплик по порядку]}} из PARTITION_RECORD топика orders (или из описания топика).",
    },
    "lab07_hint_config": {
        "en": "only the settings set on the topic itself (CONFIG_RECORD, or kafka-configs.sh --describe), as strings.",
        "ru": "только настройки, заданные самому топику (CONFIG_RECORD или kafka-configs.sh --describe), строками.",
    },
    "lab07_zk_record": {
        "en": "zk_records['{path}'] is {found}: that is not the record of __cluster_metadata that carries what "
              "{path} held. Hint: dump the metadata log (kafka-dump-log.sh --cluster-metadata-decoder) and look "
              "at the \"type\" of the records about that entity.",
        "ru": "zk_records['{path}'] равен {found}: это не та запись __cluster_metadata, в которой лежит то, что "
              "хранил {path}. Подсказка: выведите лог метаданных (kafka-dump-log.sh --cluster-metadata-decoder) и "
              "посмотрите на \"type\" записей об этой сущности.",
    },
    "lab07_legacy_exists": {
        "en": "Topic 'legacy' still exists. Hint: delete it (kafka-topics.sh --delete), then find the record the "
              "deletion wrote.",
        "ru": "Топик 'legacy' всё ещё существует. Подсказка: удалите его (kafka-topics.sh --delete) и найдите "
              "запись, которую оставило удаление.",
    },
    "lab07_no_record": {
        "en": "The metadata log has no {kind} about {entity}. Hint: {path} in ZooKeeper mode; which change of the "
              "cluster writes that record?",
        "ru": "В логе метаданных нет {kind} про {entity}. Подсказка: {path} в режиме ZooKeeper; какое изменение "
              "кластера записывает эту запись?",
    },
    "lab07_removed_at": {
        "en": "`legacy_removed_at` is {found}, but the record that removed 'legacy' has offset {expected} in "
              "__cluster_metadata. Hint: the `offset:` of the REMOVE_TOPIC_RECORD whose topicId is legacy's.",
        "ru": "`legacy_removed_at` равен {found}, а запись, удалившая 'legacy', имеет смещение {expected} в "
              "__cluster_metadata. Подсказка: `offset:` записи REMOVE_TOPIC_RECORD с topicId топика legacy.",
    },
})


# --- helpers shared with the hidden parts ---------------------------------------------------------
def read_properties(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            found[key.strip()] = value.strip()
    return found


def new_cluster_configs(ctx) -> dict[int, dict]:
    """node.id -> {'config': path, 'log.dirs': folder} of the config files the setup cell wrote."""
    found = {}
    for path in sorted((Path(ctx.cluster.dir) / NEW_CLUSTER).glob("*.properties")):
        props = read_properties(path)
        found[int(props["node.id"])] = {"config": path, "log.dirs": props["log.dirs"]}
    return found


def formatted_folders(ctx) -> dict[int, Path]:
    """The student's `formatted` ({node id: folder}) checked against the configs: node id -> folder."""
    configs = new_cluster_configs(ctx)
    given = ctx.var("formatted", dict)
    try:
        folders = {int(k): Path(str(v)) for k, v in given.items()}
    except (TypeError, ValueError):
        raise Fail("lab07_formatted_nodes", found=sorted(map(str, given)), folder=NEW_CLUSTER,
                   expected=sorted(configs)) from None
    ctx.expect(sorted(folders) == sorted(configs), "lab07_formatted_nodes", found=sorted(folders),
               folder=NEW_CLUSTER, expected=sorted(configs))
    for node, info in configs.items():
        ctx.expect(folders[node].resolve() == Path(info["log.dirs"]).resolve(), "lab07_formatted_folder", node=node,
                   found=folders[node], config=info["config"].name, expected=info["log.dirs"])
        ctx.expect((folders[node] / "meta.properties").is_file(), "lab07_not_formatted", folder=folders[node],
                   node=node)
    return folders


def _quorum_tool(ctx, what: str) -> str:
    """stdout of `kafka-metadata-quorum.sh describe --<what>` against the live cluster (one JVM); Fail when
    the quorum does not answer."""
    res = ctx.cluster.tool("kafka-metadata-quorum.sh", "--bootstrap-server", ctx.cluster.bootstrap_servers,
                           "describe", f"--{what}", echo=False, timeout=40)
    if not res.ok:
        lines = [ln for ln in (res.stderr + res.stdout).splitlines() if ln.strip() and not ln.startswith("\tat ")]
        raise Fail("lab07_quorum_unknown", error=(lines[-1] if lines else f"exit code {res.returncode}")[:200])
    return res.stdout


def quorum_now(ctx, settle: float = 30.0) -> dict:
    """The live quorum's `describe --status` (parse_status: leader, epoch, voter_ids, observer_ids, cluster_id),
    cached per check run; asked again for a while until it names a leader."""
    cached = getattr(ctx, "_lab07_quorum", None)
    if cached is not None:
        return cached
    from kafkalab.cluster.kraft import parse_status


    def with_leader():  # just after an election a broker may not know the new leader yet
        found = parse_status(_quorum_tool(ctx, "status"))
        if found.get("leader") is None:
            raise Fail("lab07_quorum_unknown", error="no leader")
        return found

    found = wait_for(with_leader, settle, "the quorum's leader", every=1, retry_on=(Fail,), raise_last=True)[0]
    ctx._lab07_quorum = found
    return found


def voter_lags(ctx) -> tuple[int | None, dict[int, int | None]]:
    """(the leader's id, {voter id: lag}) from the live `describe --replication` (one JVM)."""
    from kafkalab.cluster.kraft import parse_replication

    rows = parse_replication(_quorum_tool(ctx, "replication"))
    leader = next((r["id"] for r in rows if r["status"] == "Leader"), None)
    return leader, {r["id"]: r["lag"] for r in rows if r["status"] in ("Leader", "Follower")}


_BATCH_EPOCH = re.compile(r"partitionLeaderEpoch: (-?\d+)")
_RECORD = re.compile(r"^\| offset: (\d+) CreateTime: (-?\d+) .*?(payload|LeaderChange): (\{.*\})\s*$")


def parse_dump(text: str) -> list[dict]:
    """kafka-dump-log.sh --cluster-metadata-decoder output -> records {offset, time, epoch, type, data};
    a LeaderChange control record has the type 'LEADER_CHANGE'."""
    records, epoch = [], None
    for line in text.splitlines():
        if line.startswith("baseOffset:"):
            found = _BATCH_EPOCH.search(line)
            epoch = int(found.group(1)) if found else None
            continue
        found = _RECORD.match(line)
        if not found:
            continue
        try:
            body = json.loads(found.group(4))
        except ValueError:
            continue
        if found.group(3) == "LeaderChange":
            kind, data = "LEADER_CHANGE", body
        else:
            kind, data = body.get("type"), body.get("data", {})
        records.append({"offset": int(found.group(1)), "time": int(found.group(2)), "epoch": epoch, "type": kind,
                        "data": data})
    return records


def metadata_log(ctx) -> list[dict]:
    """Every record of the cluster's metadata log (__cluster_metadata-0), from the controller that holds the
    most of it, read with kafka-dump-log.sh; cached per check run."""
    cached = getattr(ctx, "_lab07_log", None)
    if cached is not None:
        return cached
    cluster = ctx.cluster
    best: list[Path] = []
    for node in cluster.spec.voters():
        folder = Path(cluster.data_dir(node.name)) / "__cluster_metadata-0"
        segments = sorted(folder.glob("*.log"))
        if sum(p.stat().st_size for p in segments) > sum(p.stat().st_size for p in best):
            best = segments
    records = []
    if best:
        res = cluster.tool("kafka-dump-log.sh", "--cluster-metadata-decoder", "--files",
                           ",".join(str(p) for p in best), echo=False, timeout=120)
        records = parse_dump(res.stdout)
    ctx._lab07_log = records
    return records


def leaders_by_epoch(records: list[dict]) -> dict[int, dict]:
    """epoch -> the LeaderChange record that opened it (leader in data['leaderId'])."""
    return {r["epoch"]: r for r in records if r["type"] == "LEADER_CHANGE"}


def topic_ids(records: list[dict], name: str) -> list[str]:
    return [r["data"].get("topicId") for r in records if r["type"] == "TOPIC_RECORD" and r["data"].get("name") == name]


def live_brokers(ctx) -> list[int]:
    return sorted(b.id for b in ctx.inspect.brokers(ctx.cluster))


def _int(ctx, value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Fail("grading_wrong_type", name=name, expected="int", actual=type(value).__name__)
    return value


def _ids(value) -> list | None:
    """A list/tuple/set of ints, sorted; None when it is something else."""
    if not isinstance(value, (list, tuple, set)) or not all(isinstance(v, int) and not isinstance(v, bool)
                                                            for v in value):
        return None
    return sorted(value)


def namespaced(ctx, topic: str) -> str:
    from kafkalab import namespace

    return namespace.name(topic, ctx.cluster)


def topic_overrides(ctx, topic: str) -> dict[str, str]:
    """The settings set on the topic itself (source DYNAMIC_TOPIC_CONFIG), as the brokers report them."""
    from confluent_kafka.admin import ConfigResource, ConfigSource

    resource = ConfigResource("topic", namespaced(ctx, topic))
    entries = ctx.inspect.admin(ctx.cluster).describe_configs([resource], request_timeout=15)[resource].result(
        timeout=20)
    return {name: entry.value for name, entry in entries.items()
            if entry.source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value}


def killed_nodes(ctx) -> list[str]:
    """The student's `killed`: the names of two distinct controllers."""
    controllers = [n.name for n in ctx.cluster.spec.voters()]
    killed = ctx.var("killed", (list, tuple))
    ctx.expect(len(killed) == 2 and len(set(killed)) == 2 and all(k in controllers for k in killed), "lab07_killed",
               found=list(killed), controllers=controllers)
    return list(killed)


# --- the exercises ------------------------------------------------------------------------------------
@exercise("lab07.ex1", points=2)
def storage_formatted(ctx):
    new_id = ctx.var("new_cluster_id", str).strip()
    folders = formatted_folders(ctx)
    metas = {}
    for node, folder in sorted(folders.items()):
        meta = read_properties(folder / "meta.properties")
        ctx.expect(meta.get("cluster.id") == new_id, "lab07_meta_cluster_id", node=node, found=meta.get("cluster.id"),
                   expected=new_id)
        ctx.expect(meta.get("node.id") == str(node) and meta.get("version") == "1" and meta.get("directory.id"),
                   "lab07_meta_fields", node=node, node_id=meta.get("node.id"), version=meta.get("version"),
                   directory=meta.get("directory.id"))
        metas[node] = {k: meta.get(k) for k in ("cluster.id", "node.id", "directory.id", "version")}
    return {"new_cluster_id": new_id, "meta.properties": metas}


@exercise("lab07.ex2", points=2)
def quorum_read(ctx):
    given = ctx.var("quorum", dict)
    keys = ["epoch", "leader", "observers", "voters"]
    ctx.expect(sorted(map(str, given)) == keys, "lab07_quorum_keys", expected=keys, found=sorted(map(str, given)))
    live = quorum_now(ctx)
    voters, observers = sorted(live["voter_ids"]), sorted(live["observer_ids"])
    ctx.expect(_ids(given["voters"]) == voters, "lab07_voters", found=given["voters"], expected=voters)
    ctx.expect(_ids(given["observers"]) == observers, "lab07_observers", found=given["observers"], expected=observers)
    leader = _int(ctx, given["leader"], "quorum['leader']")
    ctx.expect(leader in voters, "lab07_leader_not_voter", found=leader, voters=voters)
    epoch = _int(ctx, given["epoch"], "quorum['epoch']")
    ctx.expect(1 <= epoch <= live["epoch"], "lab07_epoch", found=epoch, live=live["epoch"])
    for name, rule in (("majority", len(voters) // 2 + 1), ("tolerated", (len(voters) - 1) // 2)):
        found = _int(ctx, ctx.var(name), name)
        ctx.expect(found == rule, "lab07_majority", name=name, found=found, voters=len(voters), expected=rule)
    return {"voters": voters, "observers": observers, "leader_now": live["leader"], "epoch_now": live["epoch"],
            "majority": len(voters) // 2 + 1}


@exercise("lab07.ex3", points=2)
def active_controller_found(ctx):
    ask = ctx.function("active_controller")
    given = ask()
    live = quorum_now(ctx)
    ctx.expect(given == live["leader"], "lab07_active_controller", found=given, expected=live["leader"])
    node = next((n.name for n in ctx.cluster.nodes if n.id == live["leader"]), None)
    return {"active_controller": live["leader"], "node": node}


def quorum_caught_up(ctx) -> tuple[int, dict]:
    """(leader, {voter: lag}) once every voter runs and has caught up (a few seconds of grace); Fail otherwise."""
    for node in ctx.cluster.spec.voters():
        ctx.expect(ctx.cluster.alive(node.name), "lab07_node_down", node=node.name)
    voters = {n.id for n in ctx.cluster.spec.voters()}

    def caught_up():
        leader, lags = voter_lags(ctx)
        if leader is not None and set(lags) == voters and all(
                lag is not None and lag <= CAUGHT_UP_LAG for lag in lags.values()):
            return leader, lags
        raise Fail("lab07_voters_behind", lags=lags, limit=CAUGHT_UP_LAG)

    return wait_for(caught_up, 15, "every voter to catch up", every=1, retry_on=(Fail,), raise_last=True)[0]


def stored_values(ctx, topic: str) -> set[str]:
    return {value for _, _, _, value in ctx.messages(topic, max_messages=20000)}


@exercise("lab07.ex4", points=3)
def quorum_lost_and_regained(ctx):
    given = ctx.var("outcomes", dict)
    shape_ok = sorted(map(str, given)) == sorted(RULES) and all(
        isinstance(given[k], dict) and sorted(map(str, given[k])) == ["create", "produce"] for k in RULES)
    ctx.expect(shape_ok, "lab07_outcomes_shape", found=given)
    for running, actions in RULES.items():
        for action, works in actions.items():
            found = given[running][action]
            ctx.expect(found is works, "lab07_outcome", running=running, action=action, found=found,
                       verdict=t_verdict(works))
    killed = killed_nodes(ctx)
    leader, lags = quorum_caught_up(ctx)
    for topic in ("kraft-two", "kraft-back"):
        ctx.topic(topic, with_config=False)
    stored = stored_values(ctx, "orders")
    for label, running in (("two-of-three", "2 of 3"), ("one-of-three", "1 of 3")):
        missing = [f"{label}-{i}" for i in range(10) if f"{label}-{i}" not in stored]
        ctx.expect(not missing, "lab07_messages_missing", label=label, found=10 - len(missing),
                   missing=", ".join(missing[:3]), running=running)
    return {"outcomes": RULES, "killed": killed, "leader_now": leader, "lags": lags}


def t_verdict(works: bool) -> str:
    from kafkalab.i18n import t

    return t("lab07_verdict_works" if works else "lab07_verdict_fails")


def records_about(records: list[dict], kind: str, entity: str, name: str) -> list[dict]:
    """The records of type `kind` about the entity a znode path named: broker 0, or a topic (`name` is the
    topic's name in the cluster, `entity` the course's)."""
    ids = set(topic_ids(records, name))

    def about(r) -> bool:
        data = r["data"]
        if entity == "broker 0":
            return data.get("brokerId") == 0
        if kind == "TOPIC_RECORD":
            return data.get("name") == name
        if kind == "CONFIG_RECORD":
            return data.get("resourceType") == 2 and data.get("resourceName") == name
        return data.get("topicId") in ids
    return [r for r in records if r["type"] == kind and about(r)]


ENTITIES = {"/brokers/ids/0": "broker 0", "/brokers/topics/orders": "orders", "/config/topics/orders": "orders",
            "/admin/delete_topics/legacy": "legacy"}


@exercise("lab07.ex5", points=3)
def zookeeper_paths_mapped(ctx):
    answers = ctx.var("zk_answers", dict)
    ctx.expect(sorted(map(str, answers)) == sorted(ZK_ANSWERS), "lab07_answers_keys", name="zk_answers",
               expected=sorted(ZK_ANSWERS), found=sorted(map(str, answers)))
    truth = {
        "/brokers/ids": live_brokers(ctx),
        "/controller": quorum_now(ctx)["leader"],
        "/brokers/topics/orders": {p.partition: list(p.replicas) for p in ctx.topic("orders", with_config=False).partitions},
        "/config/topics/orders": topic_overrides(ctx, "orders"),
    }
    given = dict(answers)
    given["/brokers/ids"] = _ids(answers["/brokers/ids"]) if _ids(answers["/brokers/ids"]) is not None \
        else answers["/brokers/ids"]
    assignment = answers["/brokers/topics/orders"]
    if isinstance(assignment, dict):
        try:
            given["/brokers/topics/orders"] = {int(k): list(v) for k, v in assignment.items()}
        except (TypeError, ValueError):
            pass
    config = answers["/config/topics/orders"]
    if isinstance(config, dict):
        given["/config/topics/orders"] = {str(k): str(v) for k, v in config.items()}
    hints = {"/brokers/ids": "lab07_hint_brokers", "/controller": "lab07_hint_controller",
             "/brokers/topics/orders": "lab07_hint_assignment", "/config/topics/orders": "lab07_hint_config"}
    from kafkalab.i18n import t

    for path in ZK_ANSWERS:
        found = given[path]
        ok = found == truth[path] and not isinstance(found, bool)
        ctx.expect(ok, "lab07_zk_answer", path=path, found=answers[path], expected=truth[path], hint=t(hints[path]))

    records_given = ctx.var("zk_records", dict)
    ctx.expect(sorted(map(str, records_given)) == sorted(ZK_RECORDS), "lab07_answers_keys", name="zk_records",
               expected=sorted(ZK_RECORDS), found=sorted(map(str, records_given)))
    for path, accepted in ZK_RECORDS.items():
        kind = str(records_given[path]).strip().upper()
        ctx.expect(kind in accepted, "lab07_zk_record", path=path, found=records_given[path])
    ctx.expect("legacy" not in ctx.inspect.topics(ctx.cluster), "lab07_legacy_exists")
    records = metadata_log(ctx)
    for path, entity in ENTITIES.items():
        kind = str(records_given[path]).strip().upper()
        ctx.expect(records_about(records, kind, entity, namespaced(ctx, entity)), "lab07_no_record", kind=kind,
                   entity=entity, path=path)
    return {"zk_answers": {k: (v if not isinstance(v, dict) else {str(a): b for a, b in v.items()})
                           for k, v in truth.items()},
            "zk_records": {k: sorted(v) for k, v in ZK_RECORDS.items()}}
