"""Start a running cluster's data over without restarting it.

wipe(cluster, mine) deletes the topics and consumer groups `mine` selects, and returns once every live
broker has stopped listing those topics and the controller has finished deleting them, so the same
names can be created at once (a shared cluster's `down` uses it for one student's namespace).
clear_settings(cluster) also deletes what a lesson or lab may have set on the cluster itself: client and
user quotas, dynamic broker settings. `up(..., fresh=True)` on a running cluster of the same settings
uses both, then waits until the brokers' disks hold nothing of the deleted topics (left_on_disk).
"""
from __future__ import annotations

import re

from ..errors import KafkaLabError
from ..i18n import t

WAIT = 60.0
PARTITION_FOLDER = re.compile(r"^(.+)-\d+(?:\.[0-9a-f]+-delete)?$")
# cluster-wide settings a KRaft cluster writes itself when its storage is formatted (Kafka 4.x): kept
KRAFT_FORMAT_DEFAULTS = {"min.insync.replicas"}
QUOTA_LINE = re.compile(r"^Quota configs for (?:the default (?P<default>client-id|user-principal)|"
                        r"(?P<kind>client-id|user-principal) '(?P<name>[^']*)') are (?P<configs>.+)$")


def _failures():
    from confluent_kafka import KafkaException

    return (KafkaException, KafkaLabError, TimeoutError)


def wipe(cluster, mine, settings: dict | None = None) -> tuple[set[str], set[str], set[str]]:
    """Delete the topics and consumer groups whose names `mine(name)` accepts; return (topics, groups,
    left): what was there, and what is left (a group with live members, a deletion the cluster has not
    finished). Topics first, then groups, each step on its own: a slow group listing never keeps the topics."""
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import NewTopic

    from .. import kafka_errors
    from .handles import SafeAdmin
    from ..waiting import wait_for
    from .probes import quiet_client_config

    failures = _failures()
    # silent, but with librdkafka's own connection timeouts: a TLS and SASL login on a busy machine is slow
    config = {"bootstrap.servers": cluster.bootstrap_servers,
              "logger": quiet_client_config(cluster.bootstrap_servers)["logger"], **(settings or {})}
    admin = SafeAdmin(config)
    pool: list = []  # each client keeps asking the one broker it picked

    def listed() -> set[str]:
        """The selected topics that any live broker still lists. Each broker answers from its own metadata
        and learns of a deletion a moment after the controller, and the next call may ask any of them:
        clients are added (up to 4 a call, 32 in all) until every live broker has answered."""
        seen: set[str] = set()
        answered: set[int] = set()
        live: set[int] = set()
        for i in range(min(len(pool) + 4, 32)):
            if i == len(pool):
                pool.append(SafeAdmin(config))
            try:
                metadata = pool[i].list_topics(timeout=15)
            except KafkaException:
                continue
            seen |= {name for name in metadata.topics if mine(name)}
            answered.add(metadata.orig_broker_id)
            live |= set(metadata.brokers)
            if live <= answered:
                return seen
        raise KafkaLabError("namespace_unreachable")

    def deleted(names: set[str]) -> bool:
        """The controller has finished deleting `names` (ZooKeeper mode deletes in the background, and a
        topic still 'marked for deletion' cannot be created again): a validate-only creation passes."""
        if names & listed():
            return False
        futures = admin.create_topics([NewTopic(n, 1, 1) for n in sorted(names)], validate_only=True,
                                      request_timeout=15)
        for future in futures.values():
            try:
                future.result(timeout=20)
            except KafkaException as err:
                if kafka_errors.topic_exists(err):
                    return False  # other refusals (a policy, no right to create) say nothing of deletion
        return True

    left: set[str] = set()
    doomed: set[str] = set()
    try:
        doomed = wait_for(lambda: (listed(),), 30, "the brokers to list the topics")[0][0]
        if doomed:
            for future in admin.delete_topics(sorted(doomed), operation_timeout=30).values():
                try:
                    future.result(timeout=40)
                except failures:
                    pass  # deleted meanwhile, or not yet: the wait below decides
            wait_for(lambda: deleted(doomed), WAIT, "the topics to be deleted")
    except failures:  # not all seen gone
        try:
            left |= doomed & listed()
        except failures:
            left |= doomed

    def groups() -> set[str]:
        found = admin.list_consumer_groups(request_timeout=30).result(timeout=40).valid
        return {g.group_id for g in found if mine(g.group_id)}

    groups_: set[str] = set()
    try:
        groups_ = groups()
        for future in (admin.delete_consumer_groups(sorted(groups_), request_timeout=30).values() if groups_ else ()):
            try:
                future.result(timeout=40)
            except failures:
                pass  # a group with live members stays: its members are someone's running clients
        left |= groups_ & groups()
    except failures:
        pass  # the cluster is gone or busy: the groups stay for the next time
    return doomed, groups_, left


