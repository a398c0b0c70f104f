"""Lab 02 checks: topic cities, messages produced and read, one message's fields, the segment file, retention."""
from pathlib import Path

from kafkalab.grading import exercise
from kafkalab.i18n import register

CITIES = ["Moscow", "Paris", "Tokyo", "Berlin"]

register({
    "lab02_topic_shape": {
        "en": "Topic '{topic}' has {partitions} partition(s) and replication factor {rf}; expected {want_p} and {want_rf}.",
        "ru": "У топика '{topic}' партиций: {partitions}, фактор репликации {rf}; нужно {want_p} и {want_rf}.",
    },
    "lab02_leader": {
        "en": "`cities_leader` is {given}, but partition 0 of 'cities' is led by broker {real}. Hint: the Leader: column of --describe.",
        "ru": "`cities_leader` равен {given}, а лидер партиции 0 топика 'cities' — брокер {real}. Подсказка: столбец Leader: в --describe.",
    },
    "lab02_cities_stored": {
        "en": "The messages without a key in 'cities' are {found}; expected exactly {want}, in this order. Hint: if "
              "you sent extra ones, run the first cell again (a fresh cluster) and the exercises in order.",
        "ru": "Сообщения без ключа в 'cities': {found}; нужно ровно {want}, в этом порядке. Подсказка: если "
              "отправили лишнее, снова выполните первую ячейку (чистый кластер) и упражнения по порядку.",
    },
    "lab02_cities_read": {
        "en": "`cities_read` is {given}, but the topic holds {real}. Hint: decode msg.value() and keep the order.",
        "ru": "`cities_read` равен {given}, а в топике {real}. Подсказка: декодируйте msg.value() и сохраните порядок.",
    },
    "lab02_no_osaka": {
        "en": "There is no message with key 'jp' and value 'Osaka' in 'cities'. Hint: producer.produce('cities', key='jp', value='Osaka').",
        "ru": "В 'cities' нет сообщения с ключом 'jp' и значением 'Osaka'. Подсказка: producer.produce('cities', key='jp', value='Osaka').",
    },
    "lab02_osaka_field": {
        "en": "`osaka['{field}']` is {given!r}, but the broker stores {real!r}.",
        "ru": "`osaka['{field}']` равно {given!r}, а брокер хранит {real!r}.",
    },
    "lab02_segment_path": {
        "en": "`segment_file` is '{given}', but the first segment of cities-0 is '{real}'.",
        "ru": "`segment_file` равен '{given}', а первый сегмент cities-0 — '{real}'.",
    },
    "lab02_segment_content": {
        "en": "The segment file does not contain {missing}. Hint: produce the cities first (exercise 2).",
        "ru": "В файле сегмента нет {missing}. Подсказка: сначала запишите города (упражнение 2).",
    },
    "lab02_segment_size": {
        "en": "`segment_size` is {given}, but the file has {real} bytes now. Hint: segment_file.stat().st_size.",
        "ru": "`segment_size` равен {given}, а в файле сейчас {real} байт. Подсказка: segment_file.stat().st_size.",
    },
    "lab02_retention_days": {
        "en": "`default_retention_days` is {given}, but retention.ms of 'cities' is {ms} ms = {real} days.",
        "ru": "`default_retention_days` равен {given}, а retention.ms у 'cities' — {ms} мс = {real} дн.",
    },
    "lab02_short_lived": {
        "en": "Topic 'short-lived' has retention.ms={given}; expected 60000. Hint: --config retention.ms=60000 when creating it.",
        "ru": "У топика 'short-lived' retention.ms={given}; нужно 60000. Подсказка: --config retention.ms=60000 при создании.",
    },
})


def shape(ctx, topic, partitions, rf):
    info = ctx.topic(topic)
    ctx.expect(len(info.partitions) == partitions and info.replication_factor == rf, "lab02_topic_shape",
               topic=topic, partitions=len(info.partitions), rf=info.replication_factor, want_p=partitions, want_rf=rf)
    return info


@exercise("lab02.ex1", points=2)
def cities_topic(ctx):
    info = shape(ctx, "cities", 1, 1)
    leader = info.partitions[0].leader
    given = ctx.var("cities_leader", int)
    ctx.expect(given == leader, "lab02_leader", given=given, real=leader)
    return {"partitions": len(info.partitions), "replication_factor": info.replication_factor,
            "leader": info.partitions[0].leader}


@exercise("lab02.ex2", points=3)
def cities_messages(ctx):
    real = [m[3] for m in ctx.messages("cities") if m[2] is None]
    ctx.expect(real == CITIES, "lab02_cities_stored", found=real, want=CITIES)
    given = ctx.var("cities_read", list)
    ctx.expect(list(given) == real, "lab02_cities_read", given=given, real=real)
    return {"stored": real}


@exercise("lab02.ex3", points=3)
def osaka_fields(ctx):
    found = [r for r in ctx.records("cities") if r["key"] == "jp" and r["value"] == "Osaka"]
    ctx.expect(found, "lab02_no_osaka")
    given = ctx.var("osaka", dict)
    real = found[0]
    for field in ("partition", "offset", "key", "value", "timestamp"):
        ctx.expect(given.get(field) == real[field], "lab02_osaka_field", field=field, given=given.get(field),
                   real=real[field])
    return {"osaka": real}


@exercise("lab02.ex4", points=3)
def segment_file(ctx):
    folder = Path(ctx.cluster.data_dir("broker-0")) / "cities-0"
    real = folder / ("0" * 20 + ".log")
    given = Path(ctx.var("segment_file", (str, Path)))
    ctx.expect(given.exists() and given.resolve() == real.resolve(), "lab02_segment_path", given=given, real=real)
    data = real.read_bytes()
    missing = [c for c in CITIES if c.encode() not in data]
    ctx.expect(not missing, "lab02_segment_content", missing=missing)
    size = ctx.var("segment_size", int)
    ctx.expect(size == len(data), "lab02_segment_size", given=size, real=len(data))
    return {"segment_file": str(real), "bytes": len(data)}


@exercise("lab02.ex5", points=3)
def retention(ctx):
    ms = int(ctx.inspect.topic_config(ctx.cluster, "cities")["retention.ms"])
    days = ms / 86_400_000
    given = ctx.var("default_retention_days", (int, float))
    ctx.expect(abs(given - days) < 1e-9, "lab02_retention_days", given=given, ms=ms, real=days)
    info = shape(ctx, "short-lived", 1, 1)
    value = info.config.get("retention.ms")
    ctx.expect(value == "60000", "lab02_short_lived", given=value)
    return {"cities_retention_ms": ms, "short-lived_retention_ms": value}
