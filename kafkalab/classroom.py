"""Instructor commands for a shared cluster: one SCRAM user, prefixed ACLs and quotas per student.

    kafkalab up --engine external --name class        # KAFKALAB_CLIENT_CONFIG=admin.properties
    kafkalab classroom create --name class --roster roster.csv --out students/ [--dry-run]
    kafkalab classroom status --name class --roster roster.csv
    kafkalab classroom remove --name class --roster roster.csv [--dry-run]

roster.csv has a header and a `student` column (letters, digits, '-', '_'); an optional `password`
column (else one is generated once and kept in the student's properties file), and optional columns
producer_byte_rate, consumer_byte_rate, request_percentage, controller_mutation_rate overriding the
class's quotas. For each student `create` makes:

- the SCRAM-SHA-512 user (AdminClient.alter_user_scram_credentials, KIP-554);
- ALLOW ALL ACLs on the PREFIXED resource patterns (KIP-290) '<student>.' of topics, consumer groups and
  transactional ids, so alice can create, write, read and delete `alice.*` and nothing else;
- user quotas (kafka-configs --alter --entity-type users: the AdminClient here has no alter_client_quotas).
  Kafka enforces them per broker: a student writing to leaders on three brokers gets three times the rate;
- `<out>/<student>.properties`: the client properties file the student sets as KAFKALAB_CLIENT_CONFIG
  (with KAFKALAB_STUDENT=<student>, the course's names get the student's prefix).

Everything is idempotent: running it again changes nothing that is already right (a kept password
stays). `remove` deletes the users, their ACLs, quotas, topics and groups, and the properties files.
"""
from __future__ import annotations

import csv
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from . import cli_help  # noqa: F401  (the help texts of add_parser)
from . import namespace
from .errors import KafkaLabError
from .i18n import register, t

register({
    "classroom_roster_bad": {
        "en": "Roster {path}: {why}",
        "ru": "Список студентов {path}: {why}",
    },
    "classroom_step": {"en": "{student}: {what}", "ru": "{student}: {what}"},
    "classroom_dry_run": {
        "en": "(dry run: nothing was changed)",
        "ru": "(пробный прогон: ничего не изменено)",
    },
    "classroom_failed": {
        "en": "{student}: {what} failed: {error}",
        "ru": "{student}: {what}: ошибка: {error}",
    },
})
QUOTA_KEYS = ("producer_byte_rate", "consumer_byte_rate", "request_percentage", "controller_mutation_rate")
# a class of 30 on one three-broker cluster: 1 MiB/s in and 2 MiB/s out each, a quarter of a
# request thread, 10 partition mutations per second
DEFAULT_QUOTAS = {"producer_byte_rate": 1048576, "consumer_byte_rate": 2097152, "request_percentage": 25,
                  "controller_mutation_rate": 10}
MECHANISM = "SCRAM-SHA-512"
ITERATIONS = 8192


@dataclass
class Student:
    name: str
    password: str | None = None
    quotas: dict = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        return f"{self.name}{namespace.SEPARATOR}"

    @property
    def principal(self) -> str:
        return f"User:{self.name}"


def read_roster(path: str | os.PathLike) -> list[Student]:
    path = Path(path)
    try:
        rows = list(csv.DictReader(path.read_text().splitlines()))
    except OSError as err:
        raise KafkaLabError("classroom_roster_bad", path=path, why=err.strerror or err) from err
    students, seen = [], set()
    for row in rows:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        name = row.get("student") or row.get("name") or ""
        if not name:
            continue
        if not namespace.STUDENT_RE.match(name):
            raise KafkaLabError("classroom_roster_bad", path=path,
                                why=f"'{name}': letters, digits, '-' and '_' only")
        if name in seen:
            raise KafkaLabError("classroom_roster_bad", path=path, why=f"'{name}' twice")
        seen.add(name)
        quotas = {k: float(row[k]) for k in QUOTA_KEYS if row.get(k)}
        students.append(Student(name, row.get("password") or None, quotas))
    if not students:
        raise KafkaLabError("classroom_roster_bad", path=path, why="no 'student' column or no rows")
    return students


def admin_connection(cluster):
    from .cluster.connection import Connection, of_cluster

    return of_cluster(cluster) or Connection(cluster.bootstrap_servers)


