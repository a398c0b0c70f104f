"""Lab 01 checks: brokers and controller, the quorum rule, ZooKeeper roles asked over `srvr`, quorum loss;
a prediction of where replicas go while a broker is down (before, full, spare), a topic that was spread but not
replicated (accounts), a topic and an ensemble designed for two failures (critical)."""
import socket

from kafkalab.grading import exercise
from kafkalab.i18n import register

# exercise 7: the accounts the setup writes, account i into partition i % 3
ACCOUNTS = [f"account-{i}: opened" for i in range(6)]

register({
    "lab01_broker_ids": {
        "en": "`broker_ids` is {given}, but the registered brokers are {real}. Hint: ask the running cluster which "
              "brokers are registered now, not the config files, and keep only their ids, as numbers in order; "
              "kafkalab.inspect (ki) has a function for the live brokers (help(ki)).",
        "ru": "`broker_ids` равен {given}, а зарегистрированы брокеры {real}. Подсказка: спросите у работающего "
              "кластера, какие брокеры зарегистрированы сейчас, а не смотрите в конфиги, и оставьте только их id "
              "— числа, по порядку; в kafkalab.inspect (ki) есть функция для живых брокеров (help(ki)).",
    },
    "lab01_controller": {
        "en": "`controller_id` is {given}, but the controller is broker {real}. Hint: exactly one broker is the "
              "controller, and the cluster's metadata names it; it may be any broker, not the first one. "
              "kafkalab.inspect (ki) has a function that asks for it (help(ki)).",
        "ru": "`controller_id` равен {given}, а контроллер — брокер {real}. Подсказка: контроллер ровно один, и "
              "метаданные кластера его называют; им может быть любой брокер, не обязательно первый. В "
              "kafkalab.inspect (ki) есть функция, которая его спрашивает (help(ki)).",
    },
    "lab01_not_callable": {
        "en": "`{name}` should be a function.",
        "ru": "`{name}` должна быть функцией.",
    },
    "lab01_quorum": {
        "en": "{name}({n}) returned {given}, expected {real}. Hint: a majority of n is more than half of n, the "
              "smallest whole number above n / 2 (for 4 servers that is 3, not 2), and only the servers beyond the "
              "majority may fail. Python's integer division // rounds down: check an odd and an even n.",
        "ru": "{name}({n}) вернула {given}, а нужно {real}. Подсказка: большинство из n — больше половины n, "
              "наименьшее целое больше n / 2 (для 4 серверов это 3, а не 2), а отказать могут только серверы "
              "сверх большинства. Целочисленное деление // в Python округляет вниз: проверьте чётное и нечётное n.",
    },
    "lab01_zk_mode": {
        "en": "zk_mode({port}) for {node} returned {given!r}, but the server answers {real!r} now. Hint: the role is "
              "the word after 'Mode:' in the answer to `srvr`, read to the end; a server that does not serve "
              "answers without that line, and a stopped one refuses the connection (an OSError): both mean None.",
        "ru": "zk_mode({port}) для {node} вернула {given!r}, а сервер сейчас отвечает {real!r}. Подсказка: роль — "
              "слово после 'Mode:' в ответе на `srvr`, прочитанном до конца; сервер, который не обслуживает "
              "запросы, отвечает без этой строки, а остановленный отказывает в соединении (OSError): в обоих "
              "случаях нужен None.",
    },
    "lab01_zk_leader": {
        "en": "`zk_leader` is {given!r}, but that node is not (and never was) the ensemble's leader; the leader now is "
              "{real!r}. Hint: ask every server of ZOOKEEPERS with your zk_mode and keep the name of the one that "
              "says it leads.",
        "ru": "`zk_leader` равен {given!r}, но этот узел не лидер ансамбля (и не был им); сейчас лидер {real!r}. "
              "Подсказка: спросите своей zk_mode каждый сервер из ZOOKEEPERS и сохраните имя того, который "
              "называет себя лидером.",
    },
    "lab01_zk_name": {
        "en": "`{name}` is {given!r}, which is not one of the ZooKeeper nodes {nodes}.",
        "ru": "`{name}` равен {given!r}, а это не один из узлов ZooKeeper {nodes}.",
    },
    "lab01_still_running": {
        "en": "{node} is still running. Hint: the exercise is about an ensemble with one server gone, so {node} must "
              "be off until the end of the lab; the cluster object stops a node by its name (help(cluster)).",
        "ru": "{node} всё ещё работает. Подсказка: упражнение — об ансамбле без одного сервера, поэтому {node} "
              "должен быть выключен до конца лабораторной; объект кластера останавливает узел по имени "
              "(help(cluster)).",
    },
    "lab01_no_majority_now": {
        "en": "Only {serving} of the ZooKeeper servers serve now: the ensemble has no quorum. Hint: exactly one "
              "server should stay stopped at the end; start the one you stopped in exercise 5 again.",
        "ru": "Сейчас запросы обслуживают только {serving} серверов ZooKeeper: у ансамбля нет кворума. Подсказка: "
              "в конце должен быть остановлен ровно один сервер; снова запустите тот, что остановили в упражнении 5.",
    },
    "lab01_topic_shape": {
        "en": "Topic '{topic}' has {partitions} partition(s) with replication factor {rf}; expected {want_p} and {want_rf}.",
        "ru": "У топика '{topic}' партиций: {partitions}, фактор репликации {rf}; нужно {want_p} и {want_rf}.",
    },
    "lab01_mode_without_quorum": {
        "en": "`mode_without_quorum` is {given!r}: with one server of three running, ZooKeeper does not serve, so "
              "zk_mode must return None. Hint: stop a second server, then ask the one left again and again until its "
              "answer changes (it takes a few seconds to notice it has lost its majority), before you start "
              "anything again.",
        "ru": "`mode_without_quorum` равен {given!r}: когда работает один сервер из трёх, ZooKeeper не обслуживает "
              "запросы, и zk_mode должна вернуть None. Подсказка: остановите второй сервер и спрашивайте оставшийся "
              "снова и снова, пока ответ не изменится (ему нужно несколько секунд, чтобы заметить потерю "
              "большинства), и только потом что-то запускайте.",
    },
    "lab01_not_restarted": {
        "en": "{node} was not stopped and started again (its log shows {starts} start(s)); or it is not running now. "
              "Hint: give the ensemble its majority back by starting the server you stopped in this exercise "
              "(the cluster object starts a node by its name, help(cluster)).",
        "ru": "{node} не останавливали и не запускали снова (в его логе запусков: {starts}) или он сейчас не "
              "работает. Подсказка: верните ансамблю большинство — запустите сервер, остановленный в этом "
              "упражнении (объект кластера запускает узел по имени, help(cluster)).",
    },
    "lab01_no_restarted_broker": {
        "en": "No broker was stopped and started again (starts in the brokers' logs: {starts}), or 'spare' is "
              "missing. Run the experiment cell (after your prediction) as it is; to start over, run the first "
              "cell again.",
        "ru": "Ни один брокер не останавливали и не запускали снова (запусков в логах брокеров: {starts}) или "
              "нет 'spare'. Выполните ячейку эксперимента (после своего предсказания) как есть; чтобы начать "
              "сначала, снова выполните первую ячейку.",
    },
    "lab01_predict_full_created": {
        "en": "prediction['full_created'] is {given!r}, but it is {real} ('full' exists: True; the cluster refused "
              "it: False). Hint: how many brokers can hold a copy of a partition while one of three is stopped?",
        "ru": "prediction['full_created'] равно {given!r}, а на деле {real} ('full' существует: True; кластер "
              "отказался его создать: False). Подсказка: сколько брокеров могут хранить копию партиции, пока один "
              "из трёх остановлен?",
    },
    "lab01_predict_spare_on_restarted": {
        "en": "prediction['spare_on_restarted'] is {given!r}, but {real} partition(s) of 'spare' have a replica "
              "on broker {broker}, the one that was restarted. Hint: replicas are chosen when the topic is "
              "created, among the brokers registered then.",
        "ru": "prediction['spare_on_restarted'] равно {given!r}, а реплика на перезапущенном брокере {broker} "
              "есть у партиций 'spare': {real}. Подсказка: реплики выбираются при создании топика среди брокеров, "
              "зарегистрированных в тот момент.",
    },
    "lab01_predict_before_on_restarted": {
        "en": "prediction['before_on_restarted'] is {given!r}, but {real} partition(s) of 'before' have a "
              "replica on broker {broker}, the one that was restarted. Hint: does a broker lose its replicas "
              "when it stops?",
        "ru": "prediction['before_on_restarted'] равно {given!r}, а реплика на перезапущенном брокере "
              "{broker} есть у партиций 'before': {real}. Подсказка: теряет ли брокер свои реплики, когда "
              "останавливается?",
    },
    "lab01_found_rf": {
        "en": "found_rf is {given!r}, but that is not the number that explains it. Hint: describe 'accounts' "
              "before any fix: how many copies does each partition have?",
        "ru": "found_rf равно {given!r}, но это не то число, которое всё объясняет. Подсказка: опишите "
              "'accounts' до исправления: сколько копий у каждой партиции?",
    },
    "lab01_accounts_rf": {
        "en": "'accounts' has {partitions} partition(s) with replication factor {rf}: with one broker down, the "
              "partitions that only it holds are lost. Hint: more partitions spread the topic, but only more "
              "replicas of each partition survive a broker; kafka-reassign-partitions.sh changes the replicas.",
        "ru": "У 'accounts' партиций: {partitions}, фактор репликации {rf}: без одного брокера пропадают "
              "партиции, которые есть только у него. Подсказка: больше партиций разносят топик, но брокер "
              "переживают только дополнительные реплики каждой партиции; реплики меняет "
              "kafka-reassign-partitions.sh.",
    },
    "lab01_accounts_isr": {
        "en": "Partition {partition} of 'accounts' has replicas {replicas} but ISR {isr}: the new replicas are not "
              "in sync yet. Hint: wait until the controller has copied the data (kafkalab.wait_for).",
        "ru": "У партиции {partition} топика 'accounts' реплики {replicas}, а ISR {isr}: новые реплики ещё не "
              "синхронны. Подсказка: дождитесь, пока контроллер скопирует данные (kafkalab.wait_for).",
    },
    "lab01_accounts_messages": {
        "en": "'accounts' holds {found}; the accounts of ACCOUNTS should stay, each once, account i in partition "
              "i % 3. Hint: fix the topic in place; run the first cell again to start over.",
        "ru": "В 'accounts' лежит {found}; счета из ACCOUNTS должны остаться, каждый один раз, счёт i в партиции "
              "i % 3. Подсказка: исправляйте топик на месте; чтобы начать сначала, снова выполните первую ячейку.",
    },
    "lab01_ensemble_small": {
        "en": "ensemble_size is {given}: with {given} servers a majority does not survive two failures. Hint: "
              "tolerated(n) of exercise 2.",
        "ru": "ensemble_size равно {given}: при {given} серверах большинство не переживает двух отказов. "
              "Подсказка: tolerated(n) из упражнения 2.",
    },
    "lab01_ensemble_large": {
        "en": "ensemble_size is {given}: it survives two failures, but a smaller ensemble does too. Hint: is an "
              "even size ever better than the odd size below it?",
        "ru": "ensemble_size равно {given}: он переживает два отказа, но и ансамбль поменьше тоже. Подсказка: "
              "бывает ли чётный размер лучше нечётного на единицу меньше?",
    },
    "lab01_critical_shape": {
        "en": "'critical' has {partitions} partition(s) with replication factor {rf}. Hint: each of the 6 "
              "consumers needs exactly one partition, and a partition survives as many broker losses as it has "
              "copies minus one.",
        "ru": "У 'critical' партиций: {partitions}, фактор репликации {rf}. Подсказка: каждому из 6 консьюмеров "
              "нужна ровно одна партиция, а партиция переживает столько потерь брокеров, сколько у неё копий "
              "минус одна.",
    },
    "lab01_critical_retention": {
        "en": "'critical' has retention.ms={found}: its messages would be deleted after that time. Hint: the "
              "documentation of retention.ms names the value that means \"no time limit\".",
        "ru": "У 'critical' retention.ms={found}: сообщения удалятся по прошествии этого времени. Подсказка: в "
              "документации retention.ms указано значение, которое значит «без ограничения по времени».",
    },
})


