"""Wrong answers for lab 01."""
VARIANTS = {
    # broker ids counted from 1
    "lab01.ex1": "broker_ids = [1, 2, 3]\ncontroller_id = ki.controller(cluster)\n",
    # the notes' formula, wrong for even ensembles
    "lab01.ex2": ("def quorum(n):\n    return (n + 1) // 2\n\n\ndef tolerated(n):\n    return n - quorum(n)\n"),
    # a follower named as the leader (one that never led: the check accepts a node whose log says LEADING)
    "lab01.ex3": ('def zk_mode(port):\n'
                  '    try:\n'
                  '        with socket.create_connection(("127.0.0.1", port), timeout=3) as conn:\n'
                  '            conn.sendall(b"srvr")\n'
                  '            answer = b""\n'
                  '            while chunk := conn.recv(4096):\n'
                  '                answer += chunk\n'
                  '    except OSError:\n'
                  '        return None\n'
                  '    for line in answer.decode().splitlines():\n'
                  '        if line.startswith("Mode:"):\n'
                  '            return line.split(":", 1)[1].strip()\n'
                  '    return None\n'
                  '\n\n'
                  'zk_leader = [name for name, port in ZOOKEEPERS.items()\n'
                  '             if zk_mode(port) == "follower" and "LEADING" not in cluster.logs(name)][0]\n'),
    # the topic made with replication factor 1
    "lab01.ex4": ('stopped_zk = [name for name, port in ZOOKEEPERS.items() if zk_mode(port) == "follower"][0]\n'
                  'cluster.stop(stopped_zk)\n'
                  'cluster.create_topic("quorum-ok", partitions=3, replication_factor=1)\n'),
    # the mode asked after the quorum was back
    "lab01.ex5": ('import time\n'
                  'second, last = [name for name in ZOOKEEPERS if name != stopped_zk]\n'
                  'cluster.stop(second)\n'
                  'deadline = time.monotonic() + 30\n'
                  'while zk_mode(ZOOKEEPERS[last]) is not None and time.monotonic() < deadline:\n'
                  '    time.sleep(0.5)\n'
                  'cluster.start(second)\n'
                  'mode_without_quorum = zk_mode(ZOOKEEPERS[last])\n'
                  'restarted_zk = second\n'
                  'cluster.create_topic("quorum-back", partitions=1, replication_factor=3)\n'),
    # "a returning broker gets its share": the replicas of spare were chosen while it was down
    "lab01.ex6": 'prediction = {"full_created": False, "spare_on_restarted": 1, "before_on_restarted": 3}\n',
    # more partitions instead of more replicas: the topic is spread further, each partition still on one broker
    "lab01.ex7": ('found_rf = ki.describe_topic(cluster, "accounts").replication_factor\n'
                  '%kafka kafka-topics.sh --bootstrap-server localhost:9092 --alter --topic accounts --partitions 6\n'),
    # an even ensemble: 4 servers survive only one failure
    "lab01.ex8": ('ensemble_size = 4\n'
                  '%kafka kafka-topics.sh --create --bootstrap-server localhost:9092 --topic critical --partitions 6 --replication-factor 3 --config retention.ms=-1\n'),
}
