"""Checks of lab 05 (consumer groups and lag): they read committed offsets, lag and members from the cluster.

Exercises 6-8 ask for reasoning: a prediction of a rebalance and its lag (clicks), a billing service that
bills again after every restart (invoices), a topic and group designed for per-parcel order (parcels)."""
from collections import Counter

from kafkalab.grading import Fail, exercise
from kafkalab.i18n import register

GROUP = "numbers-group"
IDLE_GROUP = "idle-group"
CLICKS_GROUP = "clicks-group"  # exercise 6: the experiment's group on 'clicks' (5 partitions)
BILLING_GROUP = "billing"  # exercise 7
OLD_INVOICES = [f"inv-{i:02d}" for i in range(30)]
NEW_INVOICES = [f"inv-{i:02d}" for i in range(30, 40)]
TRACKERS = "trackers"  # exercise 8: the group of 4 consumers on 'parcels'
PARCELS = ["PX6957", "PX1417", "PX2152", "PX4407", "PX7164", "PX3433", "PX5132", "PX6691", "PX6966",
           "PX8768", "PX3012", "PX2889"]
EVENTS = [(parcel, status) for status in ("accepted", "sorted", "shipped", "delivered") for parcel in PARCELS]

register({
    "lab05_partitions": {
        "en": "Topic 'numbers' has {found} partitions, expected 5. Hint: a topic cannot lose partitions, and "
              "--if-not-exists keeps a topic that exists: delete it (kafka-topics.sh --delete) and create it again "
              "with the right number.",
        "ru": "У топика 'numbers' партиций: {found}, а нужно 5. Подсказка: партиции нельзя убрать, а --if-not-exists "
              "оставляет существующий топик как есть: удалите его (kafka-topics.sh --delete) и создайте заново с "
              "нужным числом.",
    },
    "lab05_rf": {
        "en": "Topic 'numbers' has replication factor {found}, expected 1. Hint: the replication factor is chosen "
              "when the topic is created; delete it and create it again.",
        "ru": "У топика 'numbers' фактор репликации {found}, а нужен 1. Подсказка: фактор репликации выбирается при "
              "создании топика; удалите его и создайте заново.",
    },
    "lab05_numbers_missing": {
        "en": "Topic 'numbers' lacks the values {missing} (0..99 expected, key = value). Hint: produce() only queues "
              "a message; send all hundred and wait for the broker's answers (flush).",
        "ru": "В топике 'numbers' нет значений {missing} (нужны 0..99, ключ = значение). Подсказка: produce() только "
              "ставит сообщение в очередь; отправьте все сто и дождитесь ответов брокера (flush).",
    },
    "lab05_key": {
        "en": "Value {value} is stored with key {found}; key and value must be equal. Hint: the key decides the "
              "partition, so give every message its number as the key too, as text.",
        "ru": "Значение {value} записано с ключом {found}; ключ и значение должны совпадать. Подсказка: партицию "
              "выбирает ключ, так что дайте каждому сообщению его номер и в качестве ключа, строкой.",
    },
    "lab05_per_partition": {
        "en": "produced_per_partition = {found}, but the cluster holds 0..99 as {expected}. Hint: only the broker's "
              "answers say where each message went: count them per partition in the delivery callback "
              "(msg.partition() of each report without an error), once every answer has arrived; do not compute "
              "partitions yourself.",
        "ru": "produced_per_partition = {found}, а в кластере 0..99 распределены так: {expected}. Подсказка: куда "
              "попало каждое сообщение, говорят только ответы брокера: считайте их по партициям в callback "
              "доставки (msg.partition() каждого отчёта без ошибки), когда придут все ответы; не вычисляйте "
              "партиции сами.",
    },
    "lab05_assignment_shape": {
        "en": "assignment = {found} should give each of the 3 consumers at least one partition, every partition "
              "of 'numbers' ({partitions}) to exactly one consumer. Hint: a consumer is in the group only while it "
              "polls, and the coordinator shares the partitions among the members it has: poll all three in turn "
              "until each has an assignment, and take the assignment once the group has settled.",
        "ru": "assignment = {found}: каждый из 3 консьюмеров должен получить хотя бы одну партицию, а каждая "
              "партиция 'numbers' ({partitions}) — ровно одного консьюмера. Подсказка: консьюмер в группе, только пока "
              "опрашивает брокер, а координатор делит партиции между теми участниками, что есть: опрашивайте всех "
              "троих по очереди, пока у каждого не появится назначение, и берите назначение, когда группа "
              "устоялась.",
    },
    "lab05_assignment_live": {
        "en": "assignment = {found}, but the group's live members own {expected}. Hint: partitions move while the "
              "group settles; read each consumer's assignment after the last rebalance.",
        "ru": "assignment = {found}, а живые участники группы владеют {expected}. Подсказка: пока группа "
              "не устоялась, партиции переезжают; читайте назначение каждого консьюмера после последней "
              "ребалансировки.",
    },
    "lab05_consumed": {
        "en": "consumed = {found} adds up to {total}, fewer than the {expected} messages 0..99. Hint: keep polling "
              "until every consumer's position in each of its partitions has reached the partition's end offset, "
              "and count every message read, again after a rebalance too.",
        "ru": "consumed = {found} в сумме даёт {total}, меньше чем {expected} сообщений 0..99. Подсказка: "
              "опрашивайте, пока позиция каждого консьюмера в каждой его партиции не дойдёт до конечного смещения "
              "партиции, и считайте каждое прочитанное сообщение, в том числе повторно после ребалансировки.",
    },
    "lab05_not_committed": {
        "en": "Group '{group}' has committed offset {committed} on partition {partition}, but messages 0..99 "
              "end at {needed} there. Hint: with auto-commit off, the group remembers only what its members "
              "commit: read to the end, then commit each consumer's position and let the commit finish (commit() "
              "can wait: its asynchronous argument) before you close the consumer.",
        "ru": "Закоммиченное смещение группы '{group}' в партиции {partition} — {committed}, а сообщения 0..99 "
              "там кончаются на {needed}. Подсказка: при выключенном автокоммите группа помнит только то, что "
              "закоммитили её участники: дочитайте до конца, затем закоммитьте позицию каждого консьюмера и "
              "дождитесь конца коммита (commit() умеет ждать: аргумент asynchronous), прежде чем закрывать "
              "консьюмер.",
    },
    "lab05_no_lag_messages": {
        "en": "Topic 'numbers' has no messages 100..149 yet. Hint: lag grows when messages arrive and nobody reads "
              "them: produce them (and flush) without consuming.",
        "ru": "В топике 'numbers' ещё нет сообщений 100..149. Подсказка: лаг растёт, когда сообщения приходят, а их "
              "никто не читает: отправьте их (и вызовите flush), ничего не читая.",
    },
    "lab05_lag_reported": {
        "en": "lag_reported = {found}, but the 50 new messages fell behind as {expected} (partition -> lag). "
              "Hint: the lag of a partition is its end offset minus the group's committed offset; the cluster "
              "reports it per partition (the LAG column of kafka-consumer-groups.sh --describe, or "
              "ki.describe_group).",
        "ru": "lag_reported = {found}, а 50 новых сообщений дали лаг {expected} (партиция -> лаг). "
              "Подсказка: лаг партиции — её конечное смещение минус закоммиченное смещение группы; кластер "
              "сообщает его по партициям (столбец LAG в kafka-consumer-groups.sh --describe или "
              "ki.describe_group).",
    },
    "lab05_lag_live": {
        "en": "lag_reported = {found} differs from the group's lag now: {expected}. Hint: ask the cluster after the "
              "50 messages are stored (after flush), not before.",
        "ru": "lag_reported = {found} отличается от текущего лага группы: {expected}. Подсказка: спрашивайте "
              "кластер после того, как 50 сообщений сохранены (после flush), а не раньше.",
    },
    "lab05_lag_left": {
        "en": "Group '{group}' still lags: {lag} (partition -> lag). Hint: only a consumer in {group} moves that "
              "group's committed offsets: the console consumer must join it (an option of the tool), read what "
              "was missed and stop by itself, since it commits when it exits.",
        "ru": "Группа '{group}' всё ещё отстаёт: {lag} (партиция -> лаг). Подсказка: закоммиченные смещения {group} "
              "сдвигает только консьюмер из этой группы: консольный консьюмер должен в неё войти (опция "
              "инструмента), прочитать пропущенное и остановиться сам, потому что коммитит он при выходе.",
    },
    "lab05_caught_up": {
        "en": "caught_up = {found}, but the group had {expected} messages to catch up (100..149). Hint: a group goes "
              "on from its committed offsets; count the lines the tool printed (the result's .lines).",
        "ru": "caught_up = {found}, а догонять группе нужно было {expected} сообщений (100..149). Подсказка: группа "
              "продолжает с закоммиченных смещений; посчитайте строки, которые напечатал инструмент (.lines "
              "результата).",
    },
    "lab05_idle_members": {
        "en": "Group '{group}' has {members} live members on {partitions} partitions; expected more members than "
              "partitions (7). Hint: keep the 7 consumers open and polled until the check.",
        "ru": "В группе '{group}' живых участников: {members} на {partitions} партиций; нужно больше участников, "
              "чем партиций (7). Подсказка: держите 7 консьюмеров открытыми и опрошенными до проверки.",
    },
    "lab05_idle_unsettled": {
        "en": "Group '{group}' has not settled: its members own {owned} partitions of {partitions}. Hint: poll "
              "all consumers until the assignment is complete.",
        "ru": "Группа '{group}' ещё не устоялась: участники владеют {owned} партициями из {partitions}. "
              "Подсказка: опрашивайте всех консьюмеров, пока назначение не завершится.",
    },
    "lab05_idle_count": {
        "en": "idle_consumers = {found}, but {expected} members of '{group}' own no partition. Hint: in a group a "
              "partition has one owner; count the consumers whose assignment is empty once the group has settled.",
        "ru": "idle_consumers = {found}, а без партиций в группе '{group}' участников: {expected}. Подсказка: в группе "
              "у партиции один владелец; посчитайте консьюмеров с пустым назначением, когда группа устоялась.",
    },
    "lab05_balance": {
        "en": "The partitions are split {found} among the consumers; a group balances them (sizes differ by at "
              "most 1).",
        "ru": "Партиции распределены между консьюмерами как {found}; группа распределяет их поровну (размеры "
              "отличаются не больше чем на 1).",
    },    "lab05_clicks_members": {
        "en": "Group 'clicks-group' has {members} live member(s) owning {owned} of the 5 partitions of 'clicks'; "
              "the experiment leaves 2 members that own all 5. Run the experiment cell (after your prediction) "
              "and keep its consumers open until the check.",
        "ru": "В группе 'clicks-group' живых участников: {members}, они владеют {owned} из 5 партиций 'clicks'; "
              "после эксперимента в группе остаются 2 участника, которые владеют всеми 5. Выполните ячейку "
              "эксперимента (после своего предсказания) и не закрывайте её консьюмеры до проверки.",
    },
    "lab05_predict_partitions_after": {
        "en": "prediction['partitions_after'] is {given!r}, but the two consumers own {real} partitions. Hint: "
              "a group shares its partitions as evenly as it can among the members it has now, and every "
              "partition has exactly one owner.",
        "ru": "prediction['partitions_after'] равно {given!r}, а два консьюмера владеют {real} партициями. "
              "Подсказка: группа делит партиции как можно ровнее между теми участниками, что в ней сейчас, и "
              "у каждой партиции ровно один владелец.",
    },
    "lab05_predict_lag": {
        "en": "prediction['lag'] is {given!r}, but the total lag of 'clicks-group' is {real}. Hint: lag is end "
              "offset minus committed offset in each partition. The group committed all it had read before "
              "the last 20 clicks came in; has anybody read or committed since?",
        "ru": "prediction['lag'] равно {given!r}, а суммарный лаг 'clicks-group' равен {real}. Подсказка: лаг — "
              "это конечное смещение минус закоммиченное в каждой партиции. Группа зафиксировала всё "
              "прочитанное до того, как пришли последние 20 кликов; читал ли и фиксировал ли кто-нибудь "
              "что-то после этого?",
    },
    "lab05_predict_lag_of_busiest": {
        "en": "prediction['lag_of_busiest'] is {given!r}, but the partitions of the consumer that owns the most "
              "lag {real} in total. Hint: each partition got 4 of the last 20 clicks; how many partitions does "
              "that consumer own?",
        "ru": "prediction['lag_of_busiest'] равно {given!r}, а у партиций консьюмера, который владеет больше "
              "всех, суммарный лаг {real}. Подсказка: каждая партиция получила 4 из последних 20 кликов; "
              "сколькими партициями владеет этот консьюмер?",
    },
    "lab05_billing_diagnosis": {
        "en": "diagnosis = {found} does not say what the service fails to do. Hint: compare where a restarted "
              "consumer starts with what its group has committed (kafka-consumer-groups.sh --describe --group "
              "billing: CURRENT-OFFSET), and name it as Kafka spells its setting and method (commit).",
        "ru": "diagnosis = {found} не говорит, чего не делает сервис. Подсказка: сравните, откуда начинает "
              "перезапущенный консьюмер, с тем, что зафиксировала его группа (kafka-consumer-groups.sh "
              "--describe --group billing: CURRENT-OFFSET), и назовите это так, как Kafka пишет свою настройку "
              "и метод (commit).",
    },
    "lab05_billing_uncommitted": {
        "en": "Group 'billing' has committed offset {committed} in partition {partition} of 'invoices', whose "
              "end is {end}: the next restart bills again from there. Hint: the fixed service must commit what "
              "it has billed before it closes.",
        "ru": "Группа 'billing' зафиксировала смещение {committed} в партиции {partition} топика 'invoices', а "
              "её конец — {end}: следующий перезапуск снова выставит счета оттуда. Подсказка: исправленный "
              "сервис должен зафиксировать смещения выставленных счетов до того, как закроется.",
    },
    "lab05_billing_old_again": {
        "en": "billed_new holds invoices that were billed before the fix: {old}. The group had committed nothing, "
              "so the first run of the fixed service started from the beginning again. Hint: before the new "
              "invoices arrive, the group's committed offsets must stand at the end of the old ones, without "
              "billing them.",
        "ru": "В billed_new есть счета, выставленные ещё до исправления: {old}. Группа ничего не зафиксировала, "
              "поэтому первый запуск исправленного сервиса снова начал с начала. Подсказка: до прихода новых "
              "счетов закоммиченные смещения группы должны стоять в конце старых, и выставлять их заново нельзя.",
    },
    "lab05_billing_new": {
        "en": "billed_new = {found}, but the first run after the fix should bill exactly the 10 new invoices "
              "{want}. Hint: after your fix, write the 10 new invoices, then run your service once "
              "(billed_new) and once more (billed_again).",
        "ru": "billed_new = {found}, а первый запуск после исправления должен выставить ровно 10 новых счетов "
              "{want}. Подсказка: после исправления запишите 10 новых счетов, затем запустите сервис один раз "
              "(billed_new) и ещё раз (billed_again).",
    },
    "lab05_billing_again": {
        "en": "billed_again = {found}: one more restart billed these again. Hint: commit what a run has billed "
              "before the consumer closes.",
        "ru": "billed_again = {found}: ещё один перезапуск снова выставил эти счета. Подсказка: фиксируйте "
              "смещения выставленных счетов до того, как консьюмер закроется.",
    },
    "lab05_parcels_partitions": {
        "en": "Topic 'parcels' has {partitions} partition(s) for 4 consumers: in a group each partition has one "
              "owner, so {idle} consumer(s) would get nothing to do. Hint: a topic cannot lose partitions; "
              "delete it (kafka-topics.sh --delete --topic parcels) and create it with enough.",
        "ru": "У топика 'parcels' партиций: {partitions} на 4 консьюмера: в группе у каждой партиции один "
              "владелец, так что консьюмерам ({idle}) нечего будет делать. Подсказка: партиции нельзя убрать; "
              "удалите топик (kafka-topics.sh --delete --topic parcels) и создайте его с достаточным числом "
              "партиций.",
    },
    "lab05_parcels_set": {
        "en": "'parcels' holds {count} message(s); expected each event of EVENTS once, with the value "
              "'parcel:status'. Missing: {missing}; extra or repeated: {extra}. If you sent twice, delete the "
              "topic and send again.",
        "ru": "В 'parcels' сообщений: {count}; нужно по одному сообщению на каждое событие из EVENTS со "
              "значением 'посылка:статус'. Не хватает: {missing}; лишние или повторные: {extra}. Если "
              "отправили дважды, удалите топик и отправьте заново.",
    },
    "lab05_parcels_split": {
        "en": "The events of parcel '{parcel}' are in partitions {partitions}: different consumers would process "
              "them, in no guaranteed order. Hint: the key decides the partition (the same key, the same "
              "partition); choose a key that is the same for all events of a parcel.",
        "ru": "События посылки '{parcel}' лежат в партициях {partitions}: их обработают разные консьюмеры, и "
              "порядок не гарантирован. Подсказка: партицию выбирает ключ (тот же ключ — та же партиция); "
              "выберите ключ, одинаковый для всех событий посылки.",
    },
    "lab05_parcels_order": {
        "en": "The events of parcel '{parcel}' are stored as {found}, but happened as {want}. Hint: a partition "
              "keeps the order of sending; send the events one by one in the order of EVENTS.",
        "ru": "События посылки '{parcel}' сохранены как {found}, а произошли в порядке {want}. Подсказка: "
              "партиция хранит порядок отправки; отправляйте события по одному в порядке EVENTS.",
    },
    "lab05_trackers_members": {
        "en": "Group 'trackers' has {members} live member(s) on 'parcels'; expected the 4 consumers. Hint: "
              "start 4 consumers in the group, poll them until each has partitions, and keep them open until "
              "the check.",
        "ru": "В группе 'trackers' живых участников на 'parcels': {members}; нужно 4 консьюмера. Подсказка: "
              "запустите 4 консьюмера в группе, опрашивайте их, пока у каждого не появятся партиции, и не "
              "закрывайте их до проверки.",
    },
    "lab05_trackers_idle": {
        "en": "A member of 'trackers' owns partitions {partitions}, which hold no events: that consumer gets no "
              "work. Hint: the key spreads the events over the partitions; a key with many different values "
              "(one per parcel) leaves no partition empty here.",
        "ru": "Участник 'trackers' владеет партициями {partitions}, в которых нет событий: этому консьюмеру "
              "нечего делать. Подсказка: события по партициям раскладывает ключ; ключ со многими разными "
              "значениями (свой у каждой посылки) здесь не оставляет пустых партиций.",
    },
    "lab05_trackers_uncommitted": {
        "en": "Group 'trackers' has committed offset {committed} in partition {partition} of 'parcels', whose "
              "end is {end}. Hint: poll every consumer until it has read its partitions to the end, then "
              "c.commit(asynchronous=False) on each.",
        "ru": "Группа 'trackers' зафиксировала смещение {committed} в партиции {partition} топика 'parcels', а "
              "её конец — {end}. Подсказка: опрашивайте каждый консьюмер, пока он не дочитает свои партиции до "
              "конца, затем вызовите c.commit(asynchronous=False) у каждого.",
    },
})


