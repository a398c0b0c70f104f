"""Checks of lab 04 (three brokers, replication, failover): they read the live cluster."""
import time

from kafkalab.grading import Fail, exercise
from kafkalab.i18n import register

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]

register({
    "lab04_partitions": {
        "en": "Topic '{topic}' has {found} partitions, expected {expected}. Hint: a topic cannot lose "
              "partitions; delete it (kafka-topics.sh --delete --topic {topic}) and create it again.",
        "ru": "У топика '{topic}' партиций: {found}, а нужно {expected}. Подсказка: партиции нельзя убрать; "
              "удалите топик (kafka-topics.sh --delete --topic {topic}) и создайте заново.",
    },
    "lab04_rf": {
        "en": "Topic '{topic}' has replication factor {found}, expected {expected}. Hint: --replication-factor "
              "{expected}; delete the topic and create it again.",
        "ru": "У топика '{topic}' фактор репликации {found}, а нужен {expected}. Подсказка: --replication-factor "
              "{expected}; удалите топик и создайте заново.",
    },
    "lab04_min_isr": {
        "en": "min.insync.replicas of 'months' is {found}, expected 2. Hint: --config min.insync.replicas=2 "
              "when creating, or kafka-configs.sh --alter --entity-type topics --entity-name months "
              "--add-config min.insync.replicas=2.",
        "ru": "min.insync.replicas у 'months' равен {found}, а нужно 2. Подсказка: --config min.insync.replicas=2 "
              "при создании или kafka-configs.sh --alter --entity-type topics --entity-name months "
              "--add-config min.insync.replicas=2.",
    },
    "lab04_cars_leaders": {
        "en": "cars_leaders is {found}, but the cluster says {expected}. Hint: build the dict from "
              "ki.describe_topic(cluster, 'cars').partitions (p.partition -> p.leader).",
        "ru": "cars_leaders равен {found}, а кластер говорит {expected}. Подсказка: соберите словарь из "
              "ki.describe_topic(cluster, 'cars').partitions (p.partition -> p.leader).",
    },
    "lab04_cars_spread": {
        "en": "The partitions of 'cars' are led by brokers {found} only; with 5 partitions on 3 brokers every "
              "broker should lead some. Hint: create 'cars' while all three brokers run.",
        "ru": "Партиции 'cars' ведут только брокеры {found}; при 5 партициях на 3 брокерах каждый брокер должен "
              "быть лидером хотя бы одной. Подсказка: создавайте 'cars', когда работают все три брокера.",
    },
    "lab04_replicas_per_broker": {
        "en": "Replicas of 'months' per broker: {found}; with 7 partitions x 3 replicas each broker holds 7. "
              "Hint: create 'months' while all three brokers run.",
        "ru": "Реплик 'months' на брокерах: {found}; при 7 партициях x 3 реплики у каждого брокера их 7. "
              "Подсказка: создавайте 'months', когда работают все три брокера.",
    },
    "lab04_month_missing": {
        "en": "These months are not in topic 'months': {missing}. Hint: produce all twelve and call "
              "producer.flush() before checking.",
        "ru": "Этих месяцев нет в топике 'months': {missing}. Подсказка: отправьте все двенадцать и вызовите "
              "producer.flush() перед проверкой.",
    },
    "lab04_month_key": {
        "en": "'{month}' is stored with key {found}, expected '{expected}' (the month's number as text).",
        "ru": "'{month}' записан с ключом {found}, а нужен '{expected}' (номер месяца строкой).",
    },
    "lab04_month_partition": {
        "en": "month_partition says {month} is in partition {found}, but the cluster stores it in partition "
              "{expected}. Hint: take msg.partition() from the delivery report; do not compute it.",
        "ru": "По month_partition месяц {month} лежит в партиции {found}, а в кластере он в партиции "
              "{expected}. Подсказка: берите msg.partition() из отчёта о доставке, не вычисляйте его.",
    },
    "lab04_month_order": {
        "en": "In partition {partition} the months are stored in the order {found}; one producer keeps the "
              "order of its writes within a partition. Hint: produce the months in calendar order.",
        "ru": "В партиции {partition} месяцы лежат в порядке {found}; один продюсер сохраняет порядок своих "
              "записей внутри партиции. Подсказка: отправляйте месяцы по порядку.",
    },
    "lab04_victim_not_leader": {
        "en": "victim = {found}, but the leader of months partition 0 before any failure was broker {expected} "
              "(its preferred replica). Hint: read .leader of partition 0 before you kill anything.",
        "ru": "victim = {found}, но до сбоев лидером партиции 0 топика months был брокер {expected} "
              "(предпочтительная реплика). Подсказка: прочитайте .leader партиции 0 до того, как что-то убивать.",
    },
    "lab04_no_election": {
        "en": "No leader election has happened for months partition 0 (leader epoch {epoch}). Hint: kill the "
              "leader with cluster.kill(f'broker-{{victim}}') and wait for the new leader.",
        "ru": "Для партиции 0 топика months выборов лидера не было (эпоха лидера {epoch}). Подсказка: убейте "
              "лидера через cluster.kill(f'broker-{{victim}}') и дождитесь нового.",
    },
    "lab04_new_leader_bad": {
        "en": "new_leader = {found} is not a valid new leader (replicas {replicas}, killed broker {victim}). "
              "Hint: poll describe_topic until partition 0 has a leader other than victim.",
        "ru": "new_leader = {found} не может быть новым лидером (реплики {replicas}, убитый брокер {victim}). "
              "Подсказка: опрашивайте describe_topic, пока у партиции 0 не появится лидер, отличный от victim.",
    },
    "lab04_new_leader_mismatch": {
        "en": "new_leader = {found}, but the cluster's leader of months partition 0 is {expected}.",
        "ru": "new_leader = {found}, а в кластере лидер партиции 0 топика months — {expected}.",
    },
    "lab04_isr_after_bad": {
        "en": "isr_after = {found} should hold the two surviving replicas, without the killed broker {victim}. "
              "Hint: wait until the controller has removed the dead broker from the ISR.",
        "ru": "isr_after = {found} должен содержать две выжившие реплики без убитого брокера {victim}. "
              "Подсказка: дождитесь, пока контроллер уберёт мёртвый брокер из ISR.",
    },
    "lab04_victim_in_isr": {
        "en": "Broker {victim} is down, yet the cluster still lists it in the ISR of partition 0: {isr}. "
              "Hint: wait for the failover to finish, then check again.",
        "ru": "Брокер {victim} лежит, но кластер всё ещё держит его в ISR партиции 0: {isr}. "
              "Подсказка: дождитесь окончания переключения и проверьте снова.",
    },
    "lab04_failover_seconds": {
        "en": "failover_seconds = {found} is not plausible (expected between 0 and 120 s).",
        "ru": "failover_seconds = {found} — неправдоподобно (ожидается от 0 до 120 с).",
    },
    "lab04_failover_partitions": {
        "en": "Partitions {partitions} of 'months' were led by broker {victim} but show no leader election. "
              "Hint: killing a broker moves the leadership of all its partitions.",
        "ru": "Партиции {partitions} топика 'months' вёл брокер {victim}, но выборов лидера у них не было. "
              "Подсказка: при падении брокера переезжает лидерство всех его партиций.",
    },
    "lab04_delivered": {
        "en": "delivered = {found}, expected 100 acknowledged writes. Hint: count in the delivery callback when "
              "err is None, and call producer.flush() before reading the count.",
        "ru": "delivered = {found}, а должно быть 100 подтверждённых записей. Подсказка: считайте в callback "
              "доставки, когда err is None, и вызовите producer.flush() до чтения счётчика.",
    },
    "lab04_failover_lost": {
        "en": "The cluster stores {found} of the 100 failover-NNN messages; missing e.g. {missing}. Hint: "
              "produce with acks='all' and flush.",
        "ru": "В кластере {found} из 100 сообщений failover-NNN; нет, например, {missing}. Подсказка: "
              "отправляйте с acks='all' и вызывайте flush.",
    },
    "lab04_failover_key": {
        "en": "{value} is stored with key {found}, expected '{expected}'.",
        "ru": "{value} записано с ключом {found}, а нужен '{expected}'.",
    },
    "lab04_victim_down": {
        "en": "Broker {victim} is still down. Hint: cluster.start(f'broker-{{victim}}').",
        "ru": "Брокер {victim} всё ещё лежит. Подсказка: cluster.start(f'broker-{{victim}}').",
    },
    "lab04_isr_not_full": {
        "en": "Partition {partition} of '{topic}' has ISR {isr}, replicas {replicas}: not all back in sync. "
              "Hint: poll until every partition's ISR holds all its replicas.",
        "ru": "У партиции {partition} топика '{topic}' ISR {isr} при репликах {replicas}: не все вернулись. "
              "Подсказка: опрашивайте, пока ISR каждой партиции не будет содержать все её реплики.",
    },
    "lab04_isr_restored": {
        "en": "isr_restored = {found} does not match the cluster: {expected}.",
        "ru": "isr_restored = {found} не совпадает с кластером: {expected}.",
    },
    "lab04_offline": {
        "en": "Partition {partition} of 'cars' has no leader (its only replica is on a stopped broker). Hint: "
              "start every broker again.",
        "ru": "У партиции {partition} топика 'cars' нет лидера (её единственная реплика на остановленном "
              "брокере). Подсказка: запустите все брокеры снова.",
    },
    "lab04_diagnosis": {
        "en": "diagnosis = {found} does not name the setting at fault. Hint: compare what the topic's config "
              "demands of the ISR (kafka-topics.sh --describe: Configs) with how many replicas are in it now "
              "(Isr), and name that setting as Kafka spells it.",
        "ru": "diagnosis = {found} не называет виноватую настройку. Подсказка: сравните, чего конфигурация "
              "топика требует от ISR (kafka-topics.sh --describe: Configs), с тем, сколько реплик в нём сейчас "
              "(Isr), и назовите эту настройку так, как её пишет Kafka.",
    },
    "lab04_payments_recreated": {
        "en": "Topic 'payments' has the id {found}, but it had {expected} when the setup cell created it: it was "
              "deleted and created again, and the payments written before are gone. Hint: change the config in "
              "place (kafka-configs.sh --alter --entity-type topics --entity-name payments --add-config ...); "
              "run the setup cells again to start over.",
        "ru": "У топика 'payments' id {found}, а когда его создала ячейка подготовки, был {expected}: топик "
              "удалили и создали заново, и записанные раньше платежи пропали. Подсказка: меняйте конфигурацию "
              "на месте (kafka-configs.sh --alter --entity-type topics --entity-name payments --add-config ...); "
              "чтобы начать сначала, снова выполните ячейки подготовки.",
    },
    "lab04_payments_min_isr": {
        "en": "'payments' has min.insync.replicas={found} and replication factor {rf}: as soon as one replica "
              "leaves the ISR, every acks=all write is refused (NOT_ENOUGH_REPLICAS). Hint: what does acks=all "
              "need from the ISR? Lower min.insync.replicas below the replication factor.",
        "ru": "У 'payments' min.insync.replicas={found} при факторе репликации {rf}: стоит одной реплике выйти "
              "из ISR, и каждая запись с acks=all отклоняется (NOT_ENOUGH_REPLICAS). Подсказка: что нужно "
              "acks=all от ISR? Сделайте min.insync.replicas меньше фактора репликации.",
    },
    "lab04_payments_new_missing": {
        "en": "The cluster stores {found} of the 10 payments new-0 ... new-9; missing e.g. {missing}. Hint: after "
              "the fix, produce them with acks='all' and call producer.flush().",
        "ru": "В кластере {found} из 10 платежей new-0 ... new-9; нет, например, {missing}. Подсказка: после "
              "исправления отправьте их с acks='all' и вызовите producer.flush().",
    },
    "lab04_payments_min_isr_low": {
        "en": "'payments' has min.insync.replicas={found}: acks=all then acknowledges a payment that only one "
              "broker has. Hint: with replication factor {rf}, min.insync.replicas=2 keeps writes going with one "
              "broker down and every acknowledged payment on two brokers.",
        "ru": "У 'payments' min.insync.replicas={found}: тогда acks=all подтверждает платёж, который есть только "
              "на одном брокере. Подсказка: при факторе репликации {rf} значение min.insync.replicas=2 "
              "пропускает записи при одном лежащем брокере и держит каждый подтверждённый платёж на двух брокерах.",
    },
    "lab04_payments_old_lost": {
        "en": "The payments written before the fix are gone from 'payments': {missing}. Hint: change the topic's "
              "config in place; never delete or re-create a topic that holds data.",
        "ru": "Платежей, записанных до исправления, в 'payments' больше нет: {missing}. Подсказка: меняйте "
              "конфигурацию топика на месте; не удаляйте и не пересоздавайте топик с данными.",
    },
})


