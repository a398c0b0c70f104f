"""Checks of lab 06 (load testing): the parsed perf numbers against what the cluster stored; a prediction of
what --throughput does to a perf test (meter), a client quota that throttles a
load test (loadtest), a topic designed for payments (payments)."""
import re

from kafkalab.grading import Fail, exercise
from kafkalab.i18n import register

GROUP = "perf-group"
RECORDS, RECORD_SIZE, ACKS_RECORDS = 1000, 1000, 2000
MB = 2 ** 20
# exercise 6: the paced perf test of the experiment
METER_RECORDS, METER_THROUGHPUT = 300, 100
# exercise 7: the throttled client, the records of the colleague's test and of the proof
LOADGEN, SLOW_RECORDS, FAST_RECORDS = "loadgen", 50, 2000
# exercise 8: the records of the proof
PAYMENT_RECORDS = 600

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
        "en": "acks_ratio = {found}, but acks_throughput gives {expected:.6g}.",
        "ru": "acks_ratio = {found}, а из acks_throughput получается {expected:.6g}.",
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
    "lab06_meter_missing": {
        "en": "'meter' holds {found} records; the experiment writes {want}. Run the experiment cell (after your "
              "prediction) as it is; to start over, delete 'meter' and run it again.",
        "ru": "В 'meter' записей: {found}, а эксперимент записывает {want}. Выполните ячейку эксперимента (после "
              "своего предсказания) как есть; чтобы начать сначала, удалите 'meter' и выполните её снова.",
    },
    "lab06_predict_rate": {
        "en": "prediction['{item}'] is {given!r}, but the test of 'meter' gives about {real:.3g}. Hint: "
              "--throughput caps the records sent per second; the tool counts a MB as 1024 x 1024 bytes.",
        "ru": "prediction['{item}'] равно {given!r}, а тест 'meter' даёт около {real:.3g}. Подсказка: "
              "--throughput ограничивает число записей в секунду; инструмент считает МБ как 1024 x 1024 байт.",
    },
    "lab06_quota_diagnosis": {
        "en": "diagnosis = {found} does not name the limit at fault. Hint: kafka-configs.sh --describe "
              "--entity-type clients --entity-name loadgen; name the setting as Kafka spells it.",
        "ru": "diagnosis = {found} не называет виноватое ограничение. Подсказка: kafka-configs.sh --describe "
              "--entity-type clients --entity-name loadgen; назовите настройку так, как её пишет Kafka.",
    },
    "lab06_quota_still_set": {
        "en": "The cluster still limits the client '{client}': {found}. Hint: kafka-configs.sh --alter "
              "--entity-type clients --entity-name {client} --delete-config ...; a test under another client id "
              "does not remove it.",
        "ru": "Кластер всё ещё ограничивает клиента '{client}': {found}. Подсказка: kafka-configs.sh --alter "
              "--entity-type clients --entity-name {client} --delete-config ...; тест под другим client id его "
              "не снимает.",
    },
    "lab06_quota_summary": {
        "en": "fast_summary = {found} is not the summary of a perf test of {want} records. Hint: --num-records "
              "{want}, and keep the last line of the output.",
        "ru": "fast_summary = {found} — не итог теста на {want} записей. Подсказка: --num-records {want}, и "
              "сохраните последнюю строку вывода.",
    },
    "lab06_quota_stored": {
        "en": "'loadtest' holds {found} records; the colleague's test and yours write {want}. Run the proof "
              "(--num-records {fast}) once.",
        "ru": "В 'loadtest' записей: {found}, а тест коллеги и ваш записывают {want}. Выполните проверочный тест "
              "(--num-records {fast}) один раз.",
    },
    "lab06_payments_rf": {
        "en": "'payments' has replication factor {rf}: with one broker down, fewer than two in-sync copies would "
              "be left. Hint: count the copies a partition needs so that two stay with one broker gone; delete "
              "the topic and create it again.",
        "ru": "У 'payments' фактор репликации {rf}: если один брокер упадёт, синхронных копий останется меньше "
              "двух. Подсказка: посчитайте, сколько копий нужно партиции, чтобы две остались без одного брокера; "
              "удалите топик и создайте его снова.",
    },
    "lab06_payments_min_isr": {
        "en": "'payments' has min.insync.replicas={found}, but an acks=all write must wait for exactly two "
              "in-sync copies: with fewer, one broker alone acknowledges it; with more, one broker down stops "
              "acks=all writes. Hint: the setting that makes acks=all wait for "
              "a number of in-sync replicas is a topic config; --config NAME=VALUE when creating, or "
              "kafka-configs.sh --alter.",
        "ru": "У 'payments' min.insync.replicas={found}, а запись с acks=all должна ждать ровно две синхронные "
              "копии: если меньше, её подтвердит один брокер; если больше, без одного брокера записи с acks=all "
              "остановятся. Подсказка: настройка, с которой acks=all ждёт "
              "нужное число синхронных реплик, — это настройка топика; --config NAME=VALUE при создании или "
              "kafka-configs.sh --alter.",
    },
    "lab06_payments_partitions": {
        "en": "'payments' has {partitions} partition(s). Hint: the peak divided by what one partition takes, and "
              "by what one consumer reads; the larger need wins, then every broker must lead the same number; "
              "the fewest that meet all of it. A topic cannot lose partitions: delete it and create it again.",
        "ru": "У 'payments' партиций: {partitions}. Подсказка: пик, делённый на то, что принимает одна партиция, "
              "и на то, что читает один консьюмер; побеждает большая потребность, затем каждый брокер должен "
              "лидировать в одинаковом числе партиций; нужно наименьшее число, отвечающее всему этому. Партиции "
              "нельзя убрать: удалите топик и создайте его снова.",
    },
    "lab06_payments_stored": {
        "en": "'payments' holds {found} records; the proof writes {want} with acks=all. Run it once.",
        "ru": "В 'payments' записей: {found}, а проверка записывает {want} с acks=all. Выполните её один раз.",
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
    # 1 % lets a rounded ratio pass, but never its inverse (all / 1): on one machine the two rates may be
    # closer than that, and then only a ratio nearer the right one than the wrong one passes
    tolerance = min(0.01 * expected, abs(expected - 1 / expected) / 2)
    ctx.expect(abs(ratio - expected) <= tolerance, "lab06_acks_ratio", found=ratio, expected=expected)
    stored = ctx.inspect.message_count(ctx.cluster, "perf")
    ctx.expect(stored >= RECORDS + 2 * ACKS_RECORDS, "lab06_stored", found=stored,
               expected=RECORDS + 2 * ACKS_RECORDS)
    return {"records_per_sec": rates, "ratio": round(expected, 3), "stored": stored}


@exercise("lab06.ex5", points=2)
def lag_read(ctx):
    group = ctx.group(GROUP)
    # the tool's table has a line only for a partition the group committed an offset for (the consumer
    # perf test may end before it has fetched from every partition): the same partitions here
    truth = {p.partition: p.lag for p in group.partitions if p.topic == "perf" and p.committed is not None and p.lag}
    ctx.expect(truth, "lab06_no_lag", group=GROUP)
    answer = ctx.var("perf_lag", dict)
    try:
        given = {int(k): int(v) for k, v in answer.items() if v}
    except (TypeError, ValueError):
        given = answer
    ctx.expect(given == truth, "lab06_lag", found=answer, expected=truth, group=GROUP)
    return {"lag": truth, "total_lag": sum(truth.values())}


def _answer(value):
    """A prediction item as the check compares it: numbers written as text become int."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return value


def meter_records(ctx) -> list[dict]:
    return ctx.records("meter", max_messages=2 * METER_RECORDS)


def _number(value):
    try:
        return None if isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        return None


@exercise("lab06.ex6", points=3)
def throughput_prediction(ctx):
    """The prediction against the paced test's figures: the records in 'meter' (how many, how large) at the
    experiment's --throughput. Not the timestamps: on a loaded machine the tool catches up after a stall."""
    records = meter_records(ctx)
    sizes = {len(r["value"] or "") for r in records}
    ctx.expect(len(records) == METER_RECORDS and len(sizes) == 1, "lab06_meter_missing", found=len(records),
               want=METER_RECORDS)
    size = sizes.pop()
    real = {"seconds": len(records) / METER_THROUGHPUT, "records_per_sec": METER_THROUGHPUT,
            "mb_per_sec": METER_THROUGHPUT * size / MB}
    given = ctx.var("prediction", dict)
    for item, want in real.items():
        guess = _number(given.get(item))
        ctx.expect(guess is not None and abs(guess - want) <= 0.2 * want, "lab06_predict_rate", item=item,
                   given=given.get(item), real=want)
    stamps = sorted(r["timestamp"] for r in records)
    return {**{item: round(value, 4) for item, value in real.items()},
            "measured_seconds": round((stamps[-1] - stamps[0]) / 1000, 3)}


def client_quotas(ctx, client: str) -> str:
    """What kafka-configs.sh --describe says about the client id's quotas ('' when none)."""
    res = ctx.cluster.tool("kafka-configs.sh", "--bootstrap-server", ctx.cluster.bootstrap_servers, "--describe",
                           "--entity-type", "clients", "--entity-name", client, echo=False)
    return " ".join(line.strip() for line in res.lines if "_rate" in line or "percentage" in line)


@exercise("lab06.ex7", points=3)
def quota_removed(ctx):
    diagnosis = ctx.var("diagnosis", str)
    ctx.expect("producer_byte_rate" in diagnosis.lower(), "lab06_quota_diagnosis", found=repr(diagnosis[:120]))
    quotas = client_quotas(ctx, LOADGEN)
    ctx.expect("producer_byte_rate" not in quotas, "lab06_quota_still_set", client=LOADGEN, found=quotas)
    summary = ctx.var("fast_summary", str)
    m = re.match(r"\s*(\d+) records sent, ([\d.]+) records/sec", summary)
    ctx.expect(m and int(m[1]) == FAST_RECORDS, "lab06_quota_summary", found=repr(summary[:120]), want=FAST_RECORDS)
    stored = ctx.inspect.message_count(ctx.cluster, "loadtest")
    ctx.expect(stored == SLOW_RECORDS + FAST_RECORDS, "lab06_quota_stored", found=stored,
               want=SLOW_RECORDS + FAST_RECORDS, fast=FAST_RECORDS)
    return {"quotas_of_loadgen": quotas or None, "records_per_sec": float(m[2]), "stored": stored}


@exercise("lab06.ex8", points=3)
def payments_design(ctx):
    info = ctx.topic("payments")
    ctx.expect(info.replication_factor == 3, "lab06_payments_rf", rf=info.replication_factor)
    min_isr = info.config.get("min.insync.replicas")
    ctx.expect(min_isr == "2", "lab06_payments_min_isr", found=min_isr)
    partitions = len(info.partitions)
    ctx.expect(partitions == 6, "lab06_payments_partitions", partitions=partitions)
    stored = ctx.inspect.message_count(ctx.cluster, "payments")
    ctx.expect(stored == PAYMENT_RECORDS, "lab06_payments_stored", found=stored, want=PAYMENT_RECORDS)
    return {"partitions": partitions, "replication_factor": 3, "min.insync.replicas": 2, "stored": stored}
