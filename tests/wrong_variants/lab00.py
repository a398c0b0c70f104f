"""Wrong answers for lab 00, each a mistake a student could make."""
VARIANTS = {
    # the notes' port and a guessed id instead of asking the cluster
    "lab00.ex1": 'only = ki.brokers(cluster)[0]\nbroker_id = 1\nbroker_address = "localhost:9092"\n',
    # the notes' default folder instead of this broker's log.dirs
    "lab00.ex2": ('broker_config = dict(line.split("=", 1) for line in cluster.config("broker-0").splitlines()\n'
                  '                     if "=" in line and not line.startswith("#"))\n'
                  'log_dirs = "/tmp/kafka-logs"\n'),
    # a line typed from memory, not read from server.log
    "lab00.ex3": 'started_line = "[KafkaServer id=0] started (kafka.server.KafkaServer)"\n',
    # messages in the wrong order
    "lab00.ex4": ('%kafka kafka-topics.sh --bootstrap-server localhost:9092 --create --topic hello --partitions 1 --replication-factor 1\n'
                  'cluster.tool("kafka-console-producer.sh", "--bootstrap-server", BOOTSTRAP, "--topic", "hello",\n'
                  '             input="world\\nkafka\\nhello\\n")\n'),
    # without --from-beginning the consumer sees nothing that was written before it started
    "lab00.ex5": ('result = cluster.tool("kafka-console-consumer.sh", "--bootstrap-server", BOOTSTRAP, "--topic", "hello",\n'
                  '                      "--max-messages", "3", "--timeout-ms", "3000")\n'
                  'consumed = [line for line in result.lines if line.strip() and "Processed" not in line]\n'),
    # "--from-beginning always starts at the beginning": a group with a committed offset goes on from it
    "lab00.ex6": 'prediction = {"first_run": 4, "second_run": 6, "committed": 6}\n',
    # the orders moved with their keys, but the topic the typo created is left behind
    "lab00.ex7": ('from confluent_kafka import TopicPartition\n'
                  'diagnosis = "auto.create.topics.enable=true created the topic order from the typo"\n'
                  'consumer = cluster.consumer("order-mover", **{"enable.auto.commit": False})\n'
                  'consumer.assign([TopicPartition("order", 0, 0)])\n'
                  'stray = []\n'
                  'while len(stray) < len(ORDERS):\n'
                  '    msg = consumer.poll(1.0)\n'
                  '    if msg is not None and not msg.error():\n'
                  '        stray.append((msg.key(), msg.value()))\n'
                  'consumer.close()\n'
                  'producer = cluster.producer()\n'
                  'for key, value in stray:\n'
                  '    producer.produce("orders", key=key, value=value)\n'
                  'producer.flush()\n'),
    # the whole disk budget given to each partition: retention.bytes limits one partition, not the topic
    "lab00.ex8": ('%kafka kafka-topics.sh --create --bootstrap-server localhost:9092 --topic sensors --partitions 4 --replication-factor 1 --config retention.bytes=67108864\n'
                  'producer = cluster.producer()\n'
                  'for sensor, text in READINGS:\n'
                  '    producer.produce("sensors", key=sensor, value=text)\n'
                  'producer.flush()\n'),
}