def leader_epochs(ctx, topic: str) -> dict[int, int]:
    """partition -> current leader epoch (0 for a new topic; +1 with every leader election)."""
    from confluent_kafka import TopicPartition
    from confluent_kafka.admin import OffsetSpec

    info = ctx.topic(topic, with_config=False)
    request = {TopicPartition(topic, p.partition): OffsetSpec.latest() for p in info.partitions}
    deadline = time.monotonic() + 15
    while True:  # right after a failover a broker may answer with a stale epoch (FENCED/NOT_LEADER): retry
        try:
            futures = ctx.inspect.admin(ctx.cluster).list_offsets(request, request_timeout=10)
            return {tp.partition: future.result(timeout=10).leader_epoch for tp, future in futures.items()}
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _int(ctx, name: str) -> int:
    value = ctx.var(name, int)
    if isinstance(value, bool):
        raise Fail("grading_wrong_type", name=name, expected="int", actual="bool")
    return value


def _victim_state(ctx):
    """(victim, months partition 0, its leader epoch), after checking that a failover really happened."""
    victim = _int(ctx, "victim")
    part = ctx.topic("months", with_config=False).partitions[0]
    ctx.expect(victim == part.replicas[0], "lab04_victim_not_leader", found=victim, expected=part.replicas[0])
    epoch = leader_epochs(ctx, "months")[0]
    ctx.expect(epoch is not None and epoch >= 1, "lab04_no_election", epoch=epoch)
    return victim, part, epoch


