"""How clients reach an existing cluster (the external engine): address, security, and errors in words.

    KAFKALAB_BOOTSTRAP=kafka.school:9092 kafkalab up --engine external
    KAFKALAB_CLIENT_CONFIG=~/alice.properties kafkalab up --engine external

The client properties file is Java-style, as Kafka's own tools read it::

    bootstrap.servers=kafka.school:9096
    security.protocol=SASL_SSL                      # PLAINTEXT | SASL_PLAINTEXT | SASL_SSL | SSL
    sasl.mechanism=SCRAM-SHA-512
    sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\
        username="alice" password="...";
    # or simply: username=alice / password=...
    ssl.truststore.location=/etc/kafka/ca.crt       # a PEM CA file (ssl.ca.location works too)

The same settings reach confluent-kafka (mapped to librdkafka's names: sasl.username, sasl.password,
ssl.ca.location), Kafka's CLI tools (a rendered Java file given as --command-config,
--producer.config or --consumer.config, as each tool expects), inspect and the checks.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import KafkaLabError
from ..i18n import register

register({
    "external_config_unreadable": {
        "en": "Cannot read the client properties file {path} (KAFKALAB_CLIENT_CONFIG): {why}",
        "ru": "Не удаётся прочитать файл настроек клиента {path} (KAFKALAB_CLIENT_CONFIG): {why}",
    },
    "external_config_bad": {
        "en": "The client properties file {path}: {why}",
        "ru": "Файл настроек клиента {path}: {why}",
    },
    "external_unreachable": {
        "en": "The cluster at {bootstrap} does not answer ({detail}).\nCheck the address (KAFKALAB_BOOTSTRAP or "
              "bootstrap.servers in {config}), that the cluster runs, and that this machine may reach it.",
        "ru": "Кластер по адресу {bootstrap} не отвечает ({detail}).\nПроверьте адрес (KAFKALAB_BOOTSTRAP или "
              "bootstrap.servers в {config}), что кластер запущен и что с этой машины до него можно достучаться.",
    },
    "external_auth_failed": {
        "en": "The cluster at {bootstrap} refused the login of user '{user}' (SASL authentication failed: {detail}).\n"
              "Check the user name and password in {config}; ask the instructor if they were changed.",
        "ru": "Кластер {bootstrap} не пустил пользователя '{user}' (ошибка SASL-аутентификации: {detail}).\n"
              "Проверьте имя пользователя и пароль в {config}; если их меняли, спросите преподавателя.",
    },
    "external_tls_failed": {
        "en": "The TLS handshake with {bootstrap} failed ({detail}).\nCheck security.protocol and the CA file "
              "(ssl.truststore.location / ssl.ca.location) in {config}.",
        "ru": "TLS-рукопожатие с {bootstrap} не удалось ({detail}).\nПроверьте security.protocol и файл CA "
              "(ssl.truststore.location / ssl.ca.location) в {config}.",
    },
    "not_authorized": {
        "en": "Not allowed: {what} (Kafka answered {code}).\nUser '{user}' has no ACL for it. {hint}",
        "ru": "Нет прав: {what} (Kafka ответила {code}).\nУ пользователя '{user}' нет ACL на это. {hint}",
    },
    "not_authorized_hint_prefix": {
        "en": "Your topics and groups are those whose names start with '{prefix}'.",
        "ru": "Ваши топики и группы: те, чьи имена начинаются с '{prefix}'.",
    },
    "not_authorized_hint_user": {
        "en": "On a class cluster your topics and groups start with '{prefix}' (KAFKALAB_STUDENT={student} adds it).",
        "ru": "На учебном кластере ваши топики и группы начинаются с '{prefix}' (KAFKALAB_STUDENT={student} "
              "добавляет его сам).",
    },
    "not_authorized_hint": {
        "en": "Ask the cluster's administrator for the ACL.",
        "ru": "Попросите администратора кластера выдать ACL.",
    },
    "tool_external_address": {
        "en": "note: {old} -> {new} (the shared cluster's address)",
        "ru": "примечание: {old} -> {new} (адрес общего кластера)",
    },
    "what_create_topic": {"en": "create topic '{topic}'", "ru": "создать топик '{topic}'"},
    "what_read_topic": {"en": "read topic '{topic}'", "ru": "читать топик '{topic}'"},
    "what_write_topic": {"en": "write to topic '{topic}'", "ru": "писать в топик '{topic}'"},
    "what_describe_topic": {"en": "describe topic '{topic}'", "ru": "смотреть топик '{topic}'"},
    "what_delete_topic": {"en": "delete topic '{topic}'", "ru": "удалить топик '{topic}'"},
    "what_use_group": {"en": "use consumer group '{group}'", "ru": "работать с группой '{group}'"},
    "quota_throttled": {
        "en": "The cluster slowed you down: {what} exceeded your quota ({code}).",
        "ru": "Кластер вас притормозил: {what} превысило вашу квоту ({code}).",
    },
})

PROTOCOLS = ("PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL")
SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule"
PLAIN_LOGIN = "org.apache.kafka.common.security.plain.PlainLoginModule"
# what Kafka's Java tools accept for a client config, tool by tool
TOOL_CONFIG_OPTION = {
    "kafka-console-producer": "--producer.config",
    "kafka-producer-perf-test": "--producer.config",
    "kafka-console-consumer": "--consumer.config",
    "kafka-consumer-perf-test": "--consumer.config",
    "kafka-leader-election": "--admin.config",
}
NO_CLIENT_CONFIG = ("kafka-dump-log", "kafka-storage", "zookeeper-shell")


def read_properties(text: str) -> dict[str, str]:
    """Java .properties: key=value or key: value, # and ! comments, backslash continues a line."""
    props: dict[str, str] = {}
    logical, pending = [], ""
    for raw in text.splitlines():
        line = raw.strip() if not pending else raw.lstrip()
        if not pending and (not line or line[0] in "#!"):
            continue
        if line.endswith("\\") and not line.endswith("\\\\"):
            pending += line[:-1]
            continue
        logical.append(pending + line)
        pending = ""
    if pending:
        logical.append(pending)
    for line in logical:
        match = re.match(r"([^=:\s]+)\s*[=:\s]\s*(.*)$", line)
        if match:
            props[match.group(1)] = match.group(2).strip()
        elif line:
            props[line] = ""
    return props


