"""Checks of lab 06 (load testing): the parsed perf numbers against what the cluster stored."""
from kafkalab.grading import Fail, exercise
from kafkalab.i18n import register

GROUP = "perf-group"
RECORDS, RECORD_SIZE, ACKS_RECORDS = 1000, 1000, 2000
MB = 2 ** 20

register({
    "lab06_partitions": {
        "en": "Topic 'perf' has {found} partitions, expected 10. Hint: delete it and create it with --partitions 10.",
        "ru": "У топика 'perf' партиций: {found}, а нужно 10. Подсказка: удалите его и создайте с --partitions 10.",
    },
    "lab06_rf": {
        "en": "Topic 'perf' has replication factor {found}, expected 3.",
        "ru": "У топика 'perf' фактор репликации {found}, а нужен 3.",
    },
    "lab06_leaders": {
        "en": "leaders_per_broker = {found}, but the cluster's leaders give {expected}. Hint: count p.leader over "
              "ki.describe_topic(cluster, 'perf').partitions.",
        "ru": "leaders_per_broker = {found}, а по лидерам кластера выходит {expected}. Подсказка: посчитайте p.leader "
              "по ki.describe_topic(cluster, 'perf').partitions.",
    },
    "lab06_isr": {
        "en": "Partition {partition} of 'perf' has ISR {isr}, replicas {replicas}; every replica should be in sync.",
        "ru": "У партиции {partition} топика 'perf' ISR {isr} при репликах {replicas}; все реплики должны быть "
              "синхронны.",
    },
    "lab06_missing_field": {
        "en": "`{name}` lacks the field '{field}' (or it is not a number). Expected fields: {fields}.",
        "ru": "В `{name}` нет поля '{field}' (или это не число). Нужные поля: {fields}.",
    },
    "lab06_records": {
        "en": "{name}['{field}'] = {found}, expected {expected}. Hint: --num-records / --messages {expected}.",
        "ru": "{name}['{field}'] = {found}, а нужно {expected}. Подсказка: --num-records / --messages {expected}.",
    },
    "lab06_stored": {
        "en": "Topic 'perf' holds {found} messages, fewer than the {expected} your tests claim to have written.",
        "ru": "В топике 'perf' сообщений {found} — меньше, чем {expected}, которые якобы записали ваши тесты.",
    },
    "lab06_record_size": {
        "en": "Messages in 'perf' have {found} bytes, expected {expected}. Hint: --record-size {expected}.",
        "ru": "Сообщения в 'perf' размером {found} байт, а нужно {expected}. Подсказка: --record-size {expected}.",
    },
    "lab06_rate": {
        "en": "{name}['{field}'] = {found} is not plausible (expected between {low} and {high}).",
        "ru": "{name}['{field}'] = {found} — неправдоподобно (ожидается от {low} до {high}).",
    },
    "lab06_mb_mismatch": {
        "en": "{name}: {mb} MB does not fit {records} records of {size} bytes ({expected:.2f} MB). Hint: take "
              "each number from its own column of the output.",
        "ru": "{name}: {mb} МБ не сходится с {records} записями по {size} байт ({expected:.2f} МБ). Подсказка: "
              "берите каждое число из своей колонки вывода.",
    },
    "lab06_committed": {
        "en": "Group '{group}' has committed {found} records in total, fewer than consumer_result['nmsg'] = "
              "{expected}. Hint: run kafka-consumer-perf-test.sh with --group {group}.",
        "ru": "Группа '{group}' зафиксировала всего {found} записей, меньше чем consumer_result['nmsg'] = "
              "{expected}. Подсказка: запустите kafka-consumer-perf-test.sh с --group {group}.",
    },
    "lab06_acks_keys": {
        "en": "acks_throughput = {found} should have the keys '1' and 'all' with records/sec as numbers.",
        "ru": "В acks_throughput = {found} должны быть ключи '1' и 'all' со значениями записей/с (числа).",
    },
    "lab06_acks_ratio": {
        "en": "acks_ratio = {found}, but acks_throughput gives {expected:.3f}.",
        "ru": "acks_ratio = {found}, а из acks_throughput получается {expected:.3f}.",
    },
    "lab06_lag": {
        "en": "perf_lag = {found}, but the cluster says the lag of '{group}' is {expected}. Hint: the LAG column "
              "is the 6th; skip the header and empty lines.",
        "ru": "perf_lag = {found}, а кластер говорит, что лаг '{group}' равен {expected}. Подсказка: LAG — "
              "6-я колонка; пропустите заголовок и пустые строки.",
    },
    "lab06_no_lag": {
        "en": "Group '{group}' has no lag: write the acks test's records (exercise 4) before measuring it.",
        "ru": "У группы '{group}' нет лага: сначала запишите записи теста acks (упражнение 4), потом измеряйте.",
    },
})


def _fields(ctx, name: str, fields: dict) -> dict:
    """The student's result dict with each field converted to its type; Fail names the first bad one."""
    value = ctx.var(name, dict)
    out = {}
    for field, kind in fields.items():
        try:
            raw = value[field]
            if isinstance(raw, bool) or raw is None:
                raise TypeError
            out[field] = kind(raw)
        except (KeyError, TypeError, ValueError):
            raise Fail("lab06_missing_field", name=name, field=field, fields=", ".join(fields)) from None
    return out


