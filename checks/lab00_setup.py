"""Lab 00 checks: the broker as the cluster reports it, its config, data folder, server.log, first topic."""
from pathlib import Path

from kafkalab.grading import exercise
from kafkalab.i18n import register

register({
    "lab00_broker_id": {
        "en": "`broker_id` is {given}, but the cluster's broker has id {real}. Hint: take `.id` from ki.brokers(cluster).",
        "ru": "`broker_id` равен {given}, а у брокера кластера id {real}. Подсказка: возьмите `.id` из ki.brokers(cluster).",
    },
    "lab00_broker_address": {
        "en": "`broker_address` is '{given}', but the broker answers at '{real}'. Hint: f\"{{b.host}}:{{b.port}}\" of ki.brokers(cluster)[0].",
        "ru": "`broker_address` равен '{given}', а брокер отвечает по адресу '{real}'. Подсказка: f\"{{b.host}}:{{b.port}}\" из ki.brokers(cluster)[0].",
    },
    "lab00_config_key": {
        "en": "`broker_config['{key}']` is {given!r}, but the config file says {real!r}. Hint: split each line at the first '='.",
        "ru": "`broker_config['{key}']` равно {given!r}, а в конфиге {real!r}. Подсказка: делите каждую строку по первому '='.",
    },
    "lab00_log_dirs": {
        "en": "`log_dirs` is '{given}', but the broker keeps its data in '{real}'. Hint: it is the value of log.dirs.",
        "ru": "`log_dirs` равен '{given}', а брокер хранит данные в '{real}'. Подсказка: это значение log.dirs.",
    },
    "lab00_no_meta": {
        "en": "There is no meta.properties with broker.id={id} in '{path}'. Hint: log_dirs must be the broker's data folder.",
        "ru": "В '{path}' нет meta.properties с broker.id={id}. Подсказка: log_dirs должен быть папкой данных брокера.",
    },
    "lab00_started_line": {
        "en": "`started_line` is not a line of broker-0's server.log that reports the start. Hint: look for "
              "'started (kafka.server.KafkaServer)' and store the whole line.",
        "ru": "`started_line` не является строкой server.log брокера broker-0 о запуске. Подсказка: ищите "
              "'started (kafka.server.KafkaServer)' и сохраните строку целиком.",
    },
    "lab00_topic_shape": {
        "en": "Topic 'hello' has {partitions} partition(s) and replication factor {rf}; expected 1 and 1.",
        "ru": "У топика 'hello' партиций: {partitions}, фактор репликации {rf}; нужно 1 и 1.",
    },
    "lab00_hello_values": {
        "en": "Topic 'hello' holds {found}; expected exactly ['hello', 'kafka', 'world'] in this order. Hint: a "
              "fresh run of the lab's first cell clears the topic if you sent extra messages.",
        "ru": "В топике 'hello' лежит {found}; нужно ровно ['hello', 'kafka', 'world'] в этом порядке. Подсказка: "
              "если отправили лишнее, перезапустите первую ячейку — кластер станет чистым.",
    },
    "lab00_consumed": {
        "en": "`consumed` is {given}, but the topic holds {real}. Hint: --from-beginning and --max-messages 3; keep result.lines.",
        "ru": "`consumed` равен {given}, а в топике {real}. Подсказка: --from-beginning и --max-messages 3; сохраните result.lines.",
    },
})


@exercise("lab00.ex1", points=2)
def broker_identity(ctx):
    brokers = ctx.inspect.brokers(ctx.cluster)
    real = brokers[0]
    given = ctx.var("broker_id", int)
    ctx.expect(given == real.id, "lab00_broker_id", given=given, real=real.id)
    address = f"{real.host}:{real.port}"
    given_address = ctx.var("broker_address", str)
    ctx.expect(given_address.strip() == address, "lab00_broker_address", given=given_address, real=address)
    return {"broker_id": real.id, "broker_address": address}


def _config(cluster) -> dict:
    found = {}
    for line in cluster.config("broker-0").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            found[key.strip()] = value.strip()
    return found


@exercise("lab00.ex2", points=2)
def config_and_data(ctx):
    real = _config(ctx.cluster)
    given = ctx.var("broker_config", dict)
    for key in ("broker.id", "log.dirs", "zookeeper.connect"):
        ctx.expect(given.get(key) == real[key], "lab00_config_key", key=key, given=given.get(key), real=real[key])
    log_dirs = ctx.var("log_dirs", str)
    data = str(ctx.cluster.data_dir("broker-0"))
    ctx.expect(log_dirs == real["log.dirs"] and Path(log_dirs) == Path(data), "lab00_log_dirs",
               given=log_dirs, real=real["log.dirs"])
    meta = Path(log_dirs) / "meta.properties"
    text = meta.read_text() if meta.is_file() else ""
    ctx.expect(f"broker.id={real['broker.id']}" in text, "lab00_no_meta", id=real["broker.id"], path=log_dirs)
    return {"log.dirs": real["log.dirs"], "meta.properties": text.strip().splitlines()[-3:]}


@exercise("lab00.ex3", points=2)
def started_line(ctx):
    line = ctx.var("started_line", str).rstrip("\n")
    lines = ctx.cluster.logs("broker-0").splitlines()
    ctx.expect(line in lines and "started" in line and "KafkaServer" in line, "lab00_started_line")
    return {"started_line": line}


@exercise("lab00.ex4", points=3)
def hello_topic(ctx):
    info = ctx.topic("hello")
    ctx.expect(len(info.partitions) == 1 and info.replication_factor == 1, "lab00_topic_shape",
               partitions=len(info.partitions), rf=info.replication_factor)
    values = [m[3] for m in ctx.messages("hello")]
    ctx.expect(values == ["hello", "kafka", "world"], "lab00_hello_values", found=values)
    return {"partitions": 1, "replication_factor": 1, "values": values}


@exercise("lab00.ex5", points=2)
def consumed_back(ctx):
    given = ctx.var("consumed", list)
    real = [m[3] for m in ctx.messages("hello")]
    ctx.expect(real and [str(v).strip() for v in given] == real, "lab00_consumed", given=given, real=real)
    return {"consumed": real}