@exercise("lab04.ex1", points=2)
def topics_created(ctx):
    cars = ctx.topic("cars")
    months = ctx.topic("months")
    for info, parts, rf in ((cars, 5, 1), (months, 7, 3)):
        ctx.expect(len(info.partitions) == parts, "lab04_partitions", topic=info.name, found=len(info.partitions),
                   expected=parts)
        ctx.expect(info.replication_factor == rf, "lab04_rf", topic=info.name, found=info.replication_factor,
                   expected=rf)
    min_isr = months.config.get("min.insync.replicas")
    ctx.expect(min_isr == "2", "lab04_min_isr", found=min_isr)
    # the only replica of an RF-1 partition is its leader whenever it has one
    truth = {p.partition: p.replicas[0] for p in cars.partitions}
    answer = ctx.var("cars_leaders", dict)
    ctx.expect({int(k): v for k, v in answer.items()} == truth, "lab04_cars_leaders", found=answer, expected=truth)
    return {"cars_partitions": 5, "months_partitions": 7, "months_rf": 3, "min_insync_replicas": min_isr,
            "cars_leaders": truth}


def months_in_topic(ctx) -> dict[str, tuple[int, int, str | None]]:
    """month name -> (partition, offset, key) of its first copy in 'months'."""
    found = {}
    for partition, offset, key, value in ctx.messages("months", max_messages=5000):
        if value in MONTHS and value not in found:
            found[value] = (partition, offset, key)
    return found


