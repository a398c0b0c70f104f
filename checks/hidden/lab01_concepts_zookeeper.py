"""Lab 01 hidden checks: larger and even ensembles, full ISR of quorum-ok and of quorum-back."""
from kafkalab.grading import exercise
from kafkalab.i18n import register

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
