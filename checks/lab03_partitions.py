"""Lab 03 checks: animals with 3 partitions, keyed messages, the partition of each key, one partition from an offset."""
from collections import defaultdict

from kafkalab.grading import exercise
from kafkalab.i18n import register

SOUNDS = {"cat": ["meow", "purr", "hiss"], "dog": ["woof", "growl", "whine"], "cow": ["moo", "moo-moo", "mooo"]}

register({
    "lab03_topic_shape": {
        "en": "Topic 'animals' has {partitions} partition(s) and replication factor {rf}; expected 3 and 1.",
        "ru": "У топика 'animals' партиций: {partitions}, фактор репликации {rf}; нужно 3 и 1.",
    },
    "lab03_count": {
        "en": "`animals_partitions` is {given}, but the cluster reports {real}. Hint: len(ki.describe_topic(cluster, 'animals').partitions).",
        "ru": "`animals_partitions` равен {given}, а кластер сообщает {real}. Подсказка: len(ki.describe_topic(cluster, 'animals').partitions).",
    },
    "lab03_keyed": {
        "en": "The keyed messages in 'animals' are {found}; expected each sound of SOUNDS once with its animal as the key.",
        "ru": "Сообщения с ключами в 'animals': {found}; нужно по одному сообщению на каждый звук из SOUNDS с животным в качестве ключа.",
    },
    "lab03_key_split": {
        "en": "The messages with key '{key}' are in partitions {partitions}; one key should land in one partition. "
              "Hint: pass key=... to produce() and do not set partition=.",
        "ru": "Сообщения с ключом '{key}' лежат в партициях {partitions}; один ключ должен попадать в одну партицию. "
              "Подсказка: передайте key=... в produce() и не задавайте partition=.",
    },
    "lab03_key_order": {
        "en": "The sounds of '{key}' are stored as {found}; expected the order {want}.",
        "ru": "Звуки '{key}' сохранены как {found}; нужен порядок {want}.",
    },
    "lab03_partition_of": {
        "en": "`partition_of` is {given}, but the cluster keeps the keys in {real}. Hint: msg.partition() of each key.",
        "ru": "`partition_of` равен {given}, а кластер хранит ключи так: {real}. Подсказка: msg.partition() для каждого ключа.",
    },
    "lab03_from_offset": {
        "en": "`dog_from_1` is {given}, but partition {partition} from offset 1 holds {real}. Hint: assign "
              "TopicPartition('animals', partition, 1) and read to the end.",
        "ru": "`dog_from_1` равен {given}, а в партиции {partition} со смещения 1 лежит {real}. Подсказка: assign "
              "TopicPartition('animals', partition, 1) и читайте до конца.",
    },
    "lab03_zebra": {
        "en": "Messages 'zebra' found at {found} (partition, key); expected exactly one, in partition 2, without a key.",
        "ru": "Сообщения 'zebra' найдены в {found} (партиция, ключ); нужно ровно одно, в партиции 2, без ключа.",
    },
})


def by_key(ctx):
    keyed = [m for m in ctx.messages("animals") if m[2] is not None]
    groups = defaultdict(list)
    for partition, offset, key, value in keyed:
        groups[key].append((partition, offset, value))
    return keyed, groups


@exercise("lab03.ex1", points=2)
def animals_topic(ctx):
    info = ctx.topic("animals")
    ctx.expect(len(info.partitions) == 3 and info.replication_factor == 1, "lab03_topic_shape",
               partitions=len(info.partitions), rf=info.replication_factor)
    given = ctx.var("animals_partitions", int)
    ctx.expect(given == len(info.partitions), "lab03_count", given=given, real=len(info.partitions))
    return {"partitions": len(info.partitions), "leaders": info.leaders()}


@exercise("lab03.ex2", points=3)
def keyed_messages(ctx):
    keyed, groups = by_key(ctx)
    found = sorted((k, v) for _, _, k, v in keyed)
    want = sorted((k, v) for k, vs in SOUNDS.items() for v in vs)
    ctx.expect(found == want, "lab03_keyed", found=found)
    for key, rows in groups.items():
        partitions = sorted({p for p, _, _ in rows})
        ctx.expect(len(partitions) == 1, "lab03_key_split", key=key, partitions=partitions)
        values = [v for _, _, v in sorted(rows)]
        ctx.expect(values == SOUNDS[key], "lab03_key_order", key=key, found=values, want=SOUNDS[key])
    return {"partition_of": {k: rows[0][0] for k, rows in groups.items()}}


@exercise("lab03.ex3", points=3)
def partition_of_keys(ctx):
    _, groups = by_key(ctx)
    real = {k: rows[0][0] for k, rows in groups.items()}
    given = ctx.var("partition_of", dict)
    ctx.expect(real and dict(given) == real, "lab03_partition_of", given=given, real=real)
    return {"partition_of": real}


@exercise("lab03.ex4", points=3)
def one_partition_from_offset(ctx):
    _, groups = by_key(ctx)
    ctx.expect("dog" in groups, "lab03_keyed", found=sorted(groups))
    partition = groups["dog"][0][0]
    # the keyed messages of exercise 2; an unkeyed one added later (exercise 5) is not part of this read
    real = [v for p, o, k, v in ctx.messages("animals", partition=partition) if o >= 1 and k is not None]
    given = ctx.var("dog_from_1", list)
    ctx.expect(list(given) == real, "lab03_from_offset", given=given, partition=partition, real=real)
    return {"partition": partition, "values_from_offset_1": real}


@exercise("lab03.ex5", points=2)
def zebra(ctx):
    found = [(p, k) for p, o, k, v in ctx.messages("animals") if v == "zebra"]
    ctx.expect(found == [(2, None)], "lab03_zebra", found=found)
    return {"zebra": found}
