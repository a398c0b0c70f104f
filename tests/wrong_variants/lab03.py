"""Wrong answers for lab 03."""
VARIANTS = {
    # four partitions instead of three
    "lab03.ex1": ('%kafka kafka-topics.sh --create --bootstrap-server localhost:9092 --topic animals --partitions 4 --replication-factor 1\n'
                  'animals_partitions = len(ki.describe_topic(cluster, "animals").partitions)\n'),
    # the sounds of each animal sent in reverse order
    "lab03.ex2": ('producer = cluster.producer()\n'
                  'for animal, sounds in SOUNDS.items():\n'
                  '    for sound in reversed(sounds):\n'
                  '        producer.produce("animals", key=animal, value=sound)\n'
                  'producer.flush()\n'),
    # one key's partition off by one
    "lab03.ex3": ('consumer = cluster.consumer("lab03-keys")\n'
                  'consumer.subscribe(["animals"])\n'
                  'partition_of = {}\n'
                  'seen = 0\n'
                  'while seen < 9:\n'
                  '    msg = consumer.poll(1.0)\n'
                  '    if msg is not None and not msg.error():\n'
                  '        partition_of[msg.key().decode()] = msg.partition()\n'
                  '        seen += 1\n'
                  'consumer.close()\n'
                  'partition_of["cat"] = (partition_of["cat"] + 1) % 3\n'),
    # read from offset 0, not 1
    "lab03.ex4": ('partition = partition_of["dog"]\n'
                  'end = ki.end_offsets(cluster, "animals")[partition]\n'
                  'consumer = cluster.consumer("lab03-one-partition")\n'
                  'consumer.assign([TopicPartition("animals", partition, 0)])\n'
                  'dog_from_1 = []\n'
                  'while len(dog_from_1) < end:\n'
                  '    msg = consumer.poll(1.0)\n'
                  '    if msg is not None and not msg.error():\n'
                  '        dog_from_1.append(msg.value().decode())\n'
                  'consumer.close()\n'),
    # partition 1 instead of 2
    "lab03.ex5": ('producer = cluster.producer()\n'
                  'producer.produce("animals", value="zebra", partition=1)\n'
                  'producer.flush()\n'),
    # "different keys, different partitions": but cat and dog share partition 1 of animals, and so of sightings
    "lab03.ex6": 'prediction = {"cat_partitions": 1, "cat_dog_together": "no", "cow_partition": 2}\n',
    # keyed by the order, not the customer: one customer's orders spread over partitions
    "lab03.ex7": ('cluster.create_topic("orders", partitions=4, replication_factor=1)\n'
                  'producer = cluster.producer()\n'
                  'for order_id, customer in ORDERS:\n'
                  '    producer.produce("orders", key=order_id, value=order_id)\n'
                  'producer.flush()\n'),
    # the topic deleted and created again with 4 partitions: the readers work, but the old clicks are gone
    "lab03.ex8": ('diagnosis = "clicks has 2 partitions for 4 consumers: a partition goes to one consumer of a group"\n'
                  'cluster.tool("kafka-topics.sh", "--bootstrap-server", BOOTSTRAP, "--delete", "--topic", "clicks")\n'
                  'kafkalab.wait_for(lambda: "clicks" not in ki.topics(cluster), 60, "clicks deleted")\n'
                  'kafkalab.wait_for(lambda: cluster.create_topic("clicks", partitions=4) or True, 60, "clicks created again")\n'
                  'new_readers = [cluster.consumer("clicks-readers") for _ in range(4)]\n'
                  'for c in new_readers:\n'
                  '    c.subscribe(["clicks"])\n'
                  'def everyone_owns_a_partition():\n'
                  '    for c in new_readers:\n'
                  '        c.poll(0.1)\n'
                  '    return all(c.assignment() for c in new_readers)\n'
                  'kafkalab.wait_for(everyone_owns_a_partition, 60, "every consumer owning a partition", every=0)\n'),
}