def student_properties(cluster, student: Student, password: str, ca: str | None = None) -> str:
    """The student's client properties: the instructor's address and security, the student's login; the
    instructor's CA file, or `ca` where the student finds a copy of it."""
    conn = admin_connection(cluster)
    protocol = conn.protocol if conn.protocol.startswith("SASL") else "SASL_PLAINTEXT"
    lines = [f"# Kafka Lab: {student.name} on the class cluster. Use it as",
             f"#   KAFKALAB_CLIENT_CONFIG=<this file> KAFKALAB_STUDENT={student.name} kafkalab up --engine external",
             f"# Your topics, groups and transactional ids start with '{student.prefix}'.",
             f"bootstrap.servers={conn.bootstrap}", f"security.protocol={protocol}", f"sasl.mechanism={MECHANISM}",
             "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
             f'username="{student.name}" password="{password}";']
    if conn.ca_file:
        lines += ["ssl.truststore.type=PEM", f"ssl.truststore.location={ca or conn.ca_file}"]
    return "\n".join(lines) + "\n"


def _kept_password(path: Path) -> str | None:
    from .cluster.connection import Connection

    if not path.exists():
        return None
    try:
        return Connection.from_file(path).credentials[1]
    except KafkaLabError:
        return None


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def _acl_bindings(student: Student):
    from confluent_kafka.admin import AclBinding, AclOperation, AclPermissionType, ResourcePatternType, ResourceType

    return [AclBinding(kind, student.prefix, ResourcePatternType.PREFIXED, student.principal, "*",
                       AclOperation.ALL, AclPermissionType.ALLOW)
            for kind in (ResourceType.TOPIC, ResourceType.GROUP, ResourceType.TRANSACTIONAL_ID)]


def _wait(futures: dict, what: str, student: Student, ignore: tuple[str, ...] = ()) -> None:
    from .cluster.connection import code_name, explain

    for future in futures.values():
        try:
            future.result(timeout=30)
        except Exception as err:
            if code_name(err) in ignore:
                continue
            classified = explain(err)
            raise KafkaLabError("classroom_failed", student=student.name, what=what,
                                error=classified or err) from err


def _quota_tool(cluster, student: Student, *args: str):
    result = cluster.tool("kafka-configs", "--bootstrap-server", cluster.bootstrap_servers, "--entity-type", "users",
                          "--entity-name", student.name, *args, echo=False, timeout=120)
    return result


def create(cluster, roster: str | os.PathLike, out: str | os.PathLike, quotas: dict | None = None,
           dry_run: bool = False, say=print) -> list[Student]:
    """Users, prefixed ACLs, quotas and a properties file per student (see the module's doc)."""
    return create_students(cluster, read_roster(roster), out, quotas, dry_run, say)


def create_students(cluster, students: list[Student], out: str | os.PathLike, quotas: dict | None = None,
                    dry_run: bool = False, say=print, ca: str | None = None) -> list[Student]:
    """create() for these students (the grader makes one per submission, with `ca`: its copy of the CA)."""
    from confluent_kafka.admin import (ScramCredentialInfo, ScramMechanism, UserScramCredentialUpsertion)

    out = Path(out)
    base = {**DEFAULT_QUOTAS, **(quotas or {})}
    admin = None if dry_run else cluster.admin()
    for s in students:
        path = out / f"{s.name}.properties"
        password = _kept_password(path) or s.password or secrets.token_urlsafe(12)
        limits = {**base, **s.quotas}
        steps = [f"SCRAM user {s.name} ({MECHANISM})",
                 f"ACL ALLOW ALL on PREFIXED topic/group/transactional-id '{s.prefix}' for {s.principal}",
                 "quotas " + ", ".join(f"{k}={_num(v)}" for k, v in limits.items()),
                 f"client properties -> {path}"]
        for step in steps:
            say(t("classroom_step", student=s.name, what=step))
        if dry_run:
            continue
        upsert = UserScramCredentialUpsertion(s.name, ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, ITERATIONS),
                                              password.encode())
        _wait(admin.alter_user_scram_credentials([upsert]), steps[0], s)
        _wait(admin.create_acls(_acl_bindings(s)), steps[1], s)
        result = _quota_tool(cluster, s, "--alter", "--add-config",
                             ",".join(f"{k}={_num(v)}" for k, v in limits.items()))
        if not result.ok:
            raise KafkaLabError("classroom_failed", student=s.name, what=steps[2],
                                error=(result.stderr or result.stdout).strip()[-400:])
        _write_private(path, student_properties(cluster, s, password, ca))
    if dry_run:
        say(t("classroom_dry_run"))
    return students


