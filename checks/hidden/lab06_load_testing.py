"""Hidden parts of lab 06's checks (an instructor may withhold this file)."""
import re

from kafkalab.grading import exercise, visible_module


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
    partitions = sorted(p.partition for p in ctx.topic("perf", with_config=False).partitions)
    truth = {p.partition: p.lag for p in ctx.group(_v.GROUP).partitions if p.topic == "perf"}
    ctx.expect(sorted(int(k) for k in answer) == partitions, "lab06_lag", found=answer, expected=truth,
               group=_v.GROUP)