def jaas_credentials(jaas: str) -> tuple[str | None, str | None]:
    """username and password out of a sasl.jaas.config line."""
    user = re.search(r'username\s*=\s*"([^"]*)"', jaas)
    password = re.search(r'password\s*=\s*"([^"]*)"', jaas)
    return (user.group(1) if user else None), (password.group(1) if password else None)


@dataclass
class Connection:
    """An existing cluster's address and security settings (Java property names)."""

    bootstrap: str
    props: dict[str, str] = field(default_factory=dict)
    source: str = "KAFKALAB_BOOTSTRAP"  # the file they came from, for messages

    @classmethod
    def from_file(cls, path: str | os.PathLike, bootstrap: str | None = None) -> "Connection":
        path = Path(path).expanduser()
        try:
            props = read_properties(path.read_text())
        except OSError as err:
            raise KafkaLabError("external_config_unreadable", path=path, why=err.strerror or err) from err
        bootstrap = bootstrap or props.get("bootstrap.servers")
        if not bootstrap:
            raise KafkaLabError("external_needs_bootstrap")
        conn = cls(bootstrap.replace(" ", ""), props, str(path))
        conn.validate()
        return conn

    @classmethod
    def from_env(cls) -> "Connection":
        """KAFKALAB_CLIENT_CONFIG (a properties file) and/or KAFKALAB_BOOTSTRAP (which wins for the address)."""
        bootstrap = os.environ.get("KAFKALAB_BOOTSTRAP", "").replace(" ", "") or None
        config = os.environ.get("KAFKALAB_CLIENT_CONFIG")
        if config:
            return cls.from_file(config, bootstrap)
        if not bootstrap:
            raise KafkaLabError("external_needs_bootstrap")
        return cls(bootstrap)

    # --- what the settings say -----------------------------------------------------------------
    @property
    def protocol(self) -> str:
        return self.props.get("security.protocol", "PLAINTEXT").upper()

    @property
    def mechanism(self) -> str:
        return self.props.get("sasl.mechanism", self.props.get("sasl.mechanisms", "GSSAPI")).upper()

    @property
    def credentials(self) -> tuple[str | None, str | None]:
        user, password = jaas_credentials(self.props.get("sasl.jaas.config", ""))
        user = self.props.get("sasl.username", self.props.get("username", user))
        password = self.props.get("sasl.password", self.props.get("password", password))
        return user, password

    @property
    def user(self) -> str:
        return self.credentials[0] or "ANONYMOUS"

    @property
    def ca_file(self) -> str | None:
        return self.props.get("ssl.ca.location") or self.props.get("ssl.truststore.location")

    @property
    def secure(self) -> bool:
        return self.protocol != "PLAINTEXT"

    def validate(self) -> None:
        bad = lambda why: KafkaLabError("external_config_bad", path=self.source, why=why)  # noqa: E731
        if self.protocol not in PROTOCOLS:
            raise bad(f"security.protocol={self.protocol}: use one of {', '.join(PROTOCOLS)}")
        if self.protocol.startswith("SASL"):
            user, password = self.credentials
            if self.mechanism in ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512") and not (user and password is not None):
                raise bad("SASL needs a user and password: sasl.jaas.config=... username=\"...\" password=\"...\"; "
                          "or username=... and password=...")
        ca = self.ca_file
        if ca and (self.props.get("ssl.truststore.type", "PEM").upper() != "PEM"
                   or ca.endswith((".jks", ".p12", ".pfx"))):
            raise bad(f"{ca}: give the CA as a PEM file (librdkafka cannot read JKS/PKCS12 truststores); "
                      "keytool -exportcert -rfc makes one")
        if ca and not Path(ca).expanduser().exists():
            raise bad(f"ssl CA file {ca} does not exist")

    # --- the settings for each kind of client ---------------------------------------------------
    def librdkafka(self) -> dict[str, str]:
        """confluent-kafka settings (without bootstrap.servers)."""
        conf: dict[str, str] = {}
        if not self.secure:
            return conf
        conf["security.protocol"] = self.protocol.lower()
        if self.protocol.startswith("SASL"):
            conf["sasl.mechanism"] = self.mechanism
            user, password = self.credentials
            if user is not None:
                conf["sasl.username"] = user
            if password is not None:
                conf["sasl.password"] = password
        if self.ca_file:
            conf["ssl.ca.location"] = str(Path(self.ca_file).expanduser())
        if self.props.get("ssl.endpoint.identification.algorithm", None) == "":
            conf["ssl.endpoint.identification.algorithm"] = "none"
        for java, rd in (("ssl.certificate.location", "ssl.certificate.location"),
                         ("ssl.key.location", "ssl.key.location"), ("ssl.key.password", "ssl.key.password")):
            if java in self.props:
                conf[rd] = self.props[java]
        return conf

    def java_properties(self) -> str:
        """The Java client config Kafka's tools read (bootstrap.servers included)."""
        lines = [f"bootstrap.servers={self.bootstrap}", f"security.protocol={self.protocol}"]
        if self.protocol.startswith("SASL"):
            lines.append(f"sasl.mechanism={self.mechanism}")
            jaas = self.props.get("sasl.jaas.config")
            if not jaas:
                user, password = self.credentials
                module = PLAIN_LOGIN if self.mechanism == "PLAIN" else SCRAM_LOGIN
                jaas = f'{module} required username="{user}" password="{password}";'
            lines.append(f"sasl.jaas.config={jaas}")
        if self.ca_file:
            lines += ["ssl.truststore.type=PEM", f"ssl.truststore.location={Path(self.ca_file).expanduser()}"]
        if "ssl.endpoint.identification.algorithm" in self.props:
            lines.append(f"ssl.endpoint.identification.algorithm={self.props['ssl.endpoint.identification.algorithm']}")
        return "\n".join(lines) + "\n"