@exercise("lab04.ex2", points=2)
def months_written(ctx):
    answer = ctx.var("month_partition", dict)
    found = months_in_topic(ctx)
    missing = [m for m in MONTHS if m not in found]
    ctx.expect(not missing, "lab04_month_missing", missing=", ".join(missing))
    for number, month in enumerate(MONTHS, start=1):
        partition, _, key = found[month]
        ctx.expect(key == str(number), "lab04_month_key", month=month, found=key, expected=str(number))
        ctx.expect(answer.get(month) == partition, "lab04_month_partition", month=month,
                   found=answer.get(month), expected=partition)
    return {"month_partition": {m: found[m][0] for m in MONTHS}}


@exercise("lab04.ex3", points=3)
def leader_killed(ctx):
    victim, part, epoch = _victim_state(ctx)
    new_leader = _int(ctx, "new_leader")
    ctx.expect(new_leader in part.replicas and new_leader != victim, "lab04_new_leader_bad", found=new_leader,
               replicas=part.replicas, victim=victim)
    isr_after = ctx.var("isr_after", (list, tuple, set))
    ctx.expect(victim not in isr_after and len(set(isr_after)) == 2 and set(isr_after) <= set(part.replicas)
               and new_leader in isr_after, "lab04_isr_after_bad", found=list(isr_after), victim=victim)
    seconds = ctx.var("failover_seconds", (int, float))
    ctx.expect(0 < seconds < 120, "lab04_failover_seconds", found=seconds)
    victim_up = ctx.cluster.alive(f"broker-{victim}")
    if not victim_up:  # still down: the cluster must show exactly what the student recorded
        ctx.expect(part.leader == new_leader, "lab04_new_leader_mismatch", found=new_leader, expected=part.leader)
        ctx.expect(victim not in part.isr, "lab04_victim_in_isr", victim=victim, isr=part.isr)
    else:  # restarted since: leadership stays with the new leader until the preferred one takes it back
        ctx.expect(part.leader in (new_leader, victim), "lab04_new_leader_mismatch", found=new_leader,
                   expected=part.leader)
    return {"victim": victim, "new_leader": new_leader, "leader_now": part.leader, "isr_now": part.isr,
            "leader_epoch": epoch, "victim_alive": victim_up, "failover_seconds": round(seconds, 2)}