def number_messages(ctx) -> list[tuple[int, int, str | None, int]]:
    """(partition, offset, key, number) of every message of 'numbers' whose value is a number."""
    found = []
    for partition, offset, key, value in ctx.messages("numbers", max_messages=20000):
        if value is not None and value.isdigit():
            found.append((partition, offset, key, int(value)))
    return found


def originals_end(ctx) -> dict[int, int]:
    """partition -> offset just after its last message 0..99 (where the group must have committed)."""
    ends: dict[int, int] = {}
    for partition, offset, _, number in number_messages(ctx):
        if number < 100:
            ends[partition] = max(ends.get(partition, 0), offset + 1)
    return ends


def new_per_partition(ctx) -> dict[int, int]:
    """partition -> how many of the messages 100..149 it holds."""
    counts: dict[int, int] = {}
    for partition, _, _, number in number_messages(ctx):
        if 100 <= number < 150:
            counts[partition] = counts.get(partition, 0) + 1
    return counts


def _int_keys(ctx, name: str) -> dict:
    value = ctx.var(name, dict)
    try:
        return {int(k): v for k, v in value.items()}
    except (TypeError, ValueError):
        raise Fail("grading_wrong_type", name=name, expected="dict[int, ...]", actual="dict") from None


@exercise("lab05.ex1", points=2)
def numbers_topic(ctx):
    info = ctx.topic("numbers")
    ctx.expect(len(info.partitions) == 5, "lab05_partitions", found=len(info.partitions))
    ctx.expect(info.replication_factor == 1, "lab05_rf", found=info.replication_factor)
    messages = number_messages(ctx)
    seen = {n for _, _, _, n in messages}
    missing = sorted(set(range(100)) - seen)
    ctx.expect(not missing, "lab05_numbers_missing", missing=", ".join(map(str, missing[:5])))
    truth: dict[int, int] = {}
    for partition, _, key, number in messages:
        if number < 100:
            ctx.expect(key == str(number), "lab05_key", value=number, found=key)
            truth[partition] = truth.get(partition, 0) + 1
    answer = _int_keys(ctx, "produced_per_partition")
    ctx.expect({p: c for p, c in answer.items() if c} == truth, "lab05_per_partition", found=answer, expected=truth)
    return {"per_partition": truth}