def _mb_fits(ctx, name: str, mb: float, records: int, size: int) -> None:
    expected = records * size / MB
    ctx.expect(abs(mb - expected) <= 0.01 + 0.02 * expected, "lab06_mb_mismatch", name=name, mb=mb,
               records=records, size=size, expected=expected)


def perf_values(ctx) -> list[str]:
    """Every value kept in 'perf' (a few MB). Not a sample of one partition: the sticky partitioner may
    leave any partition without a single record of the producer test."""
    return [value or "" for _, _, _, value in ctx.messages("perf", max_messages=50_000, timeout=30.0)]


@exercise("lab06.ex1", points=2)
def perf_topic(ctx):
    info = ctx.topic("perf")
    ctx.expect(len(info.partitions) == 10, "lab06_partitions", found=len(info.partitions))
    ctx.expect(info.replication_factor == 3, "lab06_rf", found=info.replication_factor)
    truth: dict[int, int] = {}
    for p in info.partitions:
        truth[p.leader] = truth.get(p.leader, 0) + 1
    answer = ctx.var("leaders_per_broker", dict)
    try:
        given = {int(k): v for k, v in answer.items() if v}
    except (TypeError, ValueError):
        given = answer
    ctx.expect(given == truth, "lab06_leaders", found=answer, expected=truth)
    return {"partitions": 10, "replication_factor": 3, "leaders_per_broker": truth}


@exercise("lab06.ex2", points=3)
def producer_test(ctx):
    r = _fields(ctx, "producer_result", {"records": int, "records_per_sec": float, "mb_per_sec": float,
                                          "avg_latency_ms": float, "p99_ms": float})
    ctx.expect(r["records"] == RECORDS, "lab06_records", name="producer_result", field="records",
               found=r["records"], expected=RECORDS)
    stored = ctx.inspect.message_count(ctx.cluster, "perf")
    ctx.expect(stored >= RECORDS, "lab06_stored", found=stored, expected=RECORDS)
    sizes = {len(v) for v in perf_values(ctx)}
    ctx.expect(sizes == {RECORD_SIZE}, "lab06_record_size", found=sorted(sizes), expected=RECORD_SIZE)
    ctx.expect(1 <= r["records_per_sec"] <= 2_000_000, "lab06_rate", name="producer_result",
               field="records_per_sec", found=r["records_per_sec"], low=1, high=2_000_000)
    ctx.expect(0 < r["avg_latency_ms"] < 120_000, "lab06_rate", name="producer_result", field="avg_latency_ms",
               found=r["avg_latency_ms"], low=0, high=120_000)
    _mb_fits(ctx, "producer_result", r["mb_per_sec"], round(r["records_per_sec"]), RECORD_SIZE)
    return {**r, "stored": stored, "record_size": RECORD_SIZE}


@exercise("lab06.ex3", points=2)
def consumer_test(ctx):
    r = _fields(ctx, "consumer_result", {"nmsg": int, "mb": float, "nmsg_per_sec": float})
    ctx.expect(r["nmsg"] == RECORDS, "lab06_records", name="consumer_result", field="nmsg", found=r["nmsg"],
               expected=RECORDS)
    _mb_fits(ctx, "consumer_result", r["mb"], r["nmsg"], RECORD_SIZE)
    ctx.expect(0 < r["nmsg_per_sec"] <= 10_000_000, "lab06_rate", name="consumer_result", field="nmsg_per_sec",
               found=r["nmsg_per_sec"], low=0, high=10_000_000)
    group = ctx.group(GROUP)
    committed = sum(p.committed or 0 for p in group.partitions if p.topic == "perf")
    ctx.expect(committed >= r["nmsg"], "lab06_committed", group=GROUP, found=committed, expected=r["nmsg"])
    return {**r, "committed": committed}


@exercise("lab06.ex4", points=2)
def acks_compared(ctx):
    answer = ctx.var("acks_throughput", dict)
    try:
        rates = {k: float(answer[k]) for k in ("1", "all")}
    except (KeyError, TypeError, ValueError):
        raise Fail("lab06_acks_keys", found=answer) from None
    for acks, rate in rates.items():
        ctx.expect(1 <= rate <= 2_000_000, "lab06_rate", name="acks_throughput", field=acks, found=rate, low=1,
                   high=2_000_000)
    ratio = ctx.var("acks_ratio", (int, float))
    expected = rates["1"] / rates["all"]
    ctx.expect(abs(ratio - expected) <= 0.01 * expected, "lab06_acks_ratio", found=ratio, expected=expected)
    stored = ctx.inspect.message_count(ctx.cluster, "perf")
    ctx.expect(stored >= RECORDS + 2 * ACKS_RECORDS, "lab06_stored", found=stored,
               expected=RECORDS + 2 * ACKS_RECORDS)
    return {"records_per_sec": rates, "ratio": round(expected, 3), "stored": stored}


@exercise("lab06.ex5", points=2)
def lag_read(ctx):
    group = ctx.group(GROUP)
    truth = {p.partition: p.lag for p in group.partitions if p.topic == "perf" and p.lag}
    ctx.expect(truth, "lab06_no_lag", group=GROUP)
    answer = ctx.var("perf_lag", dict)
    try:
        given = {int(k): int(v) for k, v in answer.items() if v}
    except (TypeError, ValueError):
        given = answer
    ctx.expect(given == truth, "lab06_lag", found=answer, expected=truth, group=GROUP)
    return {"lag": truth, "total_lag": sum(truth.values())}
