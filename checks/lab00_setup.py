"""Lab 00 checks: the broker as the cluster reports it, its config, data folder, server.log, first topic;
a prediction of what a group reads with --from-beginning (notes), orders that a typo sent to an auto-created
topic (orders), a topic designed for sensors (sensors)."""
from collections import Counter
from pathlib import Path

from kafkalab.grading import exercise
from kafkalab.i18n import register

# exercise 6: the notes the experiment writes, 4 before the first run and 2 before the second
NOTES = [f"n-{i}" for i in range(6)]
FIRST_BATCH = 4
# exercise 7: the colleague's orders (key, value) and the retention `orders` was created with
ORDERS = [("customer-7", "order-1: 2 books"), ("customer-3", "order-2: a lamp"), ("customer-7", "order-3: a pen")]
ORDERS_RETENTION_MS = 14 * 24 * 3600 * 1000
# exercise 8: the lab's READINGS, (sensor, text) in the order they were sent, and the disk budget
SENSORS = ["boiler", "fridge", "garage", "attic", "porch", "cellar"]
READINGS = [(sensor, f"{sensor} t={20 + n}") for n in range(4) for sensor in SENSORS]
DISK_BUDGET = 64 * 1024 * 1024

register({
    "lab00_broker_id": {
        "en": "`broker_id` is {given}, but the cluster's broker has id {real}. Hint: take `.id` from ki.brokers(cluster).",
        "ru": "`broker_id` равен {given}, а у брокера кластера id {real}. Подсказка: возьмите `.id` из ki.brokers(cluster).",
    },
    "lab00_broker_address": {
        "en": "`broker_address` is '{given}', but the broker answers at '{real}'. Hint: f\"{{b.host}}:{{b.port}}\" of ki.brokers(cluster)[0].",
        "ru": "`broker_address` равен '{given}', а брокер отвечает по адресу '{real}'. Подсказка: f\"{{b.host}}:{{b.port}}\" из ki.brokers(cluster)[0].",
    },
    "lab00_config_key": {
        "en": "`broker_config['{key}']` is {given!r}, but the config file says {real!r}. Hint: split each line at the first '='.",
        "ru": "`broker_config['{key}']` равно {given!r}, а в конфиге {real!r}. Подсказка: делите каждую строку по первому '='.",
    },
    "lab00_log_dirs": {
        "en": "`log_dirs` is '{given}', but the broker keeps its data in '{real}'. Hint: it is the value of log.dirs.",
        "ru": "`log_dirs` равен '{given}', а брокер хранит данные в '{real}'. Подсказка: это значение log.dirs.",
    },
    "lab00_no_meta": {
        "en": "There is no meta.properties with broker.id={id} in '{path}'. Hint: log_dirs must be the broker's data folder.",
        "ru": "В '{path}' нет meta.properties с broker.id={id}. Подсказка: log_dirs должен быть папкой данных брокера.",
    },
    "lab00_started_line": {
        "en": "`started_line` is not a line of broker-0's server.log that reports the start. Hint: look for "
              "'started (kafka.server.KafkaServer)' and store the whole line.",
        "ru": "`started_line` не является строкой server.log брокера broker-0 о запуске. Подсказка: ищите "
              "'started (kafka.server.KafkaServer)' и сохраните строку целиком.",
    },
    "lab00_topic_shape": {
        "en": "Topic 'hello' has {partitions} partition(s) and replication factor {rf}; expected 1 and 1.",
        "ru": "У топика 'hello' партиций: {partitions}, фактор репликации {rf}; нужно 1 и 1.",
    },
    "lab00_hello_values": {
        "en": "Topic 'hello' holds {found}; expected exactly ['hello', 'kafka', 'world'] in this order. Hint: a "
              "fresh run of the lab's first cell clears the topic if you sent extra messages.",
        "ru": "В топике 'hello' лежит {found}; нужно ровно ['hello', 'kafka', 'world'] в этом порядке. Подсказка: "
              "если отправили лишнее, перезапустите первую ячейку — кластер станет чистым.",
    },
    "lab00_consumed": {
        "en": "`consumed` is {given}, but the topic holds {real}. Hint: --from-beginning and --max-messages 3; keep result.lines.",
        "ru": "`consumed` равен {given}, а в топике {real}. Подсказка: --from-beginning и --max-messages 3; сохраните result.lines.",
    },
    "lab00_notes_missing": {
        "en": "'notes' holds {found}; the experiment leaves n-0 ... n-5 there. Run the experiment cell (after your "
              "prediction), then check again; to start over, run the first cell again (a clean cluster).",
        "ru": "В 'notes' лежит {found}, а эксперимент оставляет там n-0 ... n-5. Выполните ячейку эксперимента "
              "(после своего предсказания) и проверьте снова; чтобы начать сначала, снова выполните первую ячейку "
              "(чистый кластер).",
    },
    "lab00_readers_missing": {
        "en": "The group 'readers' has no committed offset for 'notes' (found {found}). Run the experiment cell as "
              "it is; to start over, run the first cell again.",
        "ru": "У группы 'readers' нет закоммиченного смещения для 'notes' (найдено {found}). Выполните ячейку "
              "эксперимента как есть; чтобы начать сначала, снова выполните первую ячейку.",
    },
    "lab00_predict_first_run": {
        "en": "prediction['first_run'] is {given!r}, but the first run printed {real} notes. Hint: a group that "
              "has committed nothing yet starts where --from-beginning tells it.",
        "ru": "prediction['first_run'] равно {given!r}, а первый запуск вывел записок: {real}. Подсказка: группа, "
              "которая ещё ничего не закоммитила, начинает там, где велит --from-beginning.",
    },
    "lab00_predict_second_run": {
        "en": "prediction['second_run'] is {given!r}, but the second run printed {real} notes. Hint: when the "
              "second run starts, the group already has a committed offset; --from-beginning only matters for a "
              "group without one.",
        "ru": "prediction['second_run'] равно {given!r}, а второй запуск вывел записок: {real}. Подсказка: когда "
              "начинается второй запуск, у группы уже есть закоммиченное смещение; --from-beginning важен "
              "только для группы без него.",
    },
    "lab00_predict_committed": {
        "en": "prediction['committed'] is {given!r}, but 'readers' has committed offset {real}. Hint: a committed "
              "offset is the offset of the next message the group will read.",
        "ru": "prediction['committed'] равно {given!r}, а 'readers' закоммитила смещение {real}. Подсказка: "
              "закоммиченное смещение — это смещение следующего сообщения, которое прочитает группа.",
    },
    "lab00_orders_diagnosis": {
        "en": "diagnosis = {found} does not name the broker setting that let this happen. Hint: compare the "
              "topics the cluster has with the topic the script wrote to; server.log lists every broker setting "
              "at start-up; name that setting as Kafka spells it.",
        "ru": "diagnosis = {found} не называет настройку брокера, из-за которой это случилось. Подсказка: "
              "сравните топики кластера с топиком, в который писал скрипт; server.log при запуске перечисляет "
              "все настройки брокера; назовите настройку так, как её пишет Kafka.",
    },
    "lab00_orders_stray": {
        "en": "The topic '{topic}' that the typo created is still there. Hint: once its orders are in 'orders', "
              "delete it (kafka-topics.sh --delete); close any consumer that reads it first, or it may be created "
              "again.",
        "ru": "Топик '{topic}', созданный из-за опечатки, всё ещё на месте. Подсказка: когда его заказы будут в "
              "'orders', удалите его (kafka-topics.sh --delete); сначала закройте консьюмеры, которые его читают, "
              "иначе он может создаться снова.",
    },
    "lab00_orders_recreated": {
        "en": "'orders' has retention.ms={found}, not the two weeks ({want}) it was created with: it was deleted "
              "and created again. Hint: write into the existing topic; run the first cell again to start over.",
        "ru": "У 'orders' retention.ms={found}, а не две недели ({want}), с которыми его создали: топик удалили и "
              "создали заново. Подсказка: пишите в существующий топик; чтобы начать сначала, снова выполните "
              "первую ячейку.",
    },
    "lab00_orders_values": {
        "en": "'orders' holds {found}; expected the three orders of ORDERS (values {want}), each once and in that "
              "order. If you sent twice, run the first cell again (a clean cluster).",
        "ru": "В 'orders' лежит {found}; нужны три заказа из ORDERS (значения {want}), каждый один раз и в этом "
              "порядке. Если отправили дважды, снова выполните первую ячейку (чистый кластер).",
    },
    "lab00_sensors_partitions": {
        "en": "Topic 'sensors' has {partitions} partition(s). With 2 consumers and with 4, every consumer should "
              "hold the same number of partitions, and the topic should have the fewest partitions that allow "
              "both. Hint: a topic cannot lose partitions; delete it or run the first cell again.",
        "ru": "У топика 'sensors' партиций: {partitions}. И при 2, и при 4 консьюмерах у каждого должно быть "
              "одинаковое число партиций, и партиций должно быть как можно меньше. Подсказка: партиции нельзя "
              "убрать; удалите топик или снова выполните первую ячейку.",
    },
    "lab00_sensors_rf": {
        "en": "Topic 'sensors' has replication factor {rf}, but this cluster has {brokers} broker(s), and a broker "
              "holds at most one copy of a partition.",
        "ru": "У топика 'sensors' фактор репликации {rf}, а брокеров в этом кластере: {brokers}; брокер хранит не "
              "больше одной копии партиции.",
    },
    "lab00_sensors_retention": {
        "en": "Topic 'sensors' has retention.bytes={found} and {partitions} partitions: at most {total} bytes on "
              "disk, but the budget is {budget}. Hint: check in the topic configs' documentation what "
              "retention.bytes limits, the topic or each partition.",
        "ru": "У топика 'sensors' retention.bytes={found} и партиций {partitions}: на диске до {total} байт, а "
              "бюджет — {budget}. Подсказка: проверьте в документации настроек топика, что ограничивает "
              "retention.bytes: весь топик или каждую партицию.",
    },
    "lab00_sensors_set": {
        "en": "'sensors' holds {count} message(s); expected each text of READINGS once, as the value. Missing: "
              "{missing}; extra or repeated: {extra}. If you sent twice, run the first cell again.",
        "ru": "В 'sensors' сообщений: {count}; нужно по одному сообщению на каждый текст из READINGS, текст — "
              "значение. Не хватает: {missing}; лишние или повторные: {extra}. Если отправили дважды, снова "
              "выполните первую ячейку.",
    },
    "lab00_sensors_split": {
        "en": "The readings of sensor '{sensor}' are in partitions {partitions}: Kafka keeps order only inside one "
              "partition. Hint: the key decides the partition; choose one that is the same for all readings of a "
              "sensor.",
        "ru": "Показания датчика '{sensor}' лежат в партициях {partitions}: Kafka сохраняет порядок только внутри "
              "одной партиции. Подсказка: партицию выбирает ключ; выберите ключ, одинаковый для всех показаний "
              "датчика.",
    },
    "lab00_sensors_order": {
        "en": "The readings of sensor '{sensor}' are stored as {found}, but were sent as {want}. Hint: send them "
              "one by one in the order of READINGS.",
        "ru": "Показания датчика '{sensor}' сохранены как {found}, а отправлены в порядке {want}. Подсказка: "
              "отправляйте их по одному в порядке READINGS.",
    },
    "lab00_sensors_one_partition": {
        "en": "All readings are in partition {partition}: one consumer would read everything and the others "
              "idle. Hint: a key that differs from sensor to sensor spreads them.",
        "ru": "Все показания лежат в партиции {partition}: всё прочитает один консьюмер, а остальные будут "
              "простаивать. Подсказка: ключ, свой у каждого датчика, разносит их по партициям.",
    },
})