def _num(value) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else str(value)


def quotas(cluster) -> dict[str, dict[str, float]]:
    """user -> its quotas, as the cluster has them."""
    result = cluster.tool("kafka-configs", "--bootstrap-server", cluster.bootstrap_servers, "--describe",
                          "--entity-type", "users", echo=False, timeout=120)
    found: dict[str, dict[str, float]] = {}
    for line in result.stdout.splitlines():
        match = re.match(r"Quota configs for user-principal '([^']+)' are (.*)$", line.strip())
        if match:
            found[match.group(1)] = {k: float(v) for k, v in
                                     (kv.split("=", 1) for kv in match.group(2).split(", ") if "=" in kv)}
    return found


def disk_usage(cluster) -> dict[str, int]:
    """partition name ('alice.cities-0') -> bytes on disk, summed over its replicas (kafka-log-dirs)."""
    result = cluster.tool("kafka-log-dirs", "--bootstrap-server", cluster.bootstrap_servers, "--describe",
                          echo=False, timeout=120)
    sizes: dict[str, int] = {}
    for line in result.stdout.splitlines():
        if line.startswith("{"):
            for broker in json.loads(line).get("brokers", []):
                for log_dir in broker.get("logDirs", []):
                    for part in log_dir.get("partitions", []):
                        sizes[part["partition"]] = sizes.get(part["partition"], 0) + int(part.get("size", 0))
    return sizes


def status(cluster, roster: str | os.PathLike) -> list[dict]:
    """Per student: SCRAM user present, ACL count, topics, partitions, bytes on disk, groups, quotas."""
    from confluent_kafka.admin import (AclBindingFilter, AclOperation, AclPermissionType, ResourcePatternType,
                                       ResourceType)

    students = read_roster(roster)
    admin = cluster.admin()
    meta = admin.list_topics(timeout=15)
    groups = [g.group_id for g in admin.list_consumer_groups(request_timeout=15).result(timeout=20).valid]
    users = {}
    try:
        described = admin.describe_user_scram_credentials([s.name for s in students])
        for name, future in described.items():
            try:
                users[name] = bool(future.result(timeout=20).scram_credential_infos)
            except Exception:
                users[name] = False
    except Exception:
        pass
    acls = admin.describe_acls(AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None,
                                                AclOperation.ANY, AclPermissionType.ANY),
                               request_timeout=15).result(timeout=20)
    sizes = disk_usage(cluster)
    limits = quotas(cluster)
    rows = []
    for s in students:
        topics = sorted(n for n in meta.topics if n.startswith(s.prefix))
        partitions = sum(len(meta.topics[n].partitions) for n in topics)
        size = sum(v for k, v in sizes.items() if k.startswith(s.prefix))
        rows.append({"student": s.name, "user": users.get(s.name, False),
                     "acls": sum(1 for a in acls if a.principal == s.principal),
                     "topics": topics, "partitions": partitions, "bytes": size,
                     "groups": sorted(g for g in groups if g.startswith(s.prefix)),
                     "quotas": limits.get(s.name, {})})
    return rows


def format_status(rows: list[dict]) -> str:
    lines = [f"{'student':<14} {'user':<5} {'acls':>4} {'topics':>6} {'parts':>5} {'bytes':>12} {'groups':>6}  quotas"]
    for r in rows:
        q = ", ".join(f"{k}={_num(v)}" for k, v in r["quotas"].items()) or "-"
        lines.append(f"{r['student']:<14} {'yes' if r['user'] else 'no':<5} {r['acls']:>4} {len(r['topics']):>6} "
                     f"{r['partitions']:>5} {r['bytes']:>12} {len(r['groups']):>6}  {q}")
    return "\n".join(lines)