@exercise("lab05.ex2", points=3)
def three_consumers(ctx):
    partitions = [p.partition for p in ctx.topic("numbers", with_config=False).partitions]
    raw = _int_keys(ctx, "assignment")
    try:
        answer = {i: sorted(int(p) for p in parts) for i, parts in raw.items()}
    except (TypeError, ValueError):
        raise Fail("lab05_assignment_shape", found=raw, partitions=partitions) from None
    flat = [p for parts in answer.values() for p in parts]
    ctx.expect(len(answer) == 3 and all(answer.values()) and sorted(flat) == sorted(partitions),
               "lab05_assignment_shape", found=answer, partitions=partitions)
    group = ctx.group(GROUP)
    live = [sorted(p for _, p in parts) for parts in group.members.values()]
    if len(live) == 3:  # the consumers still run: the coordinator's view must be the same split
        ctx.expect(sorted(live) == sorted(answer.values()), "lab05_assignment_live", found=answer, expected=live)
    consumed = _int_keys(ctx, "consumed")
    total = sum(v for v in consumed.values() if isinstance(v, int))
    ctx.expect(total >= 100, "lab05_consumed", found=consumed, total=total, expected=100)
    committed = {(p.partition): p.committed for p in group.partitions if p.topic == "numbers"}
    for partition, needed in sorted(originals_end(ctx).items()):
        have = committed.get(partition)
        ctx.expect(have is not None and have >= needed, "lab05_not_committed", group=GROUP, partition=partition,
                   committed=have, needed=needed)
    return {"assignment": answer, "committed": committed, "consumed": total}


