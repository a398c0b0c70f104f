"""Lab 02 hidden checks: offsets of the cities, Osaka in the segment file, the short-lived cleanup policy;
readings as the experiment leaves them, every scan intact and written once, chats keyed by chat."""
import random
from pathlib import Path

from kafkalab.grading import exercise, visible_module
from kafkalab.i18n import register

_v = visible_module(__file__)

register({
    "lab02_hidden_offsets": {
        "en": "The four cities should be at offsets 0-3 of partition 0; found {found}.",
        "ru": "Четыре города должны лежать по смещениям 0-3 партиции 0; найдено {found}.",
    },
    "lab02_hidden_osaka_on_disk": {
        "en": "Key 'jp' and value 'Osaka' should be in the segment file next to the cities, with its .index file.",
        "ru": "Ключ 'jp' и значение 'Osaka' должны лежать в файле сегмента рядом с городами, вместе с файлом .index.",
    },
    "lab02_hidden_policy": {
        "en": "'short-lived' should delete old segments (cleanup.policy=delete); it has {policy}.",
        "ru": "'short-lived' должен удалять старые сегменты (cleanup.policy=delete); а там {policy}.",
    },    "lab02_hidden_readings": {
        "en": "'readings' should hold what the experiment leaves, unchanged: r-5 ... r-9 at offsets 5 ... 9; it "
              "holds {found} (offset, value).",
        "ru": "В 'readings' должно лежать то, что оставляет эксперимент, без изменений: r-5 ... r-9 на смещениях "
              "5 ... 9; а там {found} (смещение, значение).",
    },
    "lab02_hidden_scans_intact": {
        "en": "Each scan should be stored exactly once and complete, as scan(i) makes it; found {found} copies "
              "(complete ones: {complete}).",
        "ru": "Каждый скан должен храниться ровно один раз и целиком, как его создаёт scan(i); найдено копий: "
              "{found} (целых: {complete}).",
    },
    "lab02_hidden_chat_keys": {
        "en": "Every message should carry a key, the same for all messages of one chat, so that the key, not "
              "partition numbers in the producer's code, keeps a chat in one partition; chats with no key or "
              "several keys: {keys}.",
        "ru": "У каждого сообщения должен быть ключ, один для всех сообщений чата, чтобы чат в одной партиции "
              "держал ключ, а не номера партиций в коде продюсера; чаты без ключа или с несколькими ключами: "
              "{keys}.",
    },
})


@exercise("lab02.ex2", points=1, hidden=True)
def cities_offsets(ctx):
    found = [(p, o) for p, o, k, v in ctx.messages("cities") if k is None]
    ctx.expect(found == [(0, 0), (0, 1), (0, 2), (0, 3)], "lab02_hidden_offsets", found=found)
    return {"offsets": [o for _, o in found]}


@exercise("lab02.ex4", points=1, hidden=True, nodes=True)
def osaka_on_disk(ctx):
    folder = Path(ctx.cluster.data_dir("broker-0")) / "cities-0"
    data = (folder / ("0" * 20 + ".log")).read_bytes()
    ok = b"jp" in data and b"Osaka" in data and (folder / ("0" * 20 + ".index")).exists()
    ctx.expect(ok, "lab02_hidden_osaka_on_disk")
    return {"files": sorted(p.name for p in folder.iterdir())}


@exercise("lab02.ex5", points=1, hidden=True)
def short_lived_policy(ctx):
    policy = ctx.topic("short-lived").config.get("cleanup.policy")
    ctx.expect(policy == "delete", "lab02_hidden_policy", policy=policy)
    return {"cleanup.policy": policy}


@exercise("lab02.ex6", points=1, hidden=True)
def readings_as_given(ctx):
    found = [(o, v) for _, o, _, v in ctx.messages("readings")]
    ctx.expect(found == [(i, f"r-{i}") for i in range(5, 10)], "lab02_hidden_readings", found=found)
    return {"readings": found}


@exercise("lab02.ex7", points=1, hidden=True)
def scans_intact(ctx):
    """Each scan once, byte for byte as the lab's scan(i) makes it."""
    stored = [v for _, _, _, v in ctx.messages("scans") if v and v.startswith("scan-")]
    want = {f"scan-{i}:" + random.Random(i).randbytes(3000).hex() for i in range(3)}
    complete = sum(1 for v in stored if v in want)
    ctx.expect(len(stored) == 3 and set(stored) == want, "lab02_hidden_scans_intact", found=len(stored),
               complete=complete)
    return {"scans_intact": complete}


@exercise("lab02.ex8", points=1, hidden=True)
def chats_keyed(ctx):
    return {"key_of_chat": ctx.one_key_each("chat", _v.chat_of, "lab02_hidden_chat_keys")}