def srvr_mode(port: int):
    """The ZooKeeper server's role from its `srvr` answer, None when it does not serve."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3) as conn:
            conn.sendall(b"srvr")
            data = b""
            while True:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
    except OSError:
        return None
    for line in data.decode(errors="replace").splitlines():
        if line.startswith("Mode:"):
            return line.split(":", 1)[1].strip()
    return None


def zookeepers(cluster) -> dict:
    return {n.name: n.port for n in cluster.nodes if n.role == "zookeeper"}


def starts(cluster, node: str) -> int:
    return cluster.logs(node).count("binding to port")


@exercise("lab01.ex1", points=2)
def brokers_and_controller(ctx):
    real = sorted(b.id for b in ctx.inspect.brokers(ctx.cluster))
    given = ctx.var("broker_ids", (list, tuple))
    ctx.expect(list(given) == real, "lab01_broker_ids", given=given, real=real)
    controller = ctx.inspect.controller(ctx.cluster)
    given_c = ctx.var("controller_id", int)
    ctx.expect(given_c == controller, "lab01_controller", given=given_c, real=controller)
    return {"broker_ids": real, "controller": controller}


def check_quorum(ctx, sizes):
    for name, rule in (("quorum", lambda n: n // 2 + 1), ("tolerated", lambda n: (n - 1) // 2)):
        fn = ctx.function(name)
        for n in sizes:
            given = fn(n)
            ctx.expect(given == rule(n), "lab01_quorum", name=name, n=n, given=given, real=rule(n))


@exercise("lab01.ex2", points=2)
def quorum_rule(ctx):
    sizes = [1, 2, 3, 5, *sorted(ctx.random.sample(range(6, 100), 4))]  # new inputs each run
    check_quorum(ctx, sizes)
    return {"checked_n": sizes}


@exercise("lab01.ex3", points=3)
def zookeeper_roles(ctx):
    fn = ctx.function("zk_mode")
    modes = {}
    for node, port in zookeepers(ctx.cluster).items():
        real = srvr_mode(port)
        given = fn(port)
        ctx.expect(given == real, "lab01_zk_mode", node=node, port=port, given=given, real=real)
        modes[node] = real
    leader = ctx.var("zk_leader", str)
    led = leader in modes and (modes[leader] == "leader" or "LEADING" in ctx.cluster.logs(leader))
    now = [n for n, m in modes.items() if m == "leader"]
    ctx.expect(led, "lab01_zk_leader", given=leader, real=now[0] if now else None)
    return {"modes": modes, "zk_leader": leader}


@exercise("lab01.ex4", points=3)
def one_server_down(ctx):
    nodes = zookeepers(ctx.cluster)
    stopped = ctx.var("stopped_zk", str)
    ctx.expect(stopped in nodes, "lab01_zk_name", name="stopped_zk", given=stopped, nodes=list(nodes))
    ctx.expect(not ctx.cluster.alive(stopped), "lab01_still_running", node=stopped)
    serving = {n: srvr_mode(p) for n, p in nodes.items() if n != stopped}
    ctx.expect(all(serving.values()), "lab01_no_majority_now", serving=sum(1 for m in serving.values() if m))
    info = ctx.topic("quorum-ok")
    ctx.expect(len(info.partitions) == 3 and info.replication_factor == 3, "lab01_topic_shape", topic="quorum-ok",
               partitions=len(info.partitions), rf=info.replication_factor, want_p=3, want_rf=3)
    return {"stopped_zk": stopped, "modes_of_others": serving, "quorum-ok": {"partitions": 3, "rf": 3}}


@exercise("lab01.ex5", points=3)
def quorum_lost_and_back(ctx):
    nodes = zookeepers(ctx.cluster)
    given = ctx.var("mode_without_quorum", (str, type(None)))
    ctx.expect(given is None, "lab01_mode_without_quorum", given=given)
    restarted = ctx.var("restarted_zk", str)
    stopped = ctx.get("stopped_zk")
    ctx.expect(restarted in nodes and restarted != stopped, "lab01_zk_name", name="restarted_zk", given=restarted,
               nodes=[n for n in nodes if n != stopped])
    count = starts(ctx.cluster, restarted)
    ctx.expect(count >= 2 and ctx.cluster.alive(restarted) and srvr_mode(nodes[restarted]),
               "lab01_not_restarted", node=restarted, starts=count)
    info = ctx.topic("quorum-back")
    ctx.expect(len(info.partitions) == 1 and info.replication_factor == 3, "lab01_topic_shape", topic="quorum-back",
               partitions=len(info.partitions), rf=info.replication_factor, want_p=1, want_rf=3)
    return {"mode_without_quorum": given, "restarted_zk": restarted, "starts_in_log": count}


def _answer(value):
    """A prediction item as the check compares it: numbers written as text become int."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return value