@exercise("lab05.ex3", points=2)
def lag_on_purpose(ctx):
    truth = new_per_partition(ctx)
    ctx.expect(truth, "lab05_no_lag_messages")
    answer = _int_keys(ctx, "lag_reported")
    given = {p: v for p, v in answer.items() if v}
    ctx.expect(given == truth, "lab05_lag_reported", found=answer, expected=truth)
    live = {p.partition: p.lag for p in ctx.group(GROUP).partitions if p.topic == "numbers" and p.lag}
    if live:  # not caught up yet: the group's lag now must be what was reported
        ctx.expect(live == given, "lab05_lag_live", found=answer, expected=live)
    return {"lag_created": truth, "lag_now": live}


@exercise("lab05.ex4", points=2)
def caught_up(ctx):
    expected = sum(new_per_partition(ctx).values())
    ctx.expect(expected > 0, "lab05_no_lag_messages")
    group = ctx.group(GROUP)
    left = {p.partition: p.lag for p in group.partitions if p.topic == "numbers" and p.lag}
    ctx.expect(not left and group.partitions, "lab05_lag_left", group=GROUP, lag=left)
    answer = ctx.var("caught_up", int)
    ctx.expect(answer == expected, "lab05_caught_up", found=answer, expected=expected)
    return {"total_lag": group.total_lag, "caught_up": answer}


