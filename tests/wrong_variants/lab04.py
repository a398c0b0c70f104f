"""Wrong answers for lab 04."""
VARIANTS = {
    # months without min.insync.replicas=2
    "lab04.ex1": ('cluster.tool("kafka-topics.sh", "--bootstrap-server", BOOTSTRAP, "--create", "--if-not-exists",\n'
                  '             "--topic", "cars", "--partitions", "5", "--replication-factor", "1")\n'
                  'cluster.tool("kafka-topics.sh", "--bootstrap-server", BOOTSTRAP, "--create", "--if-not-exists",\n'
                  '             "--topic", "months", "--partitions", "7", "--replication-factor", "3")\n'
                  'cars_leaders = {p.partition: p.leader for p in ki.describe_topic(cluster, "cars").partitions}\n'),
    # March's partition guessed one too far
    "lab04.ex2": ('month_partition = {}\n'
                  'def remember(err, msg):\n'
                  '    if err is None:\n'
                  '        month_partition[msg.value().decode()] = msg.partition()\n'
                  'producer = cluster.producer(acks="all")\n'
                  'for number, name in enumerate(MONTHS, start=1):\n'
                  '    producer.produce("months", key=str(number), value=name, on_delivery=remember)\n'
                  'producer.flush(30)\n'
                  'month_partition["March"] = (month_partition["March"] + 1) % 7\n'),
    # the replica list recorded as the ISR after the failover
    "lab04.ex3": ('victim = ki.describe_topic(cluster, "months").partitions[0].leader\n'
                  'started = time.monotonic()\n'
                  'cluster.kill(f"broker-{victim}")\n'
                  'deadline = started + 60\n'
                  'while time.monotonic() < deadline:\n'
                  '    try:\n'
                  '        part = ki.describe_topic(cluster, "months").partitions[0]\n'
                  '    except kafkalab.KafkaLabError:\n'
                  '        time.sleep(0.5)\n'
                  '        continue\n'
                  '    if part.leader is not None and part.leader != victim and victim not in part.isr:\n'
                  '        new_leader, isr_after = part.leader, list(part.replicas)\n'
                  '        break\n'
                  '    time.sleep(0.3)\n'
                  'failover_seconds = time.monotonic() - started\n'),
    # only 90 of the 100 messages written
    "lab04.ex4": ('delivered = 0\n'
                  'def count_ok(err, msg):\n'
                  '    global delivered\n'
                  '    if err is None:\n'
                  '        delivered += 1\n'
                  'producer = cluster.producer(acks="all")\n'
                  'for i in range(90):\n'
                  '    producer.produce("months", key=str(i), value=f"failover-{i:03d}", on_delivery=count_ok)\n'
                  'producer.flush(30)\n'),
    # the broker is never started again
    "lab04.ex5": ('info = ki.describe_topic(cluster, "months")\n'
                  'isr_restored = {p.partition: list(p.isr) for p in info.partitions}\n'),
    # the topic deleted and created again with the right config: the payments written before are lost
    "lab04.ex6": ('diagnosis = "min.insync.replicas=3 equals the replication factor: one broker down blocks acks=all"\n'
                  'cluster.start(f"broker-{maintenance}")  # three replicas need three brokers\n'
                  'cluster.tool("kafka-topics.sh", "--bootstrap-server", BOOTSTRAP, "--delete", "--topic", "payments")\n'
                  'kafkalab.wait_for(lambda: "payments" not in ki.topics(cluster), 60, "payments deleted")\n'
                  'kafkalab.wait_for(lambda: cluster.tool(\n'
                  '    "kafka-topics.sh", "--bootstrap-server", BOOTSTRAP, "--create", "--if-not-exists", "--topic", "payments",\n'
                  '    "--partitions", "3", "--replication-factor", "3", "--config", "min.insync.replicas=2").ok,\n'
                  '    60, "payments created again")\n'
                  'producer = cluster.producer(acks="all")\n'
                  'for i in range(10):\n'
                  '    producer.produce("payments", key=f"order-{i}", value=f"new-{i}")\n'
                  'producer.flush(30)\n'),
    # "the partition whose leader stops has no leader": but its follower, in sync, takes over
    "lab04.ex7": ('prediction = {"under_replicated": sum(down in replicas for replicas in ledger_before.values()),\n'
                  '              "no_leader": sum(replicas[0] == down for replicas in ledger_before.values()),\n'
                  '              "leader_p0": next(b for b in ledger_before[0] if b != down)}\n'),
    # two replicas, both required: writes to the partitions with a replica on a broker that is down are refused
    "lab04.ex8": ('cluster.tool("kafka-topics.sh", "--bootstrap-server", BOOTSTRAP, "--create", "--if-not-exists",\n'
                  '             "--topic", "invoices", "--partitions", "6", "--replication-factor", "2",\n'
                  '             "--config", "min.insync.replicas=2")\n'
                  'kafkalab.wait_for(lambda: all(p.leader is not None for p in ki.describe_topic(cluster, "invoices").partitions),\n'
                  '                  60, "every partition of invoices led")\n'),
}