def broker_starts(cluster) -> dict:
    """broker id -> how many times its server.log says it started."""
    return {b.id: cluster.logs(b.name).count("started (kafka.server.KafkaServer)") for b in cluster.brokers}


def restarted_broker(ctx):
    counts = broker_starts(ctx.cluster)
    again = [b for b, n in counts.items() if n >= 2]
    topics = ctx.inspect.topics(ctx.cluster)
    ctx.expect(len(again) == 1 and "spare" in topics, "lab01_no_restarted_broker", starts=counts)
    return again[0], topics


def replicas_on(ctx, topic: str, broker: int) -> int:
    return sum(1 for p in ctx.topic(topic, with_config=False).partitions if broker in p.replicas)


@exercise("lab01.ex6", points=3)
def replicas_prediction(ctx):
    broker, topics = restarted_broker(ctx)
    real = {"full_created": "full" in topics, "spare_on_restarted": replicas_on(ctx, "spare", broker),
            "before_on_restarted": replicas_on(ctx, "before", broker)}
    given = ctx.var("prediction", dict)
    guess = given.get("full_created")
    ctx.expect(guess is real["full_created"], "lab01_predict_full_created", given=guess, real=real["full_created"])
    for item in ("spare_on_restarted", "before_on_restarted"):
        guess = given.get(item)
        ctx.expect(_answer(guess) == real[item], f"lab01_predict_{item}", given=guess, real=real[item], broker=broker)
    return {"restarted_broker": broker, **real}


