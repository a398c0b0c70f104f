"""Lab 03 hidden checks: no duplicates in the keyed messages; zebra is the newest message of partition 2;
sightings as the given cell sends them; orders keyed by customer; the old clicks kept through the fix."""
import zlib
from collections import Counter, defaultdict

from kafkalab.grading import exercise, visible_module
from kafkalab.i18n import register

_v = visible_module(__file__)

register({
    "lab03_hidden_total": {
        "en": "'animals' should hold exactly 9 keyed messages; it holds {count}.",
        "ru": "В 'animals' должно быть ровно 9 сообщений с ключами; а их {count}.",
    },
    "lab03_hidden_zebra_last": {
        "en": "'zebra' should be the newest message of partition 2 (offset {end}); it is at {offset}.",
        "ru": "'zebra' должно быть самым новым сообщением партиции 2 (смещение {end}); а оно на {offset}.",
    },
    "lab03_hidden_sightings": {
        "en": "'sightings' should hold what the given cell sends, unchanged: 'cat-0' ... 'cat-29' and so on, each "
              "key in the partition the producer's partitioner picks {want}; the keys are in {found}.",
        "ru": "В 'sightings' должно лежать то, что отправляет данная ячейка, без изменений: 'cat-0' ... 'cat-29' и "
              "так далее, каждый ключ в партиции, которую выбирает партиционер продюсера {want}; а ключи лежат в "
              "{found}.",
    },
    "lab03_hidden_orders_keys": {
        "en": "Every order should carry a key, the same for all orders of one customer, so that the key, not "
              "partition numbers in the producer's code, keeps a customer in one partition; customers with no "
              "key or several keys: {keys}.",
        "ru": "У каждого заказа должен быть ключ, один для всех заказов покупателя, чтобы покупателя в одной "
              "партиции держал ключ, а не номера партиций в коде продюсера; покупатели без ключа или с "
              "несколькими ключами: {keys}.",
    },
    "lab03_hidden_clicks_kept": {
        "en": "The 40 clicks the given cell wrote before the fix should still be in 'clicks', each once: missing "
              "{missing}, more than once {repeated}. A fix in place keeps a topic's messages.",
        "ru": "40 кликов, записанных данной ячейкой до исправления, должны остаться в 'clicks', каждый по одному "
              "разу: не хватает {missing}, повторяются {repeated}. Исправление на месте сохраняет сообщения топика.",
    },
})


@exercise("lab03.ex2", points=1, hidden=True)
def nine_keyed(ctx):
    count = sum(1 for m in ctx.messages("animals") if m[2] is not None)
    ctx.expect(count == 9, "lab03_hidden_total", count=count)
    return {"keyed_messages": count}


@exercise("lab03.ex5", points=1, hidden=True)
def zebra_last(ctx):
    end = ctx.inspect.end_offsets(ctx.cluster, "animals")[2] - 1
    offsets = [o for p, o, k, v in ctx.messages("animals", partition=2) if v == "zebra"]
    ctx.expect(offsets == [end], "lab03_hidden_zebra_last", end=end, offset=offsets)
    return {"zebra_offset": end}


@exercise("lab03.ex6", points=1, hidden=True)
def sightings_as_given(ctx):
    """The cell that sends ran as given: each key where cluster.producer()'s partitioner puts it.

    librdkafka's default partitioner (consistent_random, which cluster.producer() keeps) sends a keyed
    message to CRC32(key) mod the number of partitions; a cell edited after a wrong prediction to steer the
    messages (partition=...) puts them elsewhere.
    """
    placed, values = defaultdict(set), defaultdict(set)
    for partition, _, key, value in ctx.messages("sightings"):
        placed[key].add(partition)
        values[key].add(value)
    want = {key: [zlib.crc32(key.encode()) % 3] for key in _v.SIGHTINGS}
    found = {key: sorted(placed[key]) for key in sorted(placed, key=str)}
    as_sent = all(values[key] == {f"{key}-{i}" for i in range(30)} for key in _v.SIGHTINGS)
    ctx.expect(found == want and as_sent, "lab03_hidden_sightings", want=want, found=found)
    return {"partitions_of_keys": found}


@exercise("lab03.ex7", points=1, hidden=True)
def orders_keyed_by_customer(ctx):
    """Every order carries a key, one per customer (explicit partition numbers pass the visible part only)."""
    customer_of = dict(_v.ORDERS)
    keys = defaultdict(set)
    for _, _, key, value in ctx.messages("orders"):
        keys[customer_of.get(value, value)].add(key)
    bad = {c: sorted(k, key=str) for c, k in keys.items() if len(k) != 1 or None in k}
    ctx.expect(keys and not bad, "lab03_hidden_orders_keys", keys=bad)
    return {"key_of_customer": {c: next(iter(k)) for c, k in keys.items()}}


@exercise("lab03.ex8", points=1, hidden=True)
def old_clicks_kept(ctx):
    """The clicks written before the fix are all there, once each: the topic was changed, not emptied or refilled."""
    found = Counter(v for _, _, _, v in ctx.messages("clicks") if v in set(_v.OLD_CLICKS))
    missing = [v for v in _v.OLD_CLICKS if not found[v]]
    repeated = sorted(v for v, n in found.items() if n > 1)
    ctx.expect(not missing and not repeated, "lab03_hidden_clicks_kept", missing=missing[:5], repeated=repeated[:5])
    return {"old_clicks": len(found)}
