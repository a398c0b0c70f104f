"""Lab 03 checks: animals with 3 partitions, keyed messages, the partition of each key, one partition from an offset;
a prediction of where keyed messages land (sightings), a topic designed for per-customer order (orders), and a
diagnosis: a group of 4 consumers on a topic of 2 partitions, fixed in place (clicks)."""
from collections import Counter, defaultdict

from kafkalab.grading import exercise
from kafkalab.i18n import register

SOUNDS = {"cat": ["meow", "purr", "hiss"], "dog": ["woof", "growl", "whine"], "cow": ["moo", "moo-moo", "mooo"]}
SIGHTINGS = ("cat", "dog", "cow")  # exercise 6: the keys the given cell sends, 30 messages each
# exercise 8: the group the given cell runs, and the clicks it writes into 'clicks' before the fix
CLICKS_GROUP = "clicks-readers"
CLICKS_CONSUMERS = 4
OLD_CLICKS = [f"click-{i:02d}" for i in range(40)]
# exercise 7: the lab's ORDERS, (order id, customer) in the order they were placed
ORDERS = [
    ("o01", "ben"), ("o02", "zoe"), ("o03", "ivan"), ("o04", "kate"), ("o05", "kate"),
    ("o06", "ivan"), ("o07", "yana"), ("o08", "leo"), ("o09", "ben"), ("o10", "ivan"),
    ("o11", "zoe"), ("o12", "ann"), ("o13", "oleg"), ("o14", "ivan"), ("o15", "zoe"),
    ("o16", "kate"), ("o17", "leo"), ("o18", "yana"), ("o19", "oleg"), ("o20", "leo"),
    ("o21", "kate"), ("o22", "yana"), ("o23", "ben"), ("o24", "oleg"), ("o25", "zoe"),
    ("o26", "ivan"), ("o27", "ann"), ("o28", "ann"), ("o29", "yana"), ("o30", "kate"),
    ("o31", "oleg"), ("o32", "zoe"), ("o33", "leo"), ("o34", "ben"), ("o35", "yana"),
    ("o36", "ann"), ("o37", "ann"), ("o38", "oleg"), ("o39", "ben"), ("o40", "leo"),
]

