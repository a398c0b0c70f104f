"""Lab 02 checks: topic cities, messages produced and read, one message's fields, the segment file, retention;
a prediction of offsets after old messages are deleted (readings), a topic whose size limit refuses scans
(scans), a topic designed for per-chat order (chat)."""
from collections import Counter
from pathlib import Path

from kafkalab.grading import exercise
from kafkalab.i18n import register

CITIES = ["Moscow", "Paris", "Tokyo", "Berlin"]
# exercise 7: the notes the setup cell writes before the scans; a scan is "scan-i:" and 6000 hex digits
NOTES = ["note-0: call the bank", "note-1: sign the lease", "note-2: renew the passport"]
SCAN_BYTES = len("scan-0:") + 6000
# exercise 8: the lab's MESSAGES, (chat, text) in the order they were sent
CHATS = ["family", "work", "football", "book-club", "neighbours", "travel"]
MESSAGES = [(chat, f"{chat} #{n}") for n in range(1, 6) for chat in CHATS]
CHAT_RETENTION_MS = 3 * 24 * 3600 * 1000

register({
    "lab02_topic_shape": {
        "en": "Topic '{topic}' has {partitions} partition(s) and replication factor {rf}; expected {want_p} and {want_rf}.",
        "ru": "У топика '{topic}' партиций: {partitions}, фактор репликации {rf}; нужно {want_p} и {want_rf}.",
    },
    "lab02_leader": {
        "en": "`cities_leader` is {given}, but partition 0 of 'cities' is led by broker {real}. Hint: each partition "
              "has one leader, and the topic's description names it: the Leader: column of kafka-topics.sh "
              "--describe, or the partitions of ki.describe_topic.",
        "ru": "`cities_leader` равен {given}, а лидер партиции 0 топика 'cities' — брокер {real}. Подсказка: у каждой "
              "партиции один лидер, и описание топика его называет: столбец Leader: в kafka-topics.sh --describe "
              "или партиции в ki.describe_topic.",
    },
    "lab02_cities_stored": {
        "en": "The messages without a key in 'cities' are {found}; expected exactly {want}, in this order. Hint: if "
              "you sent extra ones, run the first cell again (a fresh cluster) and the exercises in order.",
        "ru": "Сообщения без ключа в 'cities': {found}; нужно ровно {want}, в этом порядке. Подсказка: если "
              "отправили лишнее, снова выполните первую ячейку (чистый кластер) и упражнения по порядку.",
    },
    "lab02_cities_read": {
        "en": "`cities_read` is {given}, but the topic holds {real}. Hint: Kafka hands values back as bytes, and one "
              "partition keeps the order of writing: keep the values in the order you read them, each turned into "
              "a string (bytes.decode()); skip polls that return nothing or an error.",
        "ru": "`cities_read` равен {given}, а в топике {real}. Подсказка: Kafka возвращает значения байтами, а одна "
              "партиция хранит порядок записи: сохраните значения в порядке чтения, превратив каждое в строку "
              "(bytes.decode()); пропускайте опросы, которые вернули ничего или ошибку.",
    },
    "lab02_no_osaka": {
        "en": "There is no message with key 'jp' and value 'Osaka' in 'cities'. Hint: the key is given by the producer "
              "when it sends, next to the value (produce has an argument for it); flush before you read it back.",
        "ru": "В 'cities' нет сообщения с ключом 'jp' и значением 'Osaka'. Подсказка: ключ задаёт продюсер при "
              "отправке, рядом со значением (у produce для него есть аргумент); вызовите flush, прежде чем читать.",
    },
    "lab02_osaka_field": {
        "en": "`osaka['{field}']` is {given!r}, but the broker stores {real!r}. Hint: take every field from the message "
              "the consumer returned, not from what you sent; key and value as strings, the timestamp as the "
              "number of milliseconds (the broker returns it with its type).",
        "ru": "`osaka['{field}']` равно {given!r}, а брокер хранит {real!r}. Подсказка: берите каждое поле из "
              "сообщения, которое вернул консьюмер, а не из отправленного; ключ и значение — строками, временную "
              "метку — числом миллисекунд (брокер возвращает её вместе с типом).",
    },
    "lab02_segment_path": {
        "en": "`segment_file` is '{given}', but the first segment of cities-0 is '{real}'. Hint: a partition's folder "
              "under the broker's log.dirs is named after the topic and the partition, and a segment after its first "
              "offset; the messages are in the .log file (cluster.data_dir gives log.dirs).",
        "ru": "`segment_file` равен '{given}', а первый сегмент cities-0 — '{real}'. Подсказка: папка партиции в "
              "log.dirs брокера называется по топику и номеру партиции, а сегмент — по первому смещению; сообщения "
              "лежат в файле .log (log.dirs даёт cluster.data_dir).",
    },
    "lab02_segment_content": {
        "en": "The segment file does not contain {missing}. Hint: produce the cities first (exercise 2).",
        "ru": "В файле сегмента нет {missing}. Подсказка: сначала запишите города (упражнение 2).",
    },
    "lab02_segment_size": {
        "en": "`segment_size` is {given}, but the file has {real} bytes now. Hint: the size is what the file system "
              "says about the file now (pathlib's stat), not the length of what you sent: the broker adds headers, "
              "and the file grows with every message written since.",
        "ru": "`segment_size` равен {given}, а в файле сейчас {real} байт. Подсказка: размер — то, что файловая "
              "система говорит о файле сейчас (stat из pathlib), а не длина отправленного: брокер добавляет "
              "заголовки, а файл растёт с каждым записанным с тех пор сообщением.",
    },
    "lab02_retention_days": {
        "en": "`default_retention_days` is {given}, but retention.ms of 'cities' is {ms} ms = {real} days. Hint: the "
              "cluster reports the value as a string of milliseconds (ki.topic_config); how many milliseconds are "
              "in a day?",
        "ru": "`default_retention_days` равен {given}, а retention.ms у 'cities' — {ms} мс = {real} дн. Подсказка: "
              "кластер сообщает значение строкой с числом миллисекунд (ki.topic_config); сколько миллисекунд в "
              "сутках?",
    },
    "lab02_short_lived": {
        "en": "Topic 'short-lived' has retention.ms={given}; expected 60000. Hint: retention is a topic setting in "
              "milliseconds; give it when you create the topic (kafka-topics.sh --create has an option for topic "
              "settings), or change it in place with kafka-configs.sh --alter.",
        "ru": "У топика 'short-lived' retention.ms={given}; нужно 60000. Подсказка: срок хранения — настройка топика в "
              "миллисекундах; задайте её при создании (у kafka-topics.sh --create есть опция для настроек топика) "
              "или поменяйте на месте через kafka-configs.sh --alter.",
    },    "lab02_readings_missing": {
        "en": "'readings' holds {found}; the experiment leaves r-5 ... r-9 there. Run the experiment cell (after "
              "your prediction), then check again; to start over, run the first cell again (a clean cluster).",
        "ru": "В 'readings' лежит {found}, а эксперимент оставляет там r-5 ... r-9. Выполните ячейку "
              "эксперимента (после своего предсказания) и проверьте снова; чтобы начать сначала, снова "
              "выполните первую ячейку (чистый кластер).",
    },
    "lab02_predict_first_offset": {
        "en": "prediction['first_offset'] is {given!r}, but a consumer reading 'readings' from the beginning gets "
              "offset {real} first. Hint: deleting old messages moves where the log begins; \"from the "
              "beginning\" starts there.",
        "ru": "prediction['first_offset'] равно {given!r}, а консьюмер, читающий 'readings' с начала, первым "
              "получает смещение {real}. Подсказка: удаление старых сообщений сдвигает начало лога; «с начала» "
              "значит оттуда.",
    },
    "lab02_predict_offset_of_r9": {
        "en": "prediction['offset_of_r9'] is {given!r}, but 'r-9' is at offset {real}. Hint: a message gets its "
              "offset once, when it is appended: the next offset after the last one ever written, whatever was "
              "deleted since.",
        "ru": "prediction['offset_of_r9'] равно {given!r}, а 'r-9' лежит на смещении {real}. Подсказка: "
              "сообщение получает смещение один раз, при добавлении: следующее за последним когда-либо "
              "записанным, что бы с тех пор ни удалили.",
    },
    "lab02_predict_messages_left": {
        "en": "prediction['messages_left'] is {given!r}, but 'readings' holds {real} messages. Hint: the messages "
              "from the new start offset up to the end offset stay.",
        "ru": "prediction['messages_left'] равно {given!r}, а в 'readings' сообщений: {real}. Подсказка: "
              "остаются сообщения от нового начального смещения до конечного.",
    },
    "lab02_scans_diagnosis": {
        "en": "diagnosis = {found} does not name the setting at fault. Hint: describe the topic's config "
              "(kafka-configs.sh --describe --entity-type topics --entity-name scans) and compare its size limit "
              "with a scan; name that setting as Kafka spells it.",
        "ru": "diagnosis = {found} не называет виноватую настройку. Подсказка: посмотрите конфигурацию топика "
              "(kafka-configs.sh --describe --entity-type topics --entity-name scans) и сравните ограничение "
              "размера с размером скана; назовите эту настройку так, как её пишет Kafka.",
    },
    "lab02_scans_recreated": {
        "en": "The notes written before the fix are gone from 'scans' (missing: {missing}): the topic was deleted "
              "and created again. Hint: change the topic's config in place (kafka-configs.sh --alter "
              "--entity-type topics --entity-name scans --add-config ...); run the first cell again to start "
              "over.",
        "ru": "Записок, отправленных до исправления, в 'scans' больше нет (не хватает: {missing}): топик удалили и "
              "создали заново. Подсказка: меняйте конфигурацию топика на месте (kafka-configs.sh --alter "
              "--entity-type topics --entity-name scans --add-config ...); чтобы начать сначала, снова "
              "выполните первую ячейку.",
    },
    "lab02_scans_limit": {
        "en": "'scans' has max.message.bytes={found}, but a scan takes about {size} bytes: the broker still "
              "refuses it. Hint: the limit is the topic's; raising the producer's own limit (message.max.bytes) "
              "does not change what the broker accepts.",
        "ru": "У 'scans' max.message.bytes={found}, а скан занимает около {size} байт: брокер по-прежнему его "
              "отклоняет. Подсказка: ограничение задаёт топик; если поднять собственный предел продюсера "
              "(message.max.bytes), брокер не станет принимать больше.",
    },
    "lab02_scans_missing": {
        "en": "The cluster stores {found} of the 3 scans; missing: {missing}. Hint: after the fix, write them "
              "again (a refused write is not retried) and flush; the broker applies a config change within a "
              "second or so, and the limit counts a whole batch, which may hold several scans.",
        "ru": "В кластере {found} из 3 сканов; не хватает: {missing}. Подсказка: после исправления запишите их "
              "снова (отклонённая запись не повторяется) и вызовите flush; брокер применяет изменение "
              "конфигурации примерно за секунду, а ограничение считается для целого батча, в котором может "
              "быть несколько сканов.",
    },
    "lab02_chat_partitions": {
        "en": "Topic 'chat' has {partitions} partition(s): in a group each partition is read by one consumer, so "
              "3 consumers need at least 3. Hint: a topic cannot lose partitions; delete it or run the first "
              "cell again, and create it with --partitions.",
        "ru": "У топика 'chat' партиций: {partitions}: в группе каждую партицию читает один консьюмер, поэтому "
              "3 консьюмерам нужно хотя бы 3. Подсказка: партиции нельзя убрать; удалите топик или снова "
              "выполните первую ячейку и создайте его с --partitions.",
    },
    "lab02_chat_retention": {
        "en": "Topic 'chat' has retention.ms={found}; 3 days is {want} ms. Hint: retention.ms counts "
              "milliseconds; kafka-configs.sh --alter --entity-type topics --entity-name chat --add-config "
              "retention.ms=... changes it in place.",
        "ru": "У топика 'chat' retention.ms={found}, а 3 дня — это {want} мс. Подсказка: retention.ms считается "
              "в миллисекундах; kafka-configs.sh --alter --entity-type topics --entity-name chat --add-config "
              "retention.ms=... меняет его на месте.",
    },
    "lab02_chat_set": {
        "en": "'chat' holds {count} message(s); expected each text of MESSAGES once, as the value. Missing: "
              "{missing}; extra or repeated: {extra}. If you sent twice, run the first cell again (a clean "
              "cluster).",
        "ru": "В 'chat' сообщений: {count}; нужно по одному сообщению на каждый текст из MESSAGES, текст — "
              "значение. Не хватает: {missing}; лишние или повторные: {extra}. Если отправили дважды, снова "
              "выполните первую ячейку (чистый кластер).",
    },
    "lab02_chat_split": {
        "en": "The messages of chat '{chat}' are in partitions {partitions}: Kafka keeps order only inside one "
              "partition, so they may be read out of order. Hint: the key decides the partition (the same key, "
              "the same partition); choose a key that is the same for all messages of a chat.",
        "ru": "Сообщения чата '{chat}' лежат в партициях {partitions}: Kafka сохраняет порядок только внутри "
              "одной партиции, так что их могут прочитать не по порядку. Подсказка: партицию выбирает ключ "
              "(тот же ключ — та же партиция); выберите ключ, одинаковый для всех сообщений чата.",
    },
    "lab02_chat_order": {
        "en": "The messages of chat '{chat}' are stored as {found}, but were sent as {want}. Hint: a partition "
              "keeps the order of sending; send them one by one in the order of MESSAGES.",
        "ru": "Сообщения чата '{chat}' сохранены как {found}, а отправлены в порядке {want}. Подсказка: партиция "
              "хранит порядок отправки; отправляйте их по одному в порядке MESSAGES.",
    },
    "lab02_chat_one_partition": {
        "en": "All messages are in partition {partition} of {partitions}: the order holds, but one consumer would "
              "read everything and the others idle. Hint: a key that differs from chat to chat spreads the "
              "chats while keeping each in one partition.",
        "ru": "Все сообщения лежат в партиции {partition} из {partitions}: порядок сохранён, но всё прочитает "
              "один консьюмер, а остальные будут простаивать. Подсказка: ключ, свой у каждого чата, разносит "
              "чаты по партициям и при этом держит каждый в одной.",
    },
})