@exercise("lab00.ex1", points=2)
def broker_identity(ctx):
    brokers = ctx.inspect.brokers(ctx.cluster)
    real = brokers[0]
    given = ctx.var("broker_id", int)
    ctx.expect(given == real.id, "lab00_broker_id", given=given, real=real.id)
    address = f"{real.host}:{real.port}"
    given_address = ctx.var("broker_address", str)
    ctx.expect(given_address.strip() == address, "lab00_broker_address", given=given_address, real=address)
    return {"broker_id": real.id, "broker_address": address}


def _config(cluster) -> dict:
    found = {}
    for line in cluster.config("broker-0").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            found[key.strip()] = value.strip()
    return found


@exercise("lab00.ex2", points=2)
def config_and_data(ctx):
    real = _config(ctx.cluster)
    given = ctx.var("broker_config", dict)
    for key in ("broker.id", "log.dirs", "zookeeper.connect"):
        ctx.expect(given.get(key) == real[key], "lab00_config_key", key=key, given=given.get(key), real=real[key])
    log_dirs = ctx.var("log_dirs", str)
    data = str(ctx.cluster.data_dir("broker-0"))
    ctx.expect(log_dirs == real["log.dirs"] and Path(log_dirs) == Path(data), "lab00_log_dirs",
               given=log_dirs, real=real["log.dirs"])
    meta = Path(log_dirs) / "meta.properties"
    text = meta.read_text() if meta.is_file() else ""
    ctx.expect(f"broker.id={real['broker.id']}" in text, "lab00_no_meta", id=real["broker.id"], path=log_dirs)
    return {"log.dirs": real["log.dirs"], "meta.properties": text.strip().splitlines()[-3:]}


