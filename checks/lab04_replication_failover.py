"""Checks of lab 04 (three brokers, replication, failover): they read the live cluster. Exercise 6 diagnoses
a topic that refuses writes (payments), 7 predicts what a stopped broker does to a topic (ledger), 8 designs
a topic from a requirement (invoices)."""
from collections import Counter

from confluent_kafka import KafkaException

from kafkalab.errors import KafkaLabError
from kafkalab.grading import Fail, exercise
from kafkalab.i18n import register
from kafkalab.waiting import wait_for

ANSWER_PENDING = (KafkaException, KafkaLabError, TimeoutError)  # a broker that has just failed over or come back

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
        "en": "Topic '{topic}' has replication factor {found}, expected {expected}. Hint: the number of copies of each "
              "partition is chosen when the topic is created (kafka-topics.sh has an option for it); delete the "
              "topic and create it again.",
        "ru": "У топика '{topic}' фактор репликации {found}, а нужен {expected}. Подсказка: число копий каждой "
              "партиции выбирается при создании топика (у kafka-topics.sh для этого есть опция); удалите топик и "
              "создайте заново.",
    },
    "lab04_min_isr": {
        "en": "min.insync.replicas of 'months' is {found}, expected 2. Hint: it is a setting of the topic, not of "
              "the producer: give it when you create the topic (kafka-topics.sh --config, as retention.ms in lab "
              "02), or change it in place with kafka-configs.sh --alter.",
        "ru": "min.insync.replicas у 'months' равен {found}, а нужно 2. Подсказка: это настройка топика, а не "
              "продюсера: задайте её при создании топика (kafka-topics.sh --config, как retention.ms в "
              "лабораторной 02) или поменяйте на месте через kafka-configs.sh --alter.",
    },
    "lab04_cars_leaders": {
        "en": "cars_leaders is {found}, but the cluster says {expected}. Hint: leadership is per partition, and the "
              "topic's description names each partition's leader: map every partition number of 'cars' to its "
              "leader's id, as ki.describe_topic reports them.",
        "ru": "cars_leaders равен {found}, а кластер говорит {expected}. Подсказка: лидерство — свойство партиции, и "
              "описание топика называет лидера каждой: сопоставьте каждому номеру партиции 'cars' id её лидера так, "
              "как их сообщает ki.describe_topic.",
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
        "en": "These months are not in topic 'months': {missing}. Hint: produce() only queues a message; it is "
              "stored once the broker has answered: send all twelve and wait for the answers (flush) before "
              "checking.",
        "ru": "Этих месяцев нет в топике 'months': {missing}. Подсказка: produce() только ставит сообщение в "
              "очередь; сохранено оно, когда брокер ответил: отправьте все двенадцать и дождитесь ответов (flush) "
              "перед проверкой.",
    },
    "lab04_month_key": {
        "en": "'{month}' is stored with key {found}, expected '{expected}' (the month's number as text). Hint: "
              "January is 1; the key is a string, not a number.",
        "ru": "'{month}' записан с ключом {found}, а нужен '{expected}' (номер месяца строкой). Подсказка: январь — "
              "это 1; ключ — строка, а не число.",
    },
    "lab04_month_partition": {
        "en": "month_partition says {month} is in partition {found}, but the cluster stores it in partition "
              "{expected}. Hint: only the broker's answer says where a message was stored: take the partition "
              "from each message's delivery report (the on_delivery callback), do not compute it.",
        "ru": "По month_partition месяц {month} лежит в партиции {found}, а в кластере он в партиции "
              "{expected}. Подсказка: где сохранено сообщение, говорит только ответ брокера: берите партицию из "
              "отчёта о доставке каждого сообщения (callback on_delivery), не вычисляйте её.",
    },
    "lab04_month_order": {
        "en": "In partition {partition} the months are stored in the order {found}; one producer keeps the "
              "order of its writes within a partition. Hint: produce the months in calendar order.",
        "ru": "В партиции {partition} месяцы лежат в порядке {found}; один продюсер сохраняет порядок своих "
              "записей внутри партиции. Подсказка: отправляйте месяцы по порядку.",
    },
    "lab04_victim_not_leader": {
        "en": "victim = {found}, but the leader of months partition 0 before any failure was broker {expected} "
              "(its preferred replica). Hint: the leader is one of the three replicas, and the cluster names it; "
              "read it from the topic's description (ki.describe_topic) before you kill anything.",
        "ru": "victim = {found}, но до сбоев лидером партиции 0 топика months был брокер {expected} "
              "(предпочтительная реплика). Подсказка: лидер — одна из трёх реплик, и кластер его называет; "
              "прочитайте его из описания топика (ki.describe_topic) до того, как что-то убивать.",
    },
    "lab04_no_election": {
        "en": "No leader election has happened for months partition 0 (leader epoch {epoch}). Hint: a new leader is "
              "elected only when the leader fails: crash the broker that leads partition 0 (the cluster object "
              "kills a node by its name, help(cluster)) and wait until the controller has elected another.",
        "ru": "Для партиции 0 топика months выборов лидера не было (эпоха лидера {epoch}). Подсказка: нового лидера "
              "выбирают, только когда отказывает прежний: уроните брокер, который ведёт партицию 0 (объект кластера "
              "убивает узел по имени, help(cluster)), и дождитесь, пока контроллер выберет другого.",
    },
    "lab04_new_leader_bad": {
        "en": "new_leader = {found} is not a valid new leader (replicas {replicas}, killed broker {victim}). "
              "Hint: the election takes seconds (the dead broker's ZooKeeper session must expire first), and the "
              "new leader is one of the other replicas: ask the cluster (ki.describe_topic) again and again until "
              "partition 0 has a leader other than victim.",
        "ru": "new_leader = {found} не может быть новым лидером (реплики {replicas}, убитый брокер {victim}). "
              "Подсказка: выборы занимают секунды (сначала должна истечь ZooKeeper-сессия мёртвого брокера), а "
              "новый лидер — одна из остальных реплик: спрашивайте кластер (ki.describe_topic) снова и снова, "
              "пока у партиции 0 не появится лидер, отличный от victim.",
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
        "en": "failover_seconds = {found} is not plausible (expected between 0 and 120 s). Hint: the seconds from the "
              "kill to the moment you saw the new leader, measured with time.monotonic().",
        "ru": "failover_seconds = {found} — неправдоподобно (ожидается от 0 до 120 с). Подсказка: секунды от "
              "убийства до момента, когда вы увидели нового лидера, измеренные через time.monotonic().",
    },
    "lab04_failover_partitions": {
        "en": "Partitions {partitions} of 'months' were led by broker {victim} but show no leader election. "
              "Hint: killing a broker moves the leadership of all its partitions.",
        "ru": "Партиции {partitions} топика 'months' вёл брокер {victim}, но выборов лидера у них не было. "
              "Подсказка: при падении брокера переезжает лидерство всех его партиций.",
    },
    "lab04_delivered": {
        "en": "delivered = {found}, expected 100 acknowledged writes. Hint: with two of three replicas in sync, "
              "min.insync.replicas=2 is met, so every write is acknowledged; but an answer arrives after the call "
              "that sends: count the answers without an error in the delivery callback, and read the count only "
              "after flush() has waited for all of them.",
        "ru": "delivered = {found}, а должно быть 100 подтверждённых записей. Подсказка: при двух синхронных "
              "репликах из трёх условие min.insync.replicas=2 выполнено, и каждая запись подтверждается; но ответ "
              "приходит позже вызова, который отправляет: считайте ответы без ошибки в callback доставки и "
              "читайте счётчик только после того, как flush() дождётся их всех.",
    },
    "lab04_failover_lost": {
        "en": "The cluster stores {found} of the 100 failover-NNN messages; missing e.g. {missing}. Hint: a write "
              "is safe once every replica in sync has it and the producer has its answer: send with acks='all' "
              "and wait for the answers (flush).",
        "ru": "В кластере {found} из 100 сообщений failover-NNN; нет, например, {missing}. Подсказка: запись в "
              "безопасности, когда она есть у каждой синхронной реплики и продюсер получил ответ: отправляйте с "
              "acks='all' и дожидайтесь ответов (flush).",
    },
    "lab04_failover_key": {
        "en": "{value} is stored with key {found}, expected '{expected}'. Hint: the key is the message's number as "
              "text, without the leading zeros of the value.",
        "ru": "{value} записано с ключом {found}, а нужен '{expected}'. Подсказка: ключ — номер сообщения строкой, "
              "без ведущих нулей, которые есть в значении.",
    },
    "lab04_victim_down": {
        "en": "Broker {victim} is still down. Hint: a killed broker does not come back by itself; start it again, "
              "with its data (the cluster object starts a node by its name, help(cluster)).",
        "ru": "Брокер {victim} всё ещё лежит. Подсказка: убитый брокер сам не вернётся; запустите его снова, с его "
              "данными (объект кластера запускает узел по имени, help(cluster)).",
    },
    "lab04_isr_not_full": {
        "en": "Partition {partition} of '{topic}' has ISR {isr}, replicas {replicas}: not all back in sync. "
              "Hint: a returning broker enters the ISR only once it has caught up with the leaders; ask the "
              "cluster again until every partition's ISR holds all its replicas.",
        "ru": "У партиции {partition} топика '{topic}' ISR {isr} при репликах {replicas}: не все вернулись. "
              "Подсказка: вернувшийся брокер входит в ISR, только когда догонит лидеров; спрашивайте кластер "
              "снова, пока ISR каждой партиции не будет содержать все её реплики.",
    },
    "lab04_isr_restored": {
        "en": "isr_restored = {found} does not match the cluster: {expected}. Hint: store it after the wait, as the "
              "cluster reports it: each partition number of 'months' with its ISR as a list.",
        "ru": "isr_restored = {found} не совпадает с кластером: {expected}. Подсказка: сохраните его после "
              "ожидания, так, как его сообщает кластер: каждый номер партиции 'months' с её ISR списком.",
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
    "lab04_ledger_shape": {
        "en": "Topic 'ledger' has {partitions} partition(s) and replication factor {rf}; the given cell creates it "
              "with 3 and 2. Run the cells of exercise 7 again in order, without changing the given ones.",
        "ru": "У топика 'ledger' партиций: {partitions}, фактор репликации {rf}, а данная ячейка создаёт его с 3 и 2. "
              "Снова выполните ячейки упражнения 7 по порядку, не меняя данные ячейки.",
    },
    "lab04_ledger_down_bad": {
        "en": "down = {found} is not a broker of this cluster (brokers {brokers}). Run the cells of exercise 7 again "
              "in order, without changing the given ones.",
        "ru": "down = {found} — не брокер этого кластера (брокеры {brokers}). Снова выполните ячейки упражнения 7 "
              "по порядку, не меняя данные ячейки.",
    },
    "lab04_ledger_not_stopped": {
        "en": "The cluster shows no leader election for partition(s) {partitions} of 'ledger', which broker {down} "
              "led: it has not been stopped since 'ledger' was created. Run the cell that stops it (after your "
              "prediction), then the cell that starts it again, then check again.",
        "ru": "Кластер не видел выборов лидера у партиций {partitions} топика 'ledger', которые вёл брокер {down}: "
              "после создания 'ledger' его не останавливали. Выполните ячейку, которая его останавливает (после "
              "своего предсказания), затем ячейку, которая запускает его снова, и проверьте ещё раз.",
    },
    "lab04_ledger_observed": {
        "en": "observed = {found}, but with broker {down} down the replicas of 'ledger' ({replicas}) give {expected}. "
              "The cell that stops the broker did not run as given, or 'ledger' changed since. Run the cells of "
              "exercise 7 again in order, without changing the given ones.",
        "ru": "observed = {found}, а при лежащем брокере {down} реплики 'ledger' ({replicas}) дают {expected}. "
              "Ячейка, которая останавливает брокер, выполнилась не в данном виде, или 'ledger' с тех пор "
              "изменился. Снова выполните ячейки упражнения 7 по порядку, не меняя данные ячейки.",
    },
    "lab04_predict_under_replicated": {
        "en": "prediction['under_replicated'] is {given!r}, but with broker {down} down {real} partition(s) of "
              "'ledger' are under-replicated (fewer replicas in sync than in the replica list). Hint: a replica on "
              "a stopped broker cannot stay in sync; which partitions of the table keep a replica on broker {down}?",
        "ru": "prediction['under_replicated'] равно {given!r}, а при лежащем брокере {down} недореплицированных "
              "партиций у 'ledger': {real} (синхронных реплик меньше, чем в списке реплик). Подсказка: реплика на "
              "остановленном брокере не может оставаться синхронной; у каких партиций в таблице есть реплика на "
              "брокере {down}?",
    },
    "lab04_predict_no_leader": {
        "en": "prediction['no_leader'] is {given!r}, but {real} partition(s) of 'ledger' were left without a leader "
              "while broker {down} was down. Hint: a partition loses its leader only when no replica is left in sync "
              "to take over; before the stop every replica was in sync, and each partition has two replicas on two "
              "different brokers.",
        "ru": "prediction['no_leader'] равно {given!r}, а без лидера, пока лежал брокер {down}, осталось партиций "
              "'ledger': {real}. Подсказка: партиция теряет лидера, только когда не осталось ни одной синхронной "
              "реплики, которая могла бы его заменить; до остановки все реплики были синхронными, а у каждой "
              "партиции две реплики на двух разных брокерах.",
    },
    "lab04_predict_leader_p0": {
        "en": "prediction['leader_p0'] is {given!r}, but partition 0 of 'ledger' (replicas {replicas}) was led by "
              "broker {real} while broker {down} was down. Hint: when its leader stops, a partition's leadership "
              "goes to a replica still in sync; when a follower stops, the leader stays where it is.",
        "ru": "prediction['leader_p0'] равно {given!r}, а партицию 0 топика 'ledger' (реплики {replicas}), пока лежал "
              "брокер {down}, вёл брокер {real}. Подсказка: когда останавливается лидер, лидерство переходит к "
              "реплике, которая ещё синхронна; когда останавливается фолловер, лидер остаётся на месте.",
    },
    "lab04_invoices_partitions": {
        "en": "Topic 'invoices' has {found} partition(s), expected 6. Hint: a topic cannot lose partitions; delete "
              "it (kafka-topics.sh --delete --topic invoices) and create it again.",
        "ru": "У топика 'invoices' партиций: {found}, а нужно 6. Подсказка: партиции нельзя убрать; удалите топик "
              "(kafka-topics.sh --delete --topic invoices) и создайте заново.",
    },
    "lab04_invoices_durable": {
        "en": "'invoices' has replication factor {rf} and min.insync.replicas={min_isr}: once a partition's ISR "
              "shrinks to one replica, acks=all acknowledges a write that only one broker stores. Hint: which topic "
              "setting says how many replicas in sync acks=all needs before it acknowledges a write?",
        "ru": "У 'invoices' фактор репликации {rf} и min.insync.replicas={min_isr}: стоит ISR партиции сократиться до "
              "одной реплики, и acks=all подтверждает запись, которая хранится только на одном брокере. Подсказка: "
              "какая настройка топика говорит, сколько синхронных реплик нужно acks=all, чтобы подтвердить запись?",
    },
    "lab04_invoices_one_down": {
        "en": "'invoices' has replication factor {rf} and min.insync.replicas={min_isr}: when a broker that holds "
              "one of a partition's replicas is down, at most {left} replica(s) of it stay in sync, fewer than "
              "acks=all then demands, and its writes are refused (NOT_ENOUGH_REPLICAS). Hint: how many replicas must "
              "a partition have so that it can lose one and still have enough in sync? The replication factor "
              "cannot be changed in place here: delete the topic and create it again.",
        "ru": "У 'invoices' фактор репликации {rf} и min.insync.replicas={min_isr}: когда лежит брокер с одной из "
              "реплик партиции, синхронными остаются не больше {left}, меньше, чем тогда требует acks=all, и записи "
              "в неё отклоняются (NOT_ENOUGH_REPLICAS). Подсказка: сколько реплик нужно партиции, чтобы потерять "
              "одну и сохранить достаточно синхронных? Фактор репликации здесь на месте не поменять: удалите топик "
              "и создайте заново.",
    },
    "lab04_invoices_leaders": {
        "en": "Partitions of 'invoices' led per broker: {found}; with 6 partitions on 3 brokers each broker should "
              "lead 2 (None: no leader). Hint: Kafka spreads the leaderships evenly when it creates a topic while "
              "every broker runs; kafka-leader-election.sh --election-type PREFERRED gives moved leaderships back.",
        "ru": "Партиций 'invoices' ведёт каждый брокер: {found}; при 6 партициях на 3 брокерах каждый должен вести 2 "
              "(None — без лидера). Подсказка: Kafka распределяет лидерство поровну, когда создаёт топик при всех "
              "работающих брокерах; kafka-leader-election.sh --election-type PREFERRED возвращает переехавшее "
              "лидерство.",
    },
})