def shape(ctx, topic, partitions, rf):
    info = ctx.topic(topic)
    ctx.expect(len(info.partitions) == partitions and info.replication_factor == rf, "lab02_topic_shape",
               topic=topic, partitions=len(info.partitions), rf=info.replication_factor, want_p=partitions, want_rf=rf)
    return info


@exercise("lab02.ex1", points=2)
def cities_topic(ctx):
    info = shape(ctx, "cities", 1, 1)
    leader = info.partitions[0].leader
    given = ctx.var("cities_leader", int)
    ctx.expect(given == leader, "lab02_leader", given=given, real=leader)
    return {"partitions": len(info.partitions), "replication_factor": info.replication_factor,
            "leader": info.partitions[0].leader}


@exercise("lab02.ex2", points=3)
def cities_messages(ctx):
    real = [m[3] for m in ctx.messages("cities") if m[2] is None]
    ctx.expect(real == CITIES, "lab02_cities_stored", found=real, want=CITIES)
    given = ctx.var("cities_read", list)
    ctx.expect(list(given) == real, "lab02_cities_read", given=given, real=real)
    return {"stored": real}


@exercise("lab02.ex3", points=3)
def osaka_fields(ctx):
    found = [r for r in ctx.records("cities") if r["key"] == "jp" and r["value"] == "Osaka"]
    ctx.expect(found, "lab02_no_osaka")
    given = ctx.var("osaka", dict)
    real = found[0]
    for field in ("partition", "offset", "key", "value", "timestamp"):
        ctx.expect(given.get(field) == real[field], "lab02_osaka_field", field=field, given=given.get(field),
                   real=real[field])
    return {"osaka": real}


