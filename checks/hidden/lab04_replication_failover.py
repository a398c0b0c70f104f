"""Hidden parts of lab 04's checks (an instructor may withhold this file)."""
from collections import Counter

from kafkalab.grading import exercise, visible_module
from kafkalab.i18n import register


_v = visible_module(__file__)
MONTHS, leader_epochs, months_in_topic = _v.MONTHS, _v.leader_epochs, _v.months_in_topic
OLD_PAYMENTS, payments_state = _v.OLD_PAYMENTS, _v.payments_state
BROKERS, ledger_truth = _v.BROKERS, _v.ledger_truth

register({
    "lab04_hidden_ledger_after": {
        "en": "ledger_after = {found}, but with broker {down} down the replicas of 'ledger' ({replicas}) leave "
              "{expected} (partition: leader and ISR). The cell that stops the broker did not run as given: run the "
              "cells of exercise 7 again in order, without changing the given ones.",
        "ru": "ledger_after = {found}, а при лежащем брокере {down} реплики 'ledger' ({replicas}) оставляют "
              "{expected} (партиция: лидер и ISR). Ячейка, которая останавливает брокер, выполнилась не в данном "
              "виде: снова выполните ячейки упражнения 7 по порядку, не меняя данные ячейки.",
    },
    "lab04_hidden_ledger_back": {
        "en": "Broker {down} is not back in every ISR of 'ledger' (alive: {alive}; ISR {isr}). Hint: run the cell "
              "after the experiment: it starts the broker and waits until every partition is led and in sync.",
        "ru": "Брокер {down} вернулся не во все ISR топика 'ledger' (работает: {alive}; ISR {isr}). Подсказка: "
              "выполните ячейку после эксперимента: она запускает брокер и ждёт, пока у каждой партиции будет лидер "
              "и все реплики станут синхронными.",
    },
    "lab04_hidden_invoices_preferred": {
        "en": "Preferred leaders (first replicas) of 'invoices' per broker: {found}; Kafka gives leadership back to "
              "them after a broker returns, so they must be spread evenly too (2 per broker), or the leaders drift "
              "apart after the first restart. Hint: let Kafka choose the replicas (no --replica-assignment) while "
              "every broker runs.",
        "ru": "Предпочтительные лидеры (первые реплики) 'invoices' по брокерам: {found}; Kafka возвращает им "
              "лидерство, когда брокер возвращается, поэтому они тоже должны быть распределены поровну (по 2 на "
              "брокер), иначе лидерство разъедется после первого же перезапуска. Подсказка: пусть реплики выбирает "
              "Kafka (без --replica-assignment), пока работают все брокеры.",
    },
    "lab04_hidden_invoices_unclean": {
        "en": "'invoices' has unclean.leader.election.enable={found}: a replica out of sync may then become the "
              "leader and drop writes that were acknowledged. Hint: keep it false (the default).",
        "ru": "У 'invoices' unclean.leader.election.enable={found}: тогда лидером может стать несинхронная реплика "
              "и потерять подтверждённые записи. Подсказка: оставьте false (значение по умолчанию).",
    },
})


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


@exercise("lab04.ex7", points=1, hidden=True)
def ledger_as_observed(ctx):
    """Partition by partition, what the given cell saw follows from the assignment; and the broker is back."""
    down, replicas, _, _ = ledger_truth(ctx)
    want = {}
    for partition, r in replicas.items():
        live = [b for b in r if b != down]
        want[partition] = {"leader": live[0] if live else None, "isr": sorted(live) if live else [down]}
    after = ctx.var("ledger_after", dict)
    found = {k: {"leader": v.get("leader"), "isr": sorted(v.get("isr") or [])} if isinstance(v, dict) else v
             for k, v in after.items()}
    ctx.expect(found == want, "lab04_hidden_ledger_after", found=after, down=down, replicas=replicas, expected=want)
    alive = ctx.cluster.alive(f"broker-{down}")
    info = ctx.topic("ledger", with_config=False)
    isr = {p.partition: p.isr for p in info.partitions}
    ctx.expect(alive and all(down in p.isr for p in info.partitions if down in p.replicas), "lab04_hidden_ledger_back",
               down=down, alive=alive, isr=isr)
    return {"ledger_after": want, "isr_now": isr}


@exercise("lab04.ex8", points=1, hidden=True)
def invoices_stay_even_and_clean(ctx):
    info = ctx.topic("invoices")
    preferred = Counter(p.replicas[0] for p in info.partitions)
    ctx.expect(dict(preferred) == {b: 2 for b in BROKERS}, "lab04_hidden_invoices_preferred",
               found=dict(sorted(preferred.items())))
    unclean = info.config.get("unclean.leader.election.enable", "false")
    ctx.expect(unclean == "false", "lab04_hidden_invoices_unclean", found=unclean)
    return {"preferred_leaders_per_broker": dict(sorted(preferred.items())), "unclean_leader_election": unclean}