def _topic_of(folder: str) -> str | None:
    """'months-3' and 'months-3.<id>-delete' (a deleted partition's folder) -> 'months'."""
    match = PARTITION_FOLDER.match(folder)
    return match[1] if match else None


def left_on_disk(cluster, topics: set[str]) -> set[str]:
    """Folders of `topics` still in the brokers' data folders (a broker removes a deleted partition's folder
    file.delete.delay.ms after the deletion)."""
    found = set()
    for broker in cluster.brokers:
        try:
            folders = list(cluster.data_dir(broker.name).iterdir())
        except OSError:
            continue
        found |= {p.name for p in folders if _topic_of(p.name) in topics}
    return found


def quotas(text: str) -> list[tuple[str, str | None, list[str]]]:
    """(entity type, name or None for the default, config names) of kafka-configs.sh --describe output."""
    found = []
    for line in text.splitlines():
        match = QUOTA_LINE.match(line.strip())
        if not match:
            continue
        kind = match["default"] or match["kind"]
        names = [item.split("=", 1)[0].strip() for item in match["configs"].split(",") if "=" in item]
        found.append(("clients" if kind == "client-id" else "users", None if match["default"] else match["name"],
                      names))
    return found


def clear_settings(cluster) -> list[str]:
    """Delete the client and user quotas and the dynamic broker settings of a cluster of our own; return
    what could not be deleted."""
    from confluent_kafka.admin import AlterConfigOpType, ConfigEntry, ConfigResource, ConfigSource, ResourceType

    left: list[str] = []
    bootstrap = cluster.bootstrap_servers
    for entity in ("clients", "users"):
        described = cluster.tool("kafka-configs.sh", "--bootstrap-server", bootstrap, "--describe",
                                 "--entity-type", entity, echo=False)
        for kind, name, configs in quotas(described.stdout):
            target = ["--entity-name", name] if name is not None else ["--entity-default"]
            done = cluster.tool("kafka-configs.sh", "--bootstrap-server", bootstrap, "--alter", "--entity-type",
                                kind, *target, "--delete-config", ",".join(configs), echo=False)
            if done.returncode != 0:
                left.append(t("reset_quota", kind=kind, name=name or "default"))
    from .handles import SafeAdmin

    from .probes import quiet_client_config

    # a plain client, freed here when this returns (cluster.admin()'s futures hold their client: the last of
    # them, dropped in a librdkafka thread, would destroy it there and abort the process)
    admin = SafeAdmin(quiet_client_config(bootstrap))
    defaults: set[str] = set()  # cluster-wide: a BROKER resource named "" (librdkafka names none), so the tool
    for broker in [b for b in cluster.brokers if cluster.alive(b)]:
        resource = ConfigResource(ResourceType.BROKER, str(broker.id))  # one broker a request
        try:
            entries = admin.describe_configs([resource], request_timeout=15)[resource].result(timeout=20)
        except _failures():
            left.append(t("reset_broker_settings", broker=broker.id, names="?"))
            continue
        defaults |= {e.name for e in entries.values() if e.source == ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.value}
        names = [e.name for e in entries.values() if e.source == ConfigSource.DYNAMIC_BROKER_CONFIG.value]
        if not names:
            continue
        change = ConfigResource(ResourceType.BROKER, resource.name, incremental_configs=[
            ConfigEntry(n, None, incremental_operation=AlterConfigOpType.DELETE) for n in names])
        try:
            admin.incremental_alter_configs([change], request_timeout=15)[change].result(timeout=20)
        except _failures():
            left.append(t("reset_broker_settings", broker=resource.name, names=", ".join(names)))
    if cluster.mode == "kraft":
        defaults -= KRAFT_FORMAT_DEFAULTS
    if defaults:
        done = cluster.tool("kafka-configs.sh", "--bootstrap-server", bootstrap, "--alter", "--entity-type", "brokers",
                            "--entity-default", "--delete-config", ",".join(sorted(defaults)), echo=False)
        if done.returncode != 0:
            left.append(t("reset_broker_settings", broker="default", names=", ".join(sorted(defaults))))
    return left