def leader_epochs(ctx, topic: str) -> dict[int, int]:
    """partition -> current leader epoch (0 for a new topic; +1 with every leader election)."""
    from confluent_kafka import TopicPartition
    from confluent_kafka.admin import OffsetSpec

    info = ctx.topic(topic, with_config=False)
    request = {TopicPartition(topic, p.partition): OffsetSpec.latest() for p in info.partitions}

    def ask():  # right after a failover a broker may answer with a stale epoch (FENCED/NOT_LEADER): again
        futures = ctx.inspect.admin(ctx.cluster).list_offsets(request, request_timeout=10)
        return {tp.partition: future.result(timeout=10).leader_epoch for tp, future in futures.items()}

    return wait_for(ask, 15, f"the leader epochs of {topic}", every=0.5, retry_on=ANSWER_PENDING, raise_last=True)[0]


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

    def ask():  # a broker that has just come back may not answer yet: again
        futures = ctx.inspect.admin(ctx.cluster).describe_topics(TopicCollection([name]), request_timeout=10)
        return str(futures[name].result(timeout=10).topic_id)

    return plain_id(wait_for(ask, 15, f"the id of {name}", every=0.5, retry_on=ANSWER_PENDING, raise_last=True)[0])


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


BROKERS = (0, 1, 2)


