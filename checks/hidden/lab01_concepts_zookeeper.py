"""Lab 01 hidden checks: larger and even ensembles, full ISR of quorum-ok and of quorum-back; spare on the
brokers that ran, accounts' preferred leaders kept, critical's leaders spread."""
from kafkalab.grading import exercise, visible_module
from kafkalab.i18n import register

_v = visible_module(__file__)

register({
    "lab01_hidden_quorum": {
        "en": "{name}({n}) returned {given}, expected {real} (even and large ensembles count too).",
        "ru": "{name}({n}) вернула {given}, а нужно {real} (чётные и большие ансамбли тоже считаются).",
    },
    "lab01_hidden_isr": {
        "en": "Partition {partition} of 'quorum-ok' has ISR {isr}; all three brokers should be in sync.",
        "ru": "У партиции {partition} топика 'quorum-ok' ISR {isr}; синхронны должны быть все три брокера.",
    },
    "lab01_hidden_healed": {
        "en": "Partition {partition} of 'quorum-back' has ISR {isr}; once the quorum is back, all three brokers should follow it.",
        "ru": "У партиции {partition} топика 'quorum-back' ISR {isr}; когда кворум вернулся, её должны реплицировать все три брокера.",
    },
    "lab01_hidden_spare": {
        "en": "'spare' should have its 2 replicas of each partition on the two brokers that ran, all in sync, and "
              "the restarted broker {broker} should be registered and not the controller; found replicas {replicas}, "
              "ISR {isr}, brokers {brokers}, controller {controller}.",
        "ru": "У каждой партиции 'spare' должно быть 2 реплики на двух работавших брокерах, все синхронны, а "
              "перезапущенный брокер {broker} должен быть зарегистрирован и не быть контроллером; найдено: реплики "
              "{replicas}, ISR {isr}, брокеры {brokers}, контроллер {controller}.",
    },
    "lab01_hidden_accounts_leaders": {
        "en": "Each partition of 'accounts' should keep its leader as the preferred one (first in its replicas), "
              "one partition led by each broker; found replicas {replicas}, leaders {leaders}.",
        "ru": "Каждая партиция 'accounts' должна сохранить лидера как предпочтительного (первого в списке "
              "реплик), по одной партиции на каждого брокера-лидера; найдено: реплики {replicas}, лидеры {leaders}.",
    },
    "lab01_hidden_critical": {
        "en": "Every partition of 'critical' should have all three replicas in sync and each broker should lead "
              "two partitions; leaders {leaders}, partitions with a short ISR {short}.",
        "ru": "У каждой партиции 'critical' все три реплики должны быть синхронны, а каждый брокер должен "
              "лидировать в двух партициях; лидеры {leaders}, партиции с неполным ISR {short}.",
    },
})


@exercise("lab01.ex2", points=1, hidden=True)
def quorum_even_and_large(ctx):
    sizes = [4, 6, *sorted(ctx.random.sample(range(100, 100_000), 4))]  # new inputs each run
    for name, rule in (("quorum", lambda n: n // 2 + 1), ("tolerated", lambda n: (n - 1) // 2)):
        fn = ctx.function(name)
        for n in sizes:
            given = fn(n)
            ctx.expect(given == rule(n), "lab01_hidden_quorum", name=name, n=n, given=given, real=rule(n))
    return {"hidden_n": sizes}


@exercise("lab01.ex4", points=1, hidden=True)
def quorum_ok_in_sync(ctx):
    info = ctx.topic("quorum-ok", with_config=False)
    for p in info.partitions:
        ctx.expect(sorted(p.isr) == [0, 1, 2], "lab01_hidden_isr", partition=p.partition, isr=p.isr)
    return {"quorum-ok_isr": {p.partition: p.isr for p in info.partitions}}


@exercise("lab01.ex5", points=1, hidden=True)
def healed_after_quorum(ctx):
    # quorum-back was created once two of three ZooKeeper servers ran again: all brokers must follow it
    info = ctx.topic("quorum-back", with_config=False)
    for p in info.partitions:
        ctx.expect(sorted(p.isr) == [0, 1, 2], "lab01_hidden_healed", partition=p.partition, isr=p.isr)
    return {"quorum-back_isr": {p.partition: p.isr for p in info.partitions}}


@exercise("lab01.ex6", points=1, hidden=True)
def spare_on_the_brokers_that_ran(ctx):
    broker, _ = _v.restarted_broker(ctx)
    info = ctx.topic("spare", with_config=False)
    replicas = {p.partition: sorted(p.replicas) for p in info.partitions}
    isr = {p.partition: sorted(p.isr) for p in info.partitions}
    brokers = sorted(b.id for b in ctx.inspect.brokers(ctx.cluster))
    controller = ctx.inspect.controller(ctx.cluster)
    others = sorted(b for b in brokers if b != broker)
    ok = (all(r == others for r in replicas.values()) and isr == replicas and broker in brokers
          and controller != broker)
    ctx.expect(ok, "lab01_hidden_spare", broker=broker, replicas=replicas, isr=isr, brokers=brokers,
               controller=controller)
    return {"spare_replicas": replicas}


@exercise("lab01.ex7", points=1, hidden=True)
def accounts_leaders_kept(ctx):
    info = ctx.topic("accounts", with_config=False)
    replicas = {p.partition: p.replicas for p in info.partitions}
    leaders = {p.partition: p.leader for p in info.partitions}
    ok = (sorted(r[0] for r in replicas.values()) == sorted(b.id for b in ctx.inspect.brokers(ctx.cluster))
          and all(leaders[p] == r[0] for p, r in replicas.items()))
    ctx.expect(ok, "lab01_hidden_accounts_leaders", replicas=replicas, leaders=leaders)
    return {"preferred_leaders": {p: r[0] for p, r in replicas.items()}}


@exercise("lab01.ex8", points=1, hidden=True)
def critical_spread(ctx):
    leaders, short = ctx.leaders_and_short("critical", 3)
    ctx.expect(sorted(leaders.values()) == [2, 2, 2] and not short, "lab01_hidden_critical", leaders=leaders,
               short=short)
    return {"leaders_per_broker": leaders}