def idle_state(ctx) -> tuple[int, int, list[int]]:
    """(members, partitions, partitions owned per member) of the idle group, as the coordinator sees it."""
    partitions = len(ctx.topic("numbers", with_config=False).partitions)
    group = ctx.group(IDLE_GROUP)
    sizes = [len(parts) for parts in group.members.values()]
    ctx.expect(len(sizes) > partitions, "lab05_idle_members", group=IDLE_GROUP, members=len(sizes),
               partitions=partitions)
    ctx.expect(sum(sizes) == partitions, "lab05_idle_unsettled", group=IDLE_GROUP, owned=sum(sizes),
               partitions=partitions)
    return len(sizes), partitions, sizes


@exercise("lab05.ex5", points=2)
def idle_consumers(ctx):
    members, partitions, sizes = idle_state(ctx)
    idle = sizes.count(0)
    answer = ctx.var("idle_consumers", int)
    ctx.expect(answer == idle, "lab05_idle_count", found=answer, expected=idle, group=IDLE_GROUP)
    return {"members": members, "partitions": partitions, "idle": idle}


def _answer(value):
    """A prediction item as the check compares it: numbers as int, a list of numbers sorted."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    if isinstance(value, (list, tuple)):
        try:
            return sorted(_answer(v) for v in value)
        except TypeError:
            return list(value)
    return value


@exercise("lab05.ex6", points=3)
def rebalance_prediction(ctx):
    group = ctx.group(CLICKS_GROUP)
    owned = {p for parts in group.members.values() for t, p in parts if t == "clicks"}
    ctx.expect(len(group.members) == 2 and len(owned) == 5, "lab05_clicks_members", members=len(group.members),
               owned=len(owned))
    sizes = sorted(len(parts) for parts in group.members.values())
    lags = [p for p in group.partitions if p.topic == "clicks"]
    busiest = max(group.members, key=lambda m: len(group.members[m]))
    real = {"partitions_after": sizes, "lag": sum(p.lag for p in lags),
            "lag_of_busiest": sum(p.lag for p in lags if p.member == busiest)}
    given = ctx.var("prediction", dict)
    for item, want in real.items():
        guess = given.get(item)
        ctx.expect(_answer(guess) == want, f"lab05_predict_{item}", given=guess, real=want)
    return {"prediction": real, "lag_per_partition": {p.partition: p.lag for p in lags}}


def committed_at_end(ctx, group_name: str, topic: str, key: str) -> dict[int, int | None]:
    """partition -> committed offset of the group; Fail with `key` unless every non-empty partition is
    committed up to its end."""
    group = ctx.group(group_name)
    committed = {p.partition: p.committed for p in group.partitions if p.topic == topic}
    ends = ctx.inspect.end_offsets(ctx.cluster, topic)
    starts = ctx.inspect.start_offsets(ctx.cluster, topic)
    for partition, end in sorted(ends.items()):
        if end > starts[partition]:
            have = committed.get(partition)
            ctx.expect(have == end, key, partition=partition, committed=have, end=end)
    return committed


@exercise("lab05.ex7", points=3)
def billing_fixed(ctx):
    diagnosis = ctx.var("diagnosis", str)
    ctx.expect("commit" in diagnosis.lower(), "lab05_billing_diagnosis", found=repr(diagnosis[:120]))
    committed = committed_at_end(ctx, BILLING_GROUP, "invoices", "lab05_billing_uncommitted")
    billed_new = ctx.var("billed_new", list)
    old = sorted({v for v in billed_new if v in OLD_INVOICES})
    ctx.expect(not old, "lab05_billing_old_again", old=old[:5] + (["..."] if len(old) > 5 else []))
    ctx.expect(sorted(billed_new, key=str) == NEW_INVOICES, "lab05_billing_new", found=billed_new,
               want=NEW_INVOICES)
    billed_again = ctx.var("billed_again", list)
    ctx.expect(not billed_again, "lab05_billing_again", found=billed_again)
    return {"committed": committed, "billed_new": len(billed_new), "billed_again": 0}


@exercise("lab05.ex8", points=3)
def parcels_design(ctx):
    info = ctx.topic("parcels", with_config=False)
    partitions = len(info.partitions)
    ctx.expect(partitions >= 4, "lab05_parcels_partitions", partitions=partitions, idle=max(0, 4 - partitions))
    stored = ctx.messages("parcels")
    found = Counter(v for _, _, _, v in stored)
    want = Counter(f"{parcel}:{status}" for parcel, status in EVENTS)
    ctx.expect(found == want, "lab05_parcels_set", count=len(stored), missing=sorted((want - found).elements())[:6],
               extra=sorted((found - want).elements(), key=str)[:6])
    partition_of = ctx.keyed_in_order(stored, lambda value: tuple(value.split(":")), EVENTS,
                                      "lab05_parcels_split", "lab05_parcels_order", "parcel")
    group = ctx.group(TRACKERS)
    members = {m: sorted(p for t, p in parts if t == "parcels") for m, parts in group.members.items()}
    ctx.expect(len(members) == 4, "lab05_trackers_members", members=len(members))
    holding = {p for p, _, _, _ in stored}
    for parts in members.values():
        ctx.expect(holding & set(parts), "lab05_trackers_idle", partitions=parts)
    committed = committed_at_end(ctx, TRACKERS, "parcels", "lab05_trackers_uncommitted")
    return {"partitions": partitions, "partitions_per_member": sorted(len(p) for p in members.values()),
            "partition_of_parcel": partition_of, "committed": committed}