register({
    "lab03_topic_shape": {
        "en": "Topic 'animals' has {partitions} partition(s) and replication factor {rf}; expected 3 and 1.",
        "ru": "У топика 'animals' партиций: {partitions}, фактор репликации {rf}; нужно 3 и 1.",
    },
    "lab03_count": {
        "en": "`animals_partitions` is {given}, but the cluster reports {real}. Hint: count the partitions the "
              "topic's description lists, as the cluster reports them now (PartitionCount of kafka-topics.sh "
              "--describe, or the partitions of ki.describe_topic).",
        "ru": "`animals_partitions` равен {given}, а кластер сообщает {real}. Подсказка: посчитайте партиции, которые "
              "перечисляет описание топика, так, как кластер сообщает их сейчас (PartitionCount в kafka-topics.sh "
              "--describe или партиции в ki.describe_topic).",
    },
    "lab03_keyed": {
        "en": "The keyed messages in 'animals' are {found}; expected each sound of SOUNDS once with its animal as the "
              "key. Hint: the key is the animal, the value is the sound; if you sent twice, run the first cell "
              "again (a clean cluster) and the exercises in order.",
        "ru": "Сообщения с ключами в 'animals': {found}; нужно по одному сообщению на каждый звук из SOUNDS с животным "
              "в качестве ключа. Подсказка: ключ — животное, значение — звук; если отправили дважды, снова "
              "выполните первую ячейку (чистый кластер) и упражнения по порядку.",
    },
    "lab03_key_split": {
        "en": "The messages with key '{key}' are in partitions {partitions}; one key should land in one partition. "
              "Hint: only the partitioner keeps a key in one partition, by hashing it; give produce() the key and "
              "let the producer choose, without naming a partition yourself.",
        "ru": "Сообщения с ключом '{key}' лежат в партициях {partitions}; один ключ должен попадать в одну партицию. "
              "Подсказка: держит ключ в одной партиции только партиционер, хешируя его; передайте produce() ключ "
              "и дайте продюсеру выбрать, не называя партицию самим.",
    },
    "lab03_key_order": {
        "en": "The sounds of '{key}' are stored as {found}; expected the order {want}. Hint: a partition keeps the "
              "order of sending: send the sounds one by one, in the order of each list.",
        "ru": "Звуки '{key}' сохранены как {found}; нужен порядок {want}. Подсказка: партиция хранит порядок "
              "отправки: отправляйте звуки по одному, в порядке каждого списка.",
    },
    "lab03_partition_of": {
        "en": "`partition_of` is {given}, but the cluster keeps the keys in {real}. Hint: do not compute the hash: read "
              "the messages back, and each one tells its partition and its key (msg.partition(), msg.key() as "
              "bytes).",
        "ru": "`partition_of` равен {given}, а кластер хранит ключи так: {real}. Подсказка: не вычисляйте хеш: "
              "прочитайте сообщения, и каждое скажет свою партицию и свой ключ (msg.partition(), msg.key() в "
              "байтах).",
    },
    "lab03_from_offset": {
        "en": "`dog_from_1` is {given}, but partition {partition} from offset 1 holds {real}. Hint: take that one "
              "partition yourself, starting at offset 1, instead of subscribing, and read until its end offset "
              "(assign() with a TopicPartition that carries the offset; ki.end_offsets).",
        "ru": "`dog_from_1` равен {given}, а в партиции {partition} со смещения 1 лежит {real}. Подсказка: возьмите "
              "эту одну партицию сами, начиная со смещения 1, вместо подписки, и читайте до её конечного смещения "
              "(assign() с TopicPartition, несущим смещение; ki.end_offsets).",
    },
    "lab03_zebra": {
        "en": "Messages 'zebra' found at {found} (partition, key); expected exactly one, in partition 2, without a key. "
              "Hint: a partition named by the producer wins over the partitioner (produce has an argument for it); "
              "if you sent more than one, run the first cell again (a clean cluster) and the exercises in order.",
        "ru": "Сообщения 'zebra' найдены в {found} (партиция, ключ); нужно ровно одно, в партиции 2, без ключа. "
              "Подсказка: партиция, названная продюсером, важнее партиционера (у produce есть для неё аргумент); "
              "если отправили больше одного, снова выполните первую ячейку (чистый кластер) и упражнения по "
              "порядку.",
    },
    "lab03_sightings_shape": {
        "en": "Topic 'sightings' has {partitions} partition(s); the given cell creates it with 3. Run the first cell "
              "again (a clean cluster), then the lab's cells in order, without changing the cell that sends.",
        "ru": "У топика 'sightings' партиций: {partitions}, а данная ячейка создаёт его с 3. Запустите первую ячейку "
              "заново (чистый кластер), затем ячейки лабораторной по порядку, не меняя ячейку, которая отправляет.",
    },
    "lab03_sightings_missing": {
        "en": "'sightings' holds messages with the keys {found}; the given cell sends 30 with each of 'cat', 'dog' "
              "and 'cow'. Run the cell that sends (after your prediction), then check again.",
        "ru": "В 'sightings' есть сообщения с ключами {found}, а данная ячейка отправляет по 30 с каждым из 'cat', "
              "'dog' и 'cow'. Запустите ячейку, которая отправляет (после своего предсказания), и проверьте снова.",
    },
    "lab03_predict_cat_partitions": {
        "en": "prediction['cat_partitions'] is {given!r}, but the 30 'cat' messages occupy {real} partition(s) of "
              "'sightings'. Hint: a keyed message goes to hash(key) mod the number of partitions; what does that "
              "give for one and the same key, sent 30 times?",
        "ru": "prediction['cat_partitions'] равно {given!r}, а 30 сообщений 'cat' заняли в 'sightings' партиций: "
              "{real}. Подсказка: сообщение с ключом попадает в партицию hash(key) mod число партиций; что это даёт "
              "для одного и того же ключа, отправленного 30 раз?",
    },
    "lab03_predict_cat_dog_together": {
        "en": "prediction['cat_dog_together'] is {given!r}, but the cluster says {real!r}. Hint: this can be told "
              "in advance. hash(key) mod N depends only on the key and the number of partitions, not on the topic; "
              "'sightings' has 3 partitions, as 'animals' has, and exercise 3 showed where 'cat' and 'dog' go there.",
        "ru": "prediction['cat_dog_together'] равно {given!r}, а кластер говорит {real!r}. Подсказка: это можно "
              "сказать заранее. hash(key) mod N зависит только от ключа и числа партиций, а не от топика; у "
              "'sightings' 3 партиции, как у 'animals', а упражнение 3 показало, куда там попадают 'cat' и 'dog'.",
    },
    "lab03_predict_cow_partition": {
        "en": "prediction['cow_partition'] is {given!r}, but the 'cow' messages are in partition {real}. Hint: the "
              "same key and the same number of partitions give the same partition as in 'animals' (`partition_of` "
              "of exercise 3).",
        "ru": "prediction['cow_partition'] равно {given!r}, а сообщения 'cow' лежат в партиции {real}. Подсказка: "
              "тот же ключ и то же число партиций дают ту же партицию, что и в 'animals' (`partition_of` из "
              "упражнения 3).",
    },
    "lab03_orders_partitions": {
        "en": "Topic 'orders' has {partitions} partition(s). Hint: within one group each partition is read by one "
              "consumer, so 4 consumers can all work only when there are at least 4 partitions (--partitions).",
        "ru": "У топика 'orders' партиций: {partitions}. Подсказка: в одной группе каждую партицию читает один "
              "консьюмер, поэтому работать смогут все 4 консьюмера, только если партиций не меньше 4 (--partitions).",
    },
    "lab03_orders_set": {
        "en": "'orders' holds {count} message(s); expected each order id of ORDERS once, as the value. Missing: "
              "{missing}; extra or repeated: {extra}. Run the first cell again for a clean cluster if you sent twice.",
        "ru": "В 'orders' сообщений: {count}; нужно по одному сообщению на каждый номер заказа из ORDERS, номер — "
              "значение. Не хватает: {missing}; лишние или повторные: {extra}. Если отправили дважды, запустите "
              "первую ячейку заново (чистый кластер).",
    },
    "lab03_orders_split": {
        "en": "The orders of '{customer}' are in partitions {partitions}: Kafka keeps order only inside one "
              "partition, so consumers may read them out of order. Hint: one customer's orders must land in one "
              "partition, and the key decides the partition (the same key, the same partition): key each order by "
              "its customer.",
        "ru": "Заказы '{customer}' лежат в партициях {partitions}: Kafka сохраняет порядок только внутри одной "
              "партиции, так что консьюмеры могут прочитать их не по порядку. Подсказка: заказы одного покупателя "
              "должны попасть в одну партицию, а партицию выбирает ключ (тот же ключ — та же партиция): сделайте "
              "ключом заказа его покупателя.",
    },
    "lab03_orders_order": {
        "en": "The orders of '{customer}' are stored as {found}, but were placed as {want}. Hint: a partition keeps "
              "the order of sending; send the orders one by one in the order of ORDERS.",
        "ru": "Заказы '{customer}' сохранены как {found}, а сделаны в порядке {want}. Подсказка: партиция хранит "
              "порядок отправки; отправляйте заказы по одному в порядке ORDERS.",
    },
    "lab03_orders_one_partition": {
        "en": "All orders are in partition {partition} of {partitions}: the order holds, but one consumer of the "
              "group would do all the work and the others would idle. Hint: customers must be spread over "
              "partitions while each stays in one: a key that differs from customer to customer does both.",
        "ru": "Все заказы лежат в партиции {partition} из {partitions}: порядок сохранён, но всю работу сделает "
              "один консьюмер группы, а остальные будут простаивать. Подсказка: покупателей нужно разложить по "
              "партициям, и при этом каждый должен остаться в одной: это делает ключ, свой у каждого покупателя.",
    },
    "lab03_clicks_diagnosis": {
        "en": "diagnosis = {found} does not say what is wrong. Hint: compare how many partitions 'clicks' has "
              "with how many consumers 'clicks-readers' runs, and say it in words that name both: the partitions "
              "and the consumers.",
        "ru": "diagnosis = {found} не говорит, в чём ошибка. Подсказка: сравните, сколько партиций у 'clicks' и "
              "сколько консьюмеров работает в 'clicks-readers', и скажите об этом словами, которые называют и "
              "то и другое: партиции и консьюмеров.",
    },
    "lab03_clicks_recreated": {
        "en": "Topic 'clicks' has the id {found}, but it had {expected} when the given cell created it: it was "
              "deleted and created again, and the clicks written before are gone. Hint: change the topic in "
              "place (kafka-topics.sh --alter); to start over, run the first cell again (a clean cluster), then "
              "the lab's cells in order.",
        "ru": "У топика 'clicks' id {found}, а когда его создала данная ячейка, был {expected}: топик удалили и "
              "создали заново, и записанные раньше клики пропали. Подсказка: меняйте топик на месте "
              "(kafka-topics.sh --alter); чтобы начать сначала, запустите первую ячейку заново (чистый "
              "кластер), затем ячейки лабораторной по порядку.",
    },
    "lab03_clicks_partitions": {
        "en": "Topic 'clicks' has {partitions} partition(s) for a group of 4 consumers: within one group each "
              "partition is read by exactly one consumer, so {idle} of them get nothing. Hint: a topic can get "
              "more partitions in place (kafka-topics.sh --alter --partitions N, N the new total).",
        "ru": "У топика 'clicks' партиций: {partitions}, а в группе 4 консьюмера: внутри одной группы каждую "
              "партицию читает ровно один консьюмер, так что консьюмерам ({idle}) ничего не достаётся. "
              "Подсказка: партиций у топика можно сделать больше на месте (kafka-topics.sh --alter --partitions "
              "N, N — новое общее число).",
    },
    "lab03_clicks_members": {
        "en": "Group 'clicks-readers' has {members} live member(s) on 'clicks'; expected the 4 consumers of your "
              "proof. Hint: start 4 consumers in 'clicks-readers', subscribe them to 'clicks', poll them until "
              "each owns a partition, and keep them open until the check has run (a consumer that has not polled "
              "for max.poll.interval.ms, 5 minutes, leaves the group: run your proof again).",
        "ru": "В группе 'clicks-readers' живых участников на 'clicks': {members}; нужно 4 консьюмера вашего "
              "доказательства. Подсказка: запустите 4 консьюмера в 'clicks-readers', подпишите их на 'clicks', "
              "опрашивайте, пока каждый не получит партицию, и не закрывайте их до проверки (консьюмер, который "
              "не опрашивал кластер max.poll.interval.ms, 5 минут, выходит из группы: выполните доказательство "
              "ещё раз).",
    },
    "lab03_clicks_idle": {
        "en": "{idle} of the {members} members of 'clicks-readers' own no partition of 'clicks' ({partitions} "
              "partitions). Hint: a group with more members than the topic has partitions leaves the extra "
              "members idle; consumers of an earlier run that are still open are members too (close them). Poll "
              "the consumers until the group has settled: a member that has just joined owns nothing yet.",
        "ru": "Из {members} участников 'clicks-readers' без партиций 'clicks' ({partitions} партиций): {idle}. "
              "Подсказка: если участников в группе больше, чем партиций у топика, лишние простаивают; "
              "консьюмеры прошлого запуска, которые ещё открыты, тоже участники (закройте их). Опрашивайте "
              "консьюмеры, пока группа не устоится: только что вошедший участник ещё ничем не владеет.",
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


def _answer(value):
    """A prediction item as the check compares it: numbers as int, words lower-case, yes/no also as bool or in ru."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        word = value.strip().lower().replace("’", "'")
        if word.lstrip("-").isdigit():
            return int(word)
        return {"да": "yes", "нет": "no", "нельзя сказать": "can't tell", "cant tell": "can't tell"}.get(word, word)
    return value


@exercise("lab03.ex6", points=3)
def prediction(ctx):
    info = ctx.topic("sightings")
    ctx.expect(len(info.partitions) == 3, "lab03_sightings_shape", partitions=len(info.partitions))
    placed = defaultdict(set)
    for partition, _, key, _ in ctx.messages("sightings"):
        placed[key].add(partition)
    ctx.expect(all(key in placed for key in SIGHTINGS), "lab03_sightings_missing", found=sorted(placed, key=str))
    real = {"cat_partitions": len(placed["cat"]),
            "cat_dog_together": "yes" if placed["cat"] & placed["dog"] else "no",
            "cow_partition": min(placed["cow"]) if len(placed["cow"]) == 1 else sorted(placed["cow"])}
    given = ctx.var("prediction", dict)
    for item, want in real.items():
        guess = given.get(item)
        ctx.expect(_answer(guess) == want, f"lab03_predict_{item}", given=guess, real=want)
    return {"prediction": real, "partitions_of_keys": {k: sorted(v) for k, v in placed.items()}}


@exercise("lab03.ex7", points=3)
def orders_design(ctx):
    info = ctx.topic("orders")
    partitions = len(info.partitions)
    ctx.expect(partitions >= 4, "lab03_orders_partitions", partitions=partitions)
    stored = ctx.messages("orders")
    found, want = Counter(v for _, _, _, v in stored), Counter(order for order, _ in ORDERS)
    ctx.expect(found == want, "lab03_orders_set", count=len(stored), missing=sorted((want - found).elements()),
               extra=sorted((found - want).elements(), key=str))
    customer_of = dict(ORDERS)
    partition_of = ctx.keyed_in_order(stored, lambda order: (customer_of[order], order), [(c, o) for o, c in ORDERS],
                                      "lab03_orders_split", "lab03_orders_order", "customer")
    used = sorted({p for p, _, _, _ in stored})
    ctx.expect(len(used) > 1, "lab03_orders_one_partition", partition=used[0], partitions=partitions)
    return {"partitions": partitions, "replication_factor": info.replication_factor, "partitions_used": used,
            "partition_of_customer": dict(sorted(partition_of.items()))}


def plain_id(text: str) -> str:
    """A topic id as kafka-topics.sh prints it (URL-safe base64; librdkafka prints the standard one)."""
    return text.strip().replace("+", "-").replace("/", "_").rstrip("=")


def topic_id(ctx, topic: str) -> str:
    """The id of `topic` as the cluster reports it now (a topic deleted and created again has a new one)."""
    from confluent_kafka import TopicCollection

    from kafkalab import namespace

    name = namespace.name(topic, ctx.cluster)
    futures = ctx.inspect.admin(ctx.cluster).describe_topics(TopicCollection([name]), request_timeout=10)
    return plain_id(str(futures[name].result(timeout=15).topic_id))


def _names_both(text: str) -> bool:
    """The diagnosis speaks of partitions and of consumers (en or ru)."""
    text = text.lower()
    return any(w in text for w in ("partition", "партиц")) and any(w in text for w in ("consumer", "консьюмер"))


@exercise("lab03.ex8", points=3)
def clicks_fixed(ctx):
    diagnosis = ctx.var("diagnosis", str)
    ctx.expect(_names_both(diagnosis), "lab03_clicks_diagnosis", found=repr(diagnosis[:120]))
    partitions = len(ctx.topic("clicks", with_config=False).partitions)
    stored_id, found_id = plain_id(ctx.var("clicks_id", str)), topic_id(ctx, "clicks")
    ctx.expect(found_id == stored_id, "lab03_clicks_recreated", found=found_id, expected=stored_id)
    ctx.expect(partitions >= CLICKS_CONSUMERS, "lab03_clicks_partitions", partitions=partitions,
               idle=CLICKS_CONSUMERS - partitions)
    group = ctx.group(CLICKS_GROUP)
    owned = {m: sorted(p for t, p in parts if t == "clicks") for m, parts in group.members.items()}
    ctx.expect(len(owned) >= CLICKS_CONSUMERS, "lab03_clicks_members", members=len(owned))
    idle = sum(1 for parts in owned.values() if not parts)
    ctx.expect(not idle, "lab03_clicks_idle", idle=idle, members=len(owned), partitions=partitions)
    return {"topic_id": found_id, "partitions": partitions, "state": group.state,
            "partitions_per_member": sorted(len(parts) for parts in owned.values())}
