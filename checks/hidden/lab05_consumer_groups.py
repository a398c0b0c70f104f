"""Hidden parts of lab 05's checks (an instructor may withhold this file)."""
from collections import defaultdict

from kafkalab.grading import exercise, visible_module
from kafkalab.i18n import register


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


register({
    "lab05_hidden_clicks_as_given": {
        "en": "Every partition of 'clicks' should be exactly 4 clicks behind for 'clicks-group', as the experiment "
              "leaves it (all read and committed, then 4 new clicks per partition); the lag per partition is "
              "{lag}. Run the experiment cell as given.",
        "ru": "Каждая партиция 'clicks' должна отставать для 'clicks-group' ровно на 4 клика, как её оставляет "
              "эксперимент (всё прочитано и зафиксировано, затем по 4 новых клика в каждую партицию); а лаг по "
              "партициям {lag}. Выполните ячейку эксперимента без изменений.",
    },
    "lab05_hidden_invoices_kept": {
        "en": "'invoices' should still hold the 30 invoices written before the fix: do not delete or re-create a "
              "topic to skip its messages. Missing: {missing}.",
        "ru": "В 'invoices' должны остаться 30 счетов, записанных до исправления: не удаляйте и не пересоздавайте "
              "топик, чтобы пропустить его сообщения. Не хватает: {missing}.",
    },
    "lab05_hidden_parcels_keys": {
        "en": "Every event should carry a key, the same for all events of one parcel, so that the key, not "
              "partition numbers in the producer's code, keeps a parcel in one partition; parcels with no key or "
              "several keys: {keys}.",
        "ru": "У каждого события должен быть ключ, один для всех событий посылки, чтобы посылку в одной партиции "
              "держал ключ, а не номера партиций в коде продюсера; посылки без ключа или с несколькими ключами: "
              "{keys}.",
    },
})


@exercise("lab05.ex6", points=1, hidden=True)
def clicks_as_given(ctx):
    group = ctx.group(_v.CLICKS_GROUP)
    lag = {p.partition: p.lag for p in group.partitions if p.topic == "clicks"}
    ctx.expect(sorted(lag) == [0, 1, 2, 3, 4] and set(lag.values()) == {4}, "lab05_hidden_clicks_as_given", lag=lag)
    return {"lag_per_partition": lag}


@exercise("lab05.ex7", points=1, hidden=True)
def invoices_kept(ctx):
    stored = {value for _, _, _, value in ctx.messages("invoices")}
    missing = [v for v in _v.OLD_INVOICES if v not in stored]
    ctx.expect(not missing, "lab05_hidden_invoices_kept", missing=", ".join(missing[:5]))
    return {"old_invoices": len(_v.OLD_INVOICES)}


@exercise("lab05.ex8", points=1, hidden=True)
def parcels_keyed(ctx):
    keys = defaultdict(set)
    for _, _, key, value in ctx.messages("parcels"):
        keys[value.split(":")[0]].add(key)
    bad = {parcel: sorted(k, key=str) for parcel, k in keys.items() if len(k) != 1 or None in k}
    ctx.expect(keys and not bad, "lab05_hidden_parcels_keys", keys=bad)
    return {"keys": len(keys)}
