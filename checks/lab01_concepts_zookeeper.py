"""Lab 01 checks: brokers and controller, the quorum rule, ZooKeeper roles asked over `srvr`, quorum loss."""
import socket

from kafkalab.grading import exercise
from kafkalab.i18n import register

register({
    "lab01_broker_ids": {
        "en": "`broker_ids` is {given}, but the registered brokers are {real}. Hint: sorted(b.id for b in ki.brokers(cluster)).",
        "ru": "`broker_ids` равен {given}, а зарегистрированы брокеры {real}. Подсказка: sorted(b.id for b in ki.brokers(cluster)).",
    },
    "lab01_controller": {
        "en": "`controller_id` is {given}, but the controller is broker {real}. Hint: ki.controller(cluster).",
        "ru": "`controller_id` равен {given}, а контроллер — брокер {real}. Подсказка: ki.controller(cluster).",
    },
    "lab01_not_callable": {
        "en": "`{name}` should be a function.",
        "ru": "`{name}` должна быть функцией.",
    },
    "lab01_quorum": {
        "en": "{name}({n}) returned {given}, expected {real}. Hint: a majority is n // 2 + 1; it survives (n - 1) // 2 failures.",
        "ru": "{name}({n}) вернула {given}, а нужно {real}. Подсказка: большинство — n // 2 + 1; отказов переживает (n - 1) // 2.",
    },
    "lab01_zk_mode": {
        "en": "zk_mode({port}) for {node} returned {given!r}, but the server answers {real!r} now. Hint: parse the "
              "'Mode:' line of the `srvr` answer; return None when there is no such line or no connection.",
        "ru": "zk_mode({port}) для {node} вернула {given!r}, а сервер сейчас отвечает {real!r}. Подсказка: разберите "
              "строку 'Mode:' ответа на `srvr`; верните None, если такой строки или соединения нет.",
    },
    "lab01_zk_leader": {
        "en": "`zk_leader` is {given!r}, but that node is not (and never was) the ensemble's leader; the leader now is {real!r}.",
        "ru": "`zk_leader` равен {given!r}, но этот узел не лидер ансамбля (и не был им); сейчас лидер {real!r}.",
    },
    "lab01_zk_name": {
        "en": "`{name}` is {given!r}, which is not one of the ZooKeeper nodes {nodes}.",
        "ru": "`{name}` равен {given!r}, а это не один из узлов ZooKeeper {nodes}.",
    },
    "lab01_still_running": {
        "en": "{node} is still running. Hint: cluster.stop({node!r}) and leave it stopped.",
        "ru": "{node} всё ещё работает. Подсказка: cluster.stop({node!r}) — и оставьте его остановленным.",
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
              "zk_mode must return None. Hint: stop a second server and ask the remaining one.",
        "ru": "`mode_without_quorum` равен {given!r}: когда работает один сервер из трёх, ZooKeeper не обслуживает "
              "запросы, и zk_mode должна вернуть None. Подсказка: остановите второй сервер и спросите оставшийся.",
    },
    "lab01_not_restarted": {
        "en": "{node} was not stopped and started again (its log shows {starts} start(s)); or it is not running now.",
        "ru": "{node} не останавливали и не запускали снова (в его логе запусков: {starts}) или он сейчас не работает.",
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