# --- a Cluster's connection --------------------------------------------------------------------
def of_cluster(cluster) -> Connection | None:
    """The Connection an external cluster was made with (its properties file is read again now, unless
    the cluster has pinned one)."""
    if getattr(cluster, "pinned_connection", None):
        return cluster.pinned_connection
    info = getattr(cluster, "state", {}).get("connection")
    if not info:
        return None
    if info.get("config"):
        return Connection.from_file(info["config"], info.get("bootstrap_env"))
    return Connection(info["bootstrap"])


def client_settings(cluster) -> dict[str, str]:
    """librdkafka security settings of the cluster (empty for a cluster of ours)."""
    conn = of_cluster(cluster)
    return conn.librdkafka() if conn else {}


def tool_config_file(cluster) -> Path | None:
    """The cluster's client config as a Java properties file for Kafka's tools (None: none needed)."""
    if getattr(cluster, "pinned_tool_config", None):
        return cluster.pinned_tool_config
    conn = of_cluster(cluster)
    if conn is None or not conn.secure:
        return None
    path = Path(cluster.dir) / "client.properties"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds a password
    with os.fdopen(fd, "w") as f:
        f.write(conn.java_properties())
    return path


def tool_args(cluster, name: str, args: list[str]) -> tuple[list[str], list[str]]:
    """An external cluster's tool arguments: its real address instead of the notes' localhost:9092,
    and its client config (--command-config, --producer.config, ...) when it needs one; and notes."""
    from ..i18n import t

    conn = of_cluster(cluster)
    if conn is None or name in NO_CLIENT_CONFIG or "--zookeeper" in args:
        return args, []
    out, notes = list(args), []
    for i, arg in enumerate(out[:-1]):
        if arg in ("--bootstrap-server", "--broker-list") and out[i + 1] != conn.bootstrap:
            notes.append(t("tool_external_address", old=out[i + 1], new=conn.bootstrap))
            out[i + 1] = conn.bootstrap
    for i, arg in enumerate(out):  # the perf test's --producer-props bootstrap.servers=... outranks its config
        if arg.startswith("bootstrap.servers=") and arg != f"bootstrap.servers={conn.bootstrap}":
            notes.append(t("tool_external_address", old=arg.split("=", 1)[1], new=conn.bootstrap))
            out[i] = f"bootstrap.servers={conn.bootstrap}"
    path = tool_config_file(cluster)
    if path is None:
        return out, notes
    option = TOOL_CONFIG_OPTION.get(name, "--command-config")
    if option in out:  # the student gave one: theirs wins
        return out, notes
    return [*out, option, str(path)], notes


