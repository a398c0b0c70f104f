"""Lab 02 hidden checks: offsets of the cities, Osaka in the segment file, the short-lived cleanup policy."""
from pathlib import Path

from kafkalab.grading import exercise
from kafkalab.i18n import register

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
    },
})


@exercise("lab02.ex2", points=1, hidden=True)
def cities_offsets(ctx):
    found = [(p, o) for p, o, k, v in ctx.messages("cities") if k is None]
    ctx.expect(found == [(0, 0), (0, 1), (0, 2), (0, 3)], "lab02_hidden_offsets", found=found)
    return {"offsets": [o for _, o in found]}


@exercise("lab02.ex4", points=1, hidden=True)
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