def remove(cluster, roster: str | os.PathLike, out: str | os.PathLike | None = None, dry_run: bool = False,
           say=print) -> list[Student]:
    """Delete each student's topics, groups, ACLs, quotas, SCRAM user and properties file."""
    return remove_students(cluster, read_roster(roster), out, dry_run, say)


def remove_students(cluster, students: list[Student], out: str | os.PathLike | None = None, dry_run: bool = False,
                    say=print) -> list[Student]:
    """remove() for these students."""
    from confluent_kafka.admin import (AclBindingFilter, AclOperation, AclPermissionType, ResourcePatternType,
                                       ResourceType, ScramMechanism, UserScramCredentialDeletion)

    admin = cluster.admin()
    meta = admin.list_topics(timeout=15)
    groups = [g.group_id for g in admin.list_consumer_groups(request_timeout=15).result(timeout=20).valid]
    for s in students:
        topics = sorted(n for n in meta.topics if n.startswith(s.prefix))
        mine = sorted(g for g in groups if g.startswith(s.prefix))
        path = Path(out) / f"{s.name}.properties" if out else None
        steps = [f"delete topics {', '.join(topics) or '-'}", f"delete groups {', '.join(mine) or '-'}",
                 f"delete ACLs of {s.principal}", "delete quotas", f"delete SCRAM user {s.name}"]
        if path:
            steps.append(f"delete {path}")
        for step in steps:
            say(t("classroom_step", student=s.name, what=step))
        if dry_run:
            continue
        if topics:
            _wait(admin.delete_topics(topics, operation_timeout=30), steps[0], s,
                  ignore=("UNKNOWN_TOPIC_OR_PART",))
        if mine:
            # a group with live members (a kernel still running) stays; without its user and ACLs it empties,
            # and `classroom remove` run again deletes it
            _wait(admin.delete_consumer_groups(mine, request_timeout=30), steps[1], s,
                  ignore=("GROUP_ID_NOT_FOUND", "NON_EMPTY_GROUP"))
        flt = AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, s.principal, None,
                               AclOperation.ANY, AclPermissionType.ANY)
        _wait(admin.delete_acls([flt], request_timeout=30), steps[2], s)
        current = quotas(cluster).get(s.name, {})
        if current:
            result = _quota_tool(cluster, s, "--alter", "--delete-config", ",".join(current))
            if not result.ok:
                raise KafkaLabError("classroom_failed", student=s.name, what=steps[3],
                                    error=(result.stderr or result.stdout).strip()[-400:])
        deletion = UserScramCredentialDeletion(s.name, ScramMechanism.SCRAM_SHA_512)
        _wait(admin.alter_user_scram_credentials([deletion]), steps[4], s, ignore=("RESOURCE_NOT_FOUND",))
        if path and path.exists():
            path.unlink()
    if dry_run:
        say(t("classroom_dry_run"))
    return students


def add_parser(sub) -> None:
    """The `classroom` subcommand of the kafkalab CLI, its help in the current language."""
    p = sub.add_parser("classroom", help=t("cli_help_classroom"))
    p.add_argument("action", choices=["create", "status", "remove"])
    p.add_argument("--name", help=t("cli_help_classroom_name"))
    p.add_argument("--roster", required=True, help=t("cli_help_classroom_roster"))
    p.add_argument("--out", default="students", help=t("cli_help_classroom_out"))
    p.add_argument("--dry-run", action="store_true", help=t("cli_help_classroom_dry_run"))
    p.add_argument("--json", action="store_true", help=t("cli_help_classroom_json"))
    for key in QUOTA_KEYS:
        p.add_argument(f"--{key.replace('_', '-')}", type=float, dest=key,
                       help=t("cli_help_classroom_quota", value=DEFAULT_QUOTAS[key]))


def main(args) -> int:
    from .cluster import cluster as clusters

    cluster = clusters.attach(args.name)
    if args.action == "create":
        create(cluster, args.roster, args.out, {k: getattr(args, k) for k in QUOTA_KEYS
                                                if getattr(args, k) is not None}, dry_run=args.dry_run)
    elif args.action == "status":
        rows = status(cluster, args.roster)
        print(json.dumps(rows, indent=2) if args.json else format_status(rows))
    else:
        remove(cluster, args.roster, args.out, dry_run=args.dry_run)
    return 0