@exercise("lab00.ex3", points=2)
def started_line(ctx):
    line = ctx.var("started_line", str).rstrip("\n")
    lines = ctx.cluster.logs("broker-0").splitlines()
    ctx.expect(line in lines and "started" in line and "KafkaServer" in line, "lab00_started_line")
    return {"started_line": line}


@exercise("lab00.ex4", points=3)
def hello_topic(ctx):
    info = ctx.topic("hello")
    ctx.expect(len(info.partitions) == 1 and info.replication_factor == 1, "lab00_topic_shape",
               partitions=len(info.partitions), rf=info.replication_factor)
    values = [m[3] for m in ctx.messages("hello")]
    ctx.expect(values == ["hello", "kafka", "world"], "lab00_hello_values", found=values)
    return {"partitions": 1, "replication_factor": 1, "values": values}


@exercise("lab00.ex5", points=2)
def consumed_back(ctx):
    given = ctx.var("consumed", list)
    real = [m[3] for m in ctx.messages("hello")]
    ctx.expect(real and [str(v).strip() for v in given] == real, "lab00_consumed", given=given, real=real)
    return {"consumed": real}


def _answer(value):
    """A prediction item as the check compares it: numbers written as text become int."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return value


def committed_of(ctx, group: str, topic: str) -> dict:
    return {p.partition: p.committed for p in ctx.group(group).partitions if p.topic == topic}


@exercise("lab00.ex6", points=3)
def group_prediction(ctx):
    values = [v for _, _, _, v in ctx.messages("notes")]
    ctx.expect(values == NOTES, "lab00_notes_missing", found=values)
    committed = committed_of(ctx, "readers", "notes")
    ctx.expect(isinstance(committed.get(0), int) and committed[0] >= FIRST_BATCH, "lab00_readers_missing",
               found=committed)
    real = {"first_run": FIRST_BATCH, "second_run": committed[0] - FIRST_BATCH, "committed": committed[0]}
    given = ctx.var("prediction", dict)
    for item, want in real.items():
        guess = given.get(item)
        ctx.expect(_answer(guess) == want, f"lab00_predict_{item}", given=guess, real=want)
    return {"prediction": real, "end_offset": ctx.inspect.end_offsets(ctx.cluster, "notes")[0]}


@exercise("lab00.ex7", points=3)
def orders_repaired(ctx):
    diagnosis = ctx.var("diagnosis", str)
    ctx.expect("auto.create.topics.enable" in diagnosis.lower(), "lab00_orders_diagnosis",
               found=repr(diagnosis[:120]))
    topics = ctx.inspect.topics(ctx.cluster)
    ctx.expect("order" not in topics, "lab00_orders_stray", topic="order")
    retention = ctx.topic("orders").config.get("retention.ms")
    ctx.expect(retention == str(ORDERS_RETENTION_MS), "lab00_orders_recreated", found=retention,
               want=ORDERS_RETENTION_MS)
    values = [v for _, _, _, v in ctx.messages("orders")]
    want = [v for _, v in ORDERS]
    ctx.expect(values == want, "lab00_orders_values", found=values, want=want)
    return {"topics": sorted(topics), "orders": values, "retention.ms": retention}


def sensor_of(text: str) -> str:
    return text.split(" ", 1)[0]


@exercise("lab00.ex8", points=3)
def sensors_design(ctx):
    info = ctx.topic("sensors")
    partitions = len(info.partitions)
    ctx.expect(partitions == 4, "lab00_sensors_partitions", partitions=partitions)
    brokers = len(ctx.inspect.brokers(ctx.cluster))
    ctx.expect(info.replication_factor == brokers, "lab00_sensors_rf", rf=info.replication_factor, brokers=brokers)
    found = int(info.config.get("retention.bytes", "-1"))
    ctx.expect(found * partitions == DISK_BUDGET, "lab00_sensors_retention", found=found, partitions=partitions,
               total="unlimited" if found < 0 else found * partitions, budget=DISK_BUDGET)
    stored = ctx.messages("sensors")
    got, want = Counter(v for _, _, _, v in stored), Counter(text for _, text in READINGS)
    ctx.expect(got == want, "lab00_sensors_set", count=len(stored), missing=sorted((want - got).elements())[:5],
               extra=sorted((got - want).elements(), key=str)[:5])
    partition_of = ctx.keyed_in_order(stored, lambda text: (sensor_of(text), text), READINGS,
                                      "lab00_sensors_split", "lab00_sensors_order", "sensor")
    used = sorted({p for p, _, _, _ in stored})
    ctx.expect(len(used) > 1, "lab00_sensors_one_partition", partition=used[0])
    return {"partitions": partitions, "replication_factor": info.replication_factor, "retention.bytes": found,
            "partition_of_sensor": partition_of}