@exercise("lab01.ex7", points=3)
def accounts_replicated(ctx):
    found_rf = ctx.var("found_rf", int)
    ctx.expect(found_rf == 1, "lab01_found_rf", given=found_rf)
    info = ctx.topic("accounts", with_config=False)
    ctx.expect(len(info.partitions) == 3 and info.replication_factor == 3, "lab01_accounts_rf",
               partitions=len(info.partitions), rf=info.replication_factor)
    for p in info.partitions:
        ctx.expect(sorted(p.isr) == sorted(p.replicas), "lab01_accounts_isr", partition=p.partition,
                   replicas=p.replicas, isr=p.isr)
    found = [(p, v) for p, _, _, v in ctx.messages("accounts")]
    want = sorted((i % 3, text) for i, text in enumerate(ACCOUNTS))
    ctx.expect(sorted(found) == want, "lab01_accounts_messages", found=found)
    return {"replication_factor": 3, "replicas": {p.partition: p.replicas for p in info.partitions}}


def smallest_ensemble(failures: int) -> int:
    return 2 * failures + 1


@exercise("lab01.ex8", points=3)
def critical_design(ctx):
    size = ctx.var("ensemble_size", int)
    want = smallest_ensemble(2)
    ctx.expect(size >= want, "lab01_ensemble_small", given=size)
    ctx.expect(size == want, "lab01_ensemble_large", given=size)
    info = ctx.topic("critical")
    ctx.expect(len(info.partitions) == 6 and info.replication_factor == 3, "lab01_critical_shape",
               partitions=len(info.partitions), rf=info.replication_factor)
    retention = info.config.get("retention.ms")
    ctx.expect(retention == "-1", "lab01_critical_retention", found=retention)
    return {"ensemble_size": size, "partitions": 6, "replication_factor": 3, "retention.ms": retention}
