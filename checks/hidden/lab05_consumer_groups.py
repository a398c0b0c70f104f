"""Hidden parts of lab 05's checks (an instructor may withhold this file)."""

from kafkalab.grading import exercise, visible_module


_v = visible_module(__file__)


@exercise("lab05.ex1", points=1, hidden=True)
def order_per_partition(ctx):
    last: dict[int, int] = {}
    for partition, _, _, number in _v.number_messages(ctx):
        if number < 100:
            ctx.expect(number > last.get(partition, -1), "lab05_key", value=number, found="(out of order)")
            last[partition] = number


@exercise("lab05.ex2", points=1, hidden=True)
def balanced(ctx):
    answer = ctx.var("assignment", dict)
    sizes = sorted(len(parts) for parts in answer.values())
    ctx.expect(sizes and sizes[-1] - sizes[0] <= 1, "lab05_balance", found=sizes)
    return {"sizes": sizes}


@exercise("lab05.ex3", points=1, hidden=True)
def fifty_behind(ctx):
    answer = ctx.var("lag_reported", dict)
    truth = _v.new_per_partition(ctx)
    ctx.expect(sum(truth.values()) == 50 and sum(answer.values()) == 50, "lab05_lag_reported", found=answer,
               expected=truth)


@exercise("lab05.ex4", points=1, hidden=True)
def every_partition_committed(ctx):
    group = ctx.group(_v.GROUP)
    committed = {p.partition: p.committed for p in group.partitions if p.topic == "numbers"}
    ends = ctx.inspect.end_offsets(ctx.cluster, "numbers")
    ctx.expect(all(committed.get(p) == end for p, end in ends.items() if end), "lab05_lag_left", group=_v.GROUP,
               lag={p: end - (committed.get(p) or 0) for p, end in ends.items()})


@exercise("lab05.ex5", points=1, hidden=True)
def idle_assignment_disjoint(ctx):
    group = ctx.group(_v.IDLE_GROUP)
    owned = [p for parts in group.members.values() for _, p in parts]
    ctx.expect(len(owned) == len(set(owned)) and max(len(v) for v in group.members.values()) == 1,
               "lab05_idle_unsettled", group=_v.IDLE_GROUP, owned=len(set(owned)), partitions=len(owned))
