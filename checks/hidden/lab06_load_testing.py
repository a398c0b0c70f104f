"""Hidden parts of lab 06's checks (an instructor may withhold this file)."""
import re

from kafkalab.grading import exercise, visible_module
from kafkalab.i18n import register

register({
    "lab06_hidden_meter": {
        "en": "'meter' should hold the Java perf test's {want} records of {size} bytes, spread over its 3 "
              "partitions; found {found} such records in partitions {partitions}.",
        "ru": "В 'meter' должны лежать {want} записей по {size} байт от Java perf-теста, разнесённые по его 3 "
              "партициям; найдено таких записей: {found}, в партициях {partitions}.",
    },
    "lab06_hidden_loadtest": {
        "en": "The proof should be the Java perf test's {want} records of {size} bytes in 'loadtest'; found {found} "
              "such records.",
        "ru": "Проверкой должны быть {want} записей по {size} байт от Java perf-теста в "
              "'loadtest'; найдено таких записей: {found}.",
    },
    "lab06_hidden_payments": {
        "en": "Every partition of 'payments' should have all three replicas in sync and the leaders spread evenly "
              "(two per broker); leaders {leaders}, partitions with a short ISR {short}.",
        "ru": "У каждой партиции 'payments' все три реплики должны быть синхронны, а лидеры распределены поровну "
              "(по две на брокер); лидеры {leaders}, партиции с неполным ISR {short}.",
    },
})


_v = visible_module(__file__)


@exercise("lab06.ex1", points=1, hidden=True)
def in_sync_and_spread(ctx):
    info = ctx.topic("perf", with_config=False)
    for p in info.partitions:
        ctx.expect(set(p.isr) == set(p.replicas), "lab06_isr", partition=p.partition, isr=p.isr, replicas=p.replicas)
    leaders = {p.leader for p in info.partitions}
    ctx.expect(len(leaders) == 3, "lab06_leaders", found=ctx.var("leaders_per_broker", dict), expected=sorted(leaders))


@exercise("lab06.ex2", points=1, hidden=True)
def written_by_the_java_tool(ctx):
    # kafka-producer-perf-test.sh fills each record with random capital letters; Python's test writes "x"
    values = _v.perf_values(ctx)
    java = [v for v in values if re.fullmatch(r"[A-Z]+", v)]
    ctx.expect(len(java) >= _v.RECORDS, "lab06_record_size", found=sorted({len(v) for v in values}),
               expected=_v.RECORD_SIZE)


@exercise("lab06.ex3", points=1, hidden=True)
def committed_exactly(ctx):
    group = ctx.group(_v.GROUP)
    committed = sum(p.committed or 0 for p in group.partitions if p.topic == "perf")
    ctx.expect(committed == _v.RECORDS, "lab06_committed", group=_v.GROUP, found=committed, expected=_v.RECORDS)


@exercise("lab06.ex4", points=1, hidden=True)
def ratio_plausible(ctx):
    ratio = ctx.var("acks_ratio", (int, float))
    ctx.expect(0.05 <= ratio <= 20, "lab06_rate", name="acks_ratio", field="1/all", found=ratio, low=0.05, high=20)


@exercise("lab06.ex5", points=1, hidden=True)
def lag_of_every_partition(ctx):
    answer = ctx.var("perf_lag", dict)
    committed = [p for p in ctx.group(_v.GROUP).partitions if p.topic == "perf" and p.committed is not None]
    partitions = sorted(p.partition for p in committed)  # every line of the table, a lag of 0 included
    truth = {p.partition: p.lag for p in committed}
    ctx.expect(sorted(int(k) for k in answer) == partitions, "lab06_lag", found=answer, expected=truth,
               group=_v.GROUP)


@exercise("lab06.ex6", points=1, hidden=True)
def meter_by_the_java_tool(ctx):
    records = _v.meter_records(ctx)
    java = sum(1 for r in records if len(r["value"] or "") == _v.RECORD_SIZE and re.fullmatch(r"[A-Z]+", r["value"]))
    partitions = sorted({r["partition"] for r in records})
    ctx.expect(java == _v.METER_RECORDS and len(partitions) > 1, "lab06_hidden_meter", want=_v.METER_RECORDS,
               size=_v.RECORD_SIZE, found=java, partitions=partitions)
    return {"java_records": java, "partitions": partitions}


@exercise("lab06.ex7", points=1, hidden=True)
def proof_by_the_java_tool(ctx):
    values = [v or "" for _, _, _, v in ctx.messages("loadtest", max_messages=5000, timeout=30.0)]
    java = sum(1 for v in values if len(v) == _v.RECORD_SIZE and re.fullmatch(r"[A-Z]+", v))
    ctx.expect(java == _v.SLOW_RECORDS + _v.FAST_RECORDS, "lab06_hidden_loadtest", found=java,
               want=_v.FAST_RECORDS, size=_v.RECORD_SIZE)
    return {"java_records": java}


@exercise("lab06.ex8", points=1, hidden=True)
def payments_in_sync_and_spread(ctx):
    leaders, short = ctx.leaders_and_short("payments", 3)
    ctx.expect(sorted(leaders.values()) == [2, 2, 2] and not short, "lab06_hidden_payments", leaders=leaders,
               short=short)
    return {"leaders_per_broker": leaders}