# --- errors in words ---------------------------------------------------------------------------
AUTH_CODES = {"SASL_AUTHENTICATION_FAILED", "_AUTHENTICATION", "ILLEGAL_SASL_STATE", "UNSUPPORTED_SASL_MECHANISM"}
TLS_CODES = {"_SSL", "SSL_AUTHENTICATION_FAILED"}
UNREACHABLE_CODES = {"_TRANSPORT", "_ALL_BROKERS_DOWN", "_RESOLVE", "_TIMED_OUT", "_MSG_TIMED_OUT",
                     "NETWORK_EXCEPTION", "REQUEST_TIMED_OUT"}
AUTHZ_CODES = {
    "TOPIC_AUTHORIZATION_FAILED": "topic", "GROUP_AUTHORIZATION_FAILED": "group",
    "CLUSTER_AUTHORIZATION_FAILED": "cluster", "TRANSACTIONAL_ID_AUTHORIZATION_FAILED": "transactional id",
    "DELEGATION_TOKEN_AUTHORIZATION_FAILED": "delegation token",
}
QUOTA_CODES = {"THROTTLING_QUOTA_EXCEEDED"}


def kafka_error_of(err) -> object | None:
    """The confluent_kafka.KafkaError inside an exception (or the KafkaError itself)."""
    from confluent_kafka import KafkaError, KafkaException

    if isinstance(err, KafkaError):
        return err
    if isinstance(err, KafkaException) and err.args and isinstance(err.args[0], KafkaError):
        return err.args[0]
    return None


def code_name(err) -> str | None:
    kerr = kafka_error_of(err)
    if kerr is not None:
        return kerr.name()
    return None


