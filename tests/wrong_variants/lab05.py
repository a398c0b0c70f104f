"""Wrong answers for lab 05."""
VARIANTS = {
    # one partition's count off by one
    "lab05.ex1": ('cluster.tool("kafka-topics.sh", "--bootstrap-server", BOOTSTRAP, "--create", "--if-not-exists",\n'
                  '             "--topic", "numbers", "--partitions", "5", "--replication-factor", "1")\n'
                  'produced_per_partition = {}\n'
                  'def count_partition(err, msg):\n'
                  '    if err is None:\n'
                  '        produced_per_partition[msg.partition()] = produced_per_partition.get(msg.partition(), 0) + 1\n'
                  'producer = cluster.producer(acks="all")\n'
                  'for i in range(100):\n'
                  '    producer.produce("numbers", key=str(i), value=str(i), on_delivery=count_partition)\n'
                  'producer.flush(30)\n'
                  'produced_per_partition[0] = produced_per_partition.get(0, 0) + 1\n'),
    # a group of one consumer instead of three
    "lab05.ex2": ('consumer = cluster.consumer("numbers-group", **{"enable.auto.commit": False})\n'
                  'consumer.subscribe(["numbers"])\n'
                  'consumed = {0: 0}\n'
                  'deadline = time.monotonic() + 60\n'
                  'while consumed[0] < 100 and time.monotonic() < deadline:\n'
                  '    msg = consumer.poll(0.5)\n'
                  '    if msg is not None and not msg.error():\n'
                  '        consumed[0] += 1\n'
                  'assignment = {0: sorted(tp.partition for tp in consumer.assignment())}\n'
                  'consumer.commit(asynchronous=False)\n'
                  'consumer.close()\n'),
    # end offsets reported as the lag
    "lab05.ex3": ('producer = cluster.producer(acks="all")\n'
                  'for i in range(100, 150):\n'
                  '    producer.produce("numbers", key=str(i), value=str(i))\n'
                  'producer.flush(30)\n'
                  'lag_reported = ki.end_offsets(cluster, "numbers")\n'),
    # caught up in another group: numbers-group keeps its lag
    "lab05.ex4": ('result = cluster.tool("kafka-console-consumer.sh", "--bootstrap-server", BOOTSTRAP, "--topic", "numbers",\n'
                  '                      "--from-beginning", "--max-messages", "50", "--timeout-ms", "20000", echo=False)\n'
                  'caught_up = len(result.lines)\n'),
    # as many consumers as partitions: nobody idles
    "lab05.ex5": ('idle_members = [cluster.consumer("idle-group") for _ in range(5)]\n'
                  'for c in idle_members:\n'
                  '    c.subscribe(["numbers"])\n'
                  'deadline = time.monotonic() + 60\n'
                  'while time.monotonic() < deadline:\n'
                  '    for c in idle_members:\n'
                  '        c.poll(0.1)\n'
                  '    sizes = [len(c.assignment()) for c in idle_members]\n'
                  '    if sum(sizes) == 5 and max(sizes) == 1:\n'
                  '        break\n'
                  'idle_consumers = sum(1 for c in idle_members if not c.assignment())\n'),
}