@exercise("lab02.ex4", points=3, nodes=True)
def segment_file(ctx):
    folder = Path(ctx.cluster.data_dir("broker-0")) / "cities-0"
    real = folder / ("0" * 20 + ".log")
    given = Path(ctx.var("segment_file", (str, Path)))
    ctx.expect(given.exists() and given.resolve() == real.resolve(), "lab02_segment_path", given=given, real=real)
    data = real.read_bytes()
    missing = [c for c in CITIES if c.encode() not in data]
    ctx.expect(not missing, "lab02_segment_content", missing=missing)
    size = ctx.var("segment_size", int)
    ctx.expect(size == len(data), "lab02_segment_size", given=size, real=len(data))
    return {"segment_file": str(real), "bytes": len(data)}


@exercise("lab02.ex5", points=3)
def retention(ctx):
    ms = int(ctx.inspect.topic_config(ctx.cluster, "cities")["retention.ms"])
    days = ms / 86_400_000
    given = ctx.var("default_retention_days", (int, float))
    ctx.expect(abs(given - days) < 1e-9, "lab02_retention_days", given=given, ms=ms, real=days)
    info = shape(ctx, "short-lived", 1, 1)
    value = info.config.get("retention.ms")
    ctx.expect(value == "60000", "lab02_short_lived", given=value)
    return {"cities_retention_ms": ms, "short-lived_retention_ms": value}