@exercise("lab04.ex4", points=2)
def written_during_failure(ctx):
    epoch = leader_epochs(ctx, "months")[0]
    ctx.expect(epoch is not None and epoch >= 1, "lab04_no_election", epoch=epoch)
    delivered = _int(ctx, "delivered")
    ctx.expect(delivered == 100, "lab04_delivered", found=delivered)
    wanted = {f"failover-{i:03d}" for i in range(100)}
    stored = {value for _, _, _, value in ctx.messages("months", max_messages=5000) if value in wanted}
    missing = sorted(wanted - stored)
    ctx.expect(not missing, "lab04_failover_lost", found=len(stored), missing=", ".join(missing[:3]))
    return {"delivered": delivered, "stored": len(stored)}


@exercise("lab04.ex5", points=2)
def broker_back(ctx):
    victim, _, _ = _victim_state(ctx)
    ctx.expect(ctx.cluster.alive(f"broker-{victim}"), "lab04_victim_down", victim=victim)
    months = ctx.topic("months", with_config=False)
    for p in months.partitions:
        ctx.expect(set(p.isr) == set(p.replicas), "lab04_isr_not_full", topic="months", partition=p.partition,
                   isr=p.isr, replicas=p.replicas)
    truth = {p.partition: sorted(p.isr) for p in months.partitions}
    answer = ctx.var("isr_restored", dict)
    given = {int(k): sorted(v) for k, v in answer.items()} if all(
        isinstance(v, (list, tuple, set)) for v in answer.values()) else answer
    ctx.expect(given == truth, "lab04_isr_restored", found=answer, expected=truth)
    return {"victim_alive": True, "isr": truth}


NEW_PAYMENTS = [f"new-{i}" for i in range(10)]
OLD_PAYMENTS = [f"old-{i}" for i in range(5)]


def topic_id(ctx, topic: str) -> str:
    """The topic's id as kafka-topics.sh prints it (URL-safe base64; librdkafka prints the standard one)."""
    from confluent_kafka import TopicCollection

    from kafkalab import namespace

    name = namespace.name(topic, ctx.cluster)
    deadline = time.monotonic() + 15
    while True:  # a broker that has just come back may not answer yet: retry
        try:
            futures = ctx.inspect.admin(ctx.cluster).describe_topics(TopicCollection([name]), request_timeout=10)
            found = str(futures[name].result(timeout=10).topic_id)
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    return plain_id(found)


def plain_id(text: str) -> str:
    return text.strip().replace("+", "-").replace("/", "_").rstrip("=")


def payments_state(ctx):
    """(replication factor, min.insync.replicas) of 'payments' as the cluster reports them."""
    info = ctx.topic("payments")
    return info.replication_factor, int(info.config.get("min.insync.replicas", "1"))


@exercise("lab04.ex6", points=3)
def payments_fixed(ctx):
    diagnosis = ctx.var("diagnosis", str)
    ctx.expect("min.insync.replicas" in diagnosis.lower(), "lab04_diagnosis", found=repr(diagnosis[:120]))
    rf, min_isr = payments_state(ctx)
    stored_id = plain_id(ctx.var("payments_id", str))
    found_id = topic_id(ctx, "payments")
    ctx.expect(found_id == stored_id, "lab04_payments_recreated", found=found_id, expected=stored_id)
    ctx.expect(min_isr < rf, "lab04_payments_min_isr", found=min_isr, rf=rf)
    stored = {value for _, _, _, value in ctx.messages("payments", max_messages=5000)}
    missing = [v for v in NEW_PAYMENTS if v not in stored]
    ctx.expect(not missing, "lab04_payments_new_missing", found=len(NEW_PAYMENTS) - len(missing),
               missing=", ".join(missing[:3]))
    return {"topic_id": found_id, "replication_factor": rf, "min_insync_replicas": min_isr,
            "new_payments": len(NEW_PAYMENTS)}
