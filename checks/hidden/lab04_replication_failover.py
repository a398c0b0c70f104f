"""Hidden parts of lab 04's checks (an instructor may withhold this file)."""
from collections import Counter

from kafkalab.grading import exercise, visible_module


_v = visible_module(__file__)
MONTHS, leader_epochs, months_in_topic = _v.MONTHS, _v.leader_epochs, _v.months_in_topic
OLD_PAYMENTS, payments_state = _v.OLD_PAYMENTS, _v.payments_state


@exercise("lab04.ex1", points=1, hidden=True)
def partitions_spread(ctx):
    cars = ctx.topic("cars", with_config=False)
    leaders = sorted({p.replicas[0] for p in cars.partitions})
    ctx.expect(len(leaders) == 3, "lab04_cars_spread", found=leaders)
    months = ctx.topic("months", with_config=False)
    per_broker = Counter(b for p in months.partitions for b in p.replicas)
    ctx.expect(sorted(per_broker.values()) == [7, 7, 7], "lab04_replicas_per_broker", found=dict(per_broker))
    return {"replicas_per_broker": dict(per_broker)}


@exercise("lab04.ex2", points=1, hidden=True)
def order_kept(ctx):
    found = months_in_topic(ctx)
    by_partition: dict[int, list[tuple[int, str]]] = {}
    for month, (partition, offset, _) in found.items():
        by_partition.setdefault(partition, []).append((offset, month))
    for partition, items in by_partition.items():
        order = [m for _, m in sorted(items)]
        ctx.expect(order == sorted(order, key=MONTHS.index), "lab04_month_order", partition=partition,
                   found=", ".join(order))


@exercise("lab04.ex3", points=1, hidden=True)
def every_partition_failed_over(ctx):
    victim = ctx.var("victim", int)
    months = ctx.topic("months", with_config=False)
    epochs = leader_epochs(ctx, "months")
    stale = [p.partition for p in months.partitions if p.replicas[0] == victim and (epochs[p.partition] or 0) < 1]
    ctx.expect(not stale, "lab04_failover_partitions", partitions=stale, victim=victim)
    return {"leader_epochs": epochs}


@exercise("lab04.ex4", points=1, hidden=True)
def keys_kept(ctx):
    for _, _, key, value in ctx.messages("months", max_messages=5000):
        if value and value.startswith("failover-"):
            expected = str(int(value.split("-")[1]))
            ctx.expect(key == expected, "lab04_failover_key", value=value, found=key, expected=expected)


@exercise("lab04.ex5", points=1, hidden=True)
def cars_online(ctx):
    victim = ctx.var("victim", int)
    cars = ctx.topic("cars", with_config=False)
    for p in cars.partitions:
        ctx.expect(p.leader is not None, "lab04_offline", partition=p.partition)
    months = ctx.topic("months", with_config=False)
    for p in months.partitions:
        ctx.expect(victim in p.isr, "lab04_isr_not_full", topic="months", partition=p.partition, isr=p.isr,
                   replicas=p.replicas)


@exercise("lab04.ex6", points=1, hidden=True)
def payments_still_durable(ctx):
    rf, min_isr = payments_state(ctx)
    ctx.expect(min_isr >= 2, "lab04_payments_min_isr_low", found=min_isr, rf=rf)
    stored = {value for _, _, _, value in ctx.messages("payments", max_messages=5000)}
    missing = [v for v in OLD_PAYMENTS if v not in stored]
    ctx.expect(not missing, "lab04_payments_old_lost", missing=", ".join(missing))
    return {"old_payments": len(OLD_PAYMENTS)}