def _answer(value):
    """A prediction item as the check compares it: numbers written as text become int."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return value


@exercise("lab02.ex6", points=3)
def offsets_prediction(ctx):
    stored = ctx.messages("readings")
    values = [v for _, _, _, v in stored]
    ctx.expect(values and values[-1] == "r-9" and "r-4" not in values, "lab02_readings_missing", found=values)
    real = {"first_offset": stored[0][1], "offset_of_r9": next(o for _, o, _, v in stored if v == "r-9"),
            "messages_left": len(stored)}
    given = ctx.var("prediction", dict)
    for item, want in real.items():
        guess = given.get(item)
        ctx.expect(_answer(guess) == want, f"lab02_predict_{item}", given=guess, real=want)
    return {"prediction": real, "start_offset": ctx.inspect.start_offsets(ctx.cluster, "readings")[0],
            "end_offset": ctx.inspect.end_offsets(ctx.cluster, "readings")[0]}


@exercise("lab02.ex7", points=3)
def scans_fixed(ctx):
    diagnosis = ctx.var("diagnosis", str)
    ctx.expect("max.message.bytes" in diagnosis.lower(), "lab02_scans_diagnosis", found=repr(diagnosis[:120]))
    info = ctx.topic("scans")
    stored = [v for _, _, _, v in ctx.messages("scans")]
    missing = [note for note in NOTES if note not in stored]
    ctx.expect(not missing, "lab02_scans_recreated", missing=missing)
    limit = int(info.config.get("max.message.bytes", "0"))
    ctx.expect(limit >= SCAN_BYTES, "lab02_scans_limit", found=limit, size=SCAN_BYTES)
    scans = sorted({v.split(":")[0] for v in stored if v.startswith("scan-")})
    want = [f"scan-{i}" for i in range(3)]
    ctx.expect(scans == want, "lab02_scans_missing", found=len(scans), missing=sorted(set(want) - set(scans)))
    return {"max.message.bytes": limit, "scans": scans, "notes": len(NOTES)}


def chat_of(text: str) -> str:
    return text.rsplit(" #", 1)[0]


@exercise("lab02.ex8", points=3)
def chat_design(ctx):
    info = ctx.topic("chat")
    partitions = len(info.partitions)
    ctx.expect(partitions >= 3, "lab02_chat_partitions", partitions=partitions)
    retention = info.config.get("retention.ms")
    ctx.expect(retention == str(CHAT_RETENTION_MS), "lab02_chat_retention", found=retention, want=CHAT_RETENTION_MS)
    stored = ctx.messages("chat")
    found, want = Counter(v for _, _, _, v in stored), Counter(text for _, text in MESSAGES)
    ctx.expect(found == want, "lab02_chat_set", count=len(stored), missing=sorted((want - found).elements())[:5],
               extra=sorted((found - want).elements(), key=str)[:5])
    partition_of = ctx.keyed_in_order(stored, lambda text: (chat_of(text), text), MESSAGES, "lab02_chat_split",
                                      "lab02_chat_order", "chat")
    used = sorted({p for p, _, _, _ in stored})
    ctx.expect(len(used) > 1, "lab02_chat_one_partition", partition=used[0], partitions=partitions)
    return {"partitions": partitions, "retention.ms": retention, "partitions_used": used,
            "partition_of_chat": partition_of}