def _prediction_answer(value):
    """A prediction item as the check compares it: numbers as int ("2", 2.0, "broker-1", "брокер 1" too),
    yes/no never as a number (True would equal 1)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        word = value.strip().lower()
        for prefix in ("broker", "брокер"):
            if word.startswith(prefix):
                word = word[len(prefix):].lstrip(" -_#")
        return int(word) if word.lstrip("-").isdigit() else word
    return value


def ledger_truth(ctx):
    """(stopped broker, ledger's replicas {partition: list}, what the cluster shows while it is down).

    The truth follows from the replica assignment (which does not change) and the stopped broker, which
    the cluster confirms: every partition that broker led has had a leader election since. Before the stop
    every replica was in sync and every partition led by its preferred replica (the given cell waits for
    both), so while it is down a partition is under-replicated when it has a replica there, has no leader
    when every replica is there, and is led by its first replica that is not there.
    """
    info = ctx.topic("ledger", with_config=False)
    ctx.expect(len(info.partitions) == 3 and info.replication_factor == 2, "lab04_ledger_shape",
               partitions=len(info.partitions), rf=info.replication_factor)
    down = _int(ctx, "down")
    ctx.expect(down in BROKERS, "lab04_ledger_down_bad", found=down, brokers=list(BROKERS))
    replicas = {p.partition: list(p.replicas) for p in info.partitions}
    led = [p for p, r in replicas.items() if r[0] == down]
    epochs = leader_epochs(ctx, "ledger")
    not_elected = [p for p in led if (epochs.get(p) or 0) < 1]
    ctx.expect(led and not not_elected, "lab04_ledger_not_stopped", partitions=not_elected or "-", down=down)
    live = {p: [b for b in r if b != down] for p, r in replicas.items()}
    truth = {"under_replicated": sum(down in r for r in replicas.values()),
             "no_leader": sum(not rest for rest in live.values()),
             "leader_p0": live[0][0] if live[0] else None}
    return down, replicas, truth, epochs


@exercise("lab04.ex7", points=3)
def broker_stop_predicted(ctx):
    down, replicas, truth, epochs = ledger_truth(ctx)
    observed = ctx.var("observed", dict)
    ctx.expect({k: observed.get(k) for k in truth} == truth, "lab04_ledger_observed", found=observed, down=down,
               replicas=replicas, expected=truth)
    given = ctx.var("prediction", dict)
    for item, want in truth.items():
        guess = given.get(item)
        ctx.expect(_prediction_answer(guess) == want, f"lab04_predict_{item}", given=guess, real=want, down=down,
                   replicas=replicas[0])
    return {"down": down, "replicas": replicas, "while_down": truth, "leader_epochs": epochs}


@exercise("lab04.ex8", points=3)
def invoices_designed(ctx):
    info = ctx.topic("invoices")
    ctx.expect(len(info.partitions) == 6, "lab04_invoices_partitions", found=len(info.partitions))
    rf = info.replication_factor
    min_isr = int(info.config.get("min.insync.replicas", "1"))
    ctx.expect(min_isr >= 2, "lab04_invoices_durable", rf=rf, min_isr=min_isr)
    # one broker down takes at most one replica of a partition out of its ISR (replicas sit on distinct brokers)
    ctx.expect(rf - 1 >= min_isr, "lab04_invoices_one_down", rf=rf, min_isr=min_isr, left=rf - 1)
    leaders = Counter(p.leader for p in info.partitions)
    ctx.expect(dict(leaders) == {b: 2 for b in BROKERS}, "lab04_invoices_leaders",
               found=dict(sorted(leaders.items(), key=str)))
    return {"partitions": 6, "replication_factor": rf, "min_insync_replicas": min_isr,
            "leaders_per_broker": dict(sorted(leaders.items()))}