def explain(err, target=None, what: str = "") -> KafkaLabError | None:
    """A KafkaLabError in words for a Kafka error, classified by its KafkaError code; None when the
    error is none of: unreachable, authentication, TLS, authorization, quota. Raise it `from err`."""
    code = code_name(err)
    if code is None:
        return None
    kerr = kafka_error_of(err)
    detail = (kerr.str() if kerr is not None else str(err)).strip()[:300]
    conn = of_cluster(target) if target is not None and not isinstance(target, Connection) else target
    bootstrap = conn.bootstrap if conn else getattr(target, "bootstrap_servers", str(target or ""))
    config = conn.source if conn else "-"
    user = conn.user if conn else "ANONYMOUS"
    if code in AUTH_CODES:
        return KafkaLabError("external_auth_failed", bootstrap=bootstrap, user=user, detail=detail, config=config)
    if code in TLS_CODES:
        return KafkaLabError("external_tls_failed", bootstrap=bootstrap, detail=detail, config=config)
    if code in AUTHZ_CODES:
        from .. import namespace
        from ..i18n import t

        prefix = namespace.prefix(target) if target is not None and not isinstance(target, Connection) else ""
        if prefix:
            hint = t("not_authorized_hint_prefix", prefix=prefix)
        elif user != "ANONYMOUS":  # a class cluster made by `kafkalab classroom`: the user's name is the prefix
            hint = t("not_authorized_hint_user", prefix=f"{user}{namespace.SEPARATOR}", student=user)
        else:
            hint = t("not_authorized_hint")
        return KafkaLabError("not_authorized", what=what or f"{AUTHZ_CODES[code]} ({detail})", code=code,
                             user=user, hint=hint)
    if code in QUOTA_CODES:
        return KafkaLabError("quota_throttled", what=what or detail, code=code)
    if code in UNREACHABLE_CODES:
        return KafkaLabError("external_unreachable", bootstrap=bootstrap, detail=detail, config=config)
    return None


def probe(conn: Connection, timeout: float = 10.0) -> dict:
    """Connect once and describe the cluster: {'brokers': [(id, host, port)], 'controller': id}.
    KafkaLabError (unreachable, authentication, TLS) with the client's own error chained."""
    import logging

    from confluent_kafka import KafkaException
    from .handles import SafeAdmin

    seen: list = []
    quiet = logging.getLogger("kafkalab.librdkafka")
    admin = SafeAdmin({"bootstrap.servers": conn.bootstrap, **conn.librdkafka(), "logger": quiet,
                         "error_cb": seen.append, "socket.connection.setup.timeout.ms": 5000,
                         "reconnect.backoff.max.ms": 1000})
    from ..waiting import wait_for

    def refused():
        for codes in (AUTH_CODES, TLS_CODES):  # the error_cb knows better why than a request's time-out
            for kerr in seen:
                if kerr.name() in codes:
                    return kerr
        return None

    def answered_or_refused():
        admin.poll(0.2)  # serves error_cb
        return future.done() or refused() is not None

    future = admin.describe_cluster(request_timeout=timeout)
    try:
        waited = wait_for(answered_or_refused, timeout + 2, "the cluster's answer", every=0)[1]
    except TimeoutError:
        waited = timeout + 2
    try:
        if refused() is not None:
            raise KafkaException(refused())
        desc = future.result(timeout=max(0.1, timeout + 2 - waited))
    except Exception as err:
        kerr = refused()
        if kerr is not None:
            raise explain(kerr, conn) from KafkaException(kerr)
        first = next((e for e in seen if e.name() in UNREACHABLE_CODES), None) or kafka_error_of(err)
        found = explain(first, conn) if first is not None else None
        if found is not None and found.key != "external_unreachable":
            raise found from err
        detail = first.str() if first is not None else (str(err) or type(err).__name__)
        raise KafkaLabError("external_unreachable", bootstrap=conn.bootstrap, detail=detail[:300],
                            config=conn.source) from err
    return {"brokers": sorted((n.id, n.host, n.port) for n in desc.nodes),
            "controller": desc.controller.id if desc.controller is not None else None}
