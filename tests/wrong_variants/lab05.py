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
    # "the two consumers still run, so the group keeps up": but nobody polls or commits after the last 20 clicks
    "lab05.ex6": 'prediction = {"partitions_after": [2, 3], "lag": 0, "lag_of_busiest": 0}\n',
    # the service now commits, but the 30 old invoices were never marked done: the first fixed run bills them again
    "lab05.ex7": ('diagnosis = "billing_service() never calls commit() while enable.auto.commit is off"\n'
                  'def fixed_billing_service():\n'
                  '    consumer = cluster.consumer("billing", **BILLING_SETTINGS)\n'
                  '    consumer.subscribe(["invoices"])\n'
                  '    billed = bill_new_invoices(consumer)\n'
                  '    if billed:\n'
                  '        consumer.commit(asynchronous=False)\n'
                  '    consumer.close()\n'
                  '    return billed\n'
                  'producer = cluster.producer(acks="all")\n'
                  'for i in range(30, 40):\n'
                  '    producer.produce("invoices", key=CUSTOMERS[i % 4], value=f"inv-{i:02d}")\n'
                  'producer.flush(30)\n'
                  'billed_new = fixed_billing_service()\n'
                  'billed_again = fixed_billing_service()\n'),
    # keyed by the status, not the parcel: one parcel's events spread over partitions (and partition 3 stays empty)
    "lab05.ex8": ('cluster.create_topic("parcels", partitions=4, replication_factor=1)\n'
                  'producer = cluster.producer(acks="all")\n'
                  'for parcel, status in EVENTS:\n'
                  '    producer.produce("parcels", key=status, value=f"{parcel}:{status}")\n'
                  'producer.flush(30)\n'
                  'ends = ki.end_offsets(cluster, "parcels")\n'
                  'trackers = [cluster.consumer("trackers", **{"enable.auto.commit": False}) for _ in range(4)]\n'
                  'for c in trackers:\n'
                  '    c.subscribe(["parcels"])\n'
                  'def tracked_to_end(c):\n'
                  '    c.consume(100, timeout=0.1)\n'
                  '    parts = c.assignment()\n'
                  '    return bool(parts) and all(max(tp.offset, 0) >= ends[tp.partition] for tp in c.position(parts))\n'
                  'kafkalab.wait_for(lambda: all([tracked_to_end(c) for c in trackers]), 60, "4 trackers at the end", every=0)\n'
                  'for c in trackers:\n'
                  '    if any(tp.offset >= 0 for tp in c.position(c.assignment())):\n'
                  '        c.commit(asynchronous=False)\n'),
}
