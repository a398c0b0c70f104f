"""Checks of lab 05 (consumer groups and lag): they read committed offsets, lag and members from the cluster."""
from kafkalab.grading import Fail, exercise
from kafkalab.i18n import register

GROUP = "numbers-group"
IDLE_GROUP = "idle-group"

register({
    "lab05_partitions": {
        "en": "Topic 'numbers' has {found} partitions, expected 5. Hint: delete it and create it with --partitions 5.",
        "ru": "У топика 'numbers' партиций: {found}, а нужно 5. Подсказка: удалите его и создайте с --partitions 5.",
    },
    "lab05_rf": {
        "en": "Topic 'numbers' has replication factor {found}, expected 1.",
        "ru": "У топика 'numbers' фактор репликации {found}, а нужен 1.",
    },
    "lab05_numbers_missing": {
        "en": "Topic 'numbers' lacks the values {missing} (0..99 expected, key = value). Hint: produce all of "
              "them and flush.",
        "ru": "В топике 'numbers' нет значений {missing} (нужны 0..99, ключ = значение). Подсказка: отправьте "
              "все и вызовите flush.",
    },
    "lab05_key": {
        "en": "Value {value} is stored with key {found}; key and value must be equal.",
        "ru": "Значение {value} записано с ключом {found}; ключ и значение должны совпадать.",
    },
    "lab05_per_partition": {
        "en": "produced_per_partition = {found}, but the cluster holds 0..99 as {expected}. Hint: count "
              "msg.partition() in the delivery callback; do not compute partitions yourself.",
        "ru": "produced_per_partition = {found}, а в кластере 0..99 распределены так: {expected}. Подсказка: "
              "считайте msg.partition() в callback доставки, не вычисляйте партиции сами.",
    },
    "lab05_assignment_shape": {
        "en": "assignment = {found} should give each of the 3 consumers at least one partition, every partition "
              "of 'numbers' ({partitions}) to exactly one consumer. Hint: poll all three until each has an "
              "assignment.",
        "ru": "assignment = {found}: каждый из 3 консьюмеров должен получить хотя бы одну партицию, а каждая "
              "партиция 'numbers' ({partitions}) — ровно одного консьюмера. Подсказка: опрашивайте все три, "
              "пока у каждого не появится назначение.",
    },
    "lab05_assignment_live": {
        "en": "assignment = {found}, but the group's live members own {expected}.",
        "ru": "assignment = {found}, а живые участники группы владеют {expected}.",
    },
    "lab05_consumed": {
        "en": "consumed = {found} adds up to {total}, fewer than the {expected} messages 0..99.",
        "ru": "consumed = {found} в сумме даёт {total}, меньше чем {expected} сообщений 0..99.",
    },
    "lab05_not_committed": {
        "en": "Group '{group}' has committed offset {committed} on partition {partition}, but messages 0..99 "
              "end at {needed} there. Hint: read to the end, then c.commit(asynchronous=False) before c.close().",
        "ru": "Группа '{group}' зафиксировала смещение {committed} в партиции {partition}, а сообщения 0..99 "
              "там кончаются на {needed}. Подсказка: дочитайте до конца и вызовите c.commit(asynchronous=False) "
              "до c.close().",
    },
    "lab05_no_lag_messages": {
        "en": "Topic 'numbers' has no messages 100..149 yet. Hint: produce them without consuming.",
        "ru": "В топике 'numbers' ещё нет сообщений 100..149. Подсказка: отправьте их, ничего не читая.",
    },
    "lab05_lag_reported": {
        "en": "lag_reported = {found}, but the 50 new messages fell behind as {expected} (partition -> lag). "
              "Hint: lag = end offset - committed offset; ask ki.describe_group(cluster, 'numbers-group').",
        "ru": "lag_reported = {found}, а 50 новых сообщений дали лаг {expected} (партиция -> лаг). "
              "Подсказка: лаг = конечное смещение - закоммиченное; спросите ki.describe_group(cluster, "
              "'numbers-group').",
    },
    "lab05_lag_live": {
        "en": "lag_reported = {found} differs from the group's lag now: {expected}.",
        "ru": "lag_reported = {found} отличается от текущего лага группы: {expected}.",
    },
    "lab05_lag_left": {
        "en": "Group '{group}' still lags: {lag} (partition -> lag). Hint: consume with --group {group} so the "
              "console consumer commits for that group.",
        "ru": "Группа '{group}' всё ещё отстаёт: {lag} (партиция -> лаг). Подсказка: читайте с --group {group}, "
              "чтобы консольный консьюмер фиксировал смещения этой группы.",
    },
    "lab05_caught_up": {
        "en": "caught_up = {found}, but the group had {expected} messages to catch up (100..149).",
        "ru": "caught_up = {found}, а догонять группе нужно было {expected} сообщений (100..149).",
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
        "en": "idle_consumers = {found}, but {expected} members of '{group}' own no partition.",
        "ru": "idle_consumers = {found}, а без партиций в группе '{group}' участников: {expected}.",
    },
    "lab05_balance": {
        "en": "The partitions are split {found} among the consumers; a group balances them (sizes differ by at "
              "most 1).",
        "ru": "Партиции распределены между консьюмерами как {found}; группа распределяет их поровну (размеры "
              "отличаются не больше чем на 1).",
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
