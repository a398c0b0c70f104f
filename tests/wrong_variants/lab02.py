"""Wrong answers for lab 02."""
VARIANTS = {
    # a guessed leader instead of the one --describe shows
    "lab02.ex1": ('%kafka kafka-topics.sh --create --bootstrap-server localhost:9092 --topic cities --partitions 1 --replication-factor 1\n'
                  'cities_leader = 1\n'),
    # values kept as bytes
    "lab02.ex2": ('producer = cluster.producer()\n'
                  'for city in CITIES:\n'
                  '    producer.produce("cities", value=city)\n'
                  'producer.flush()\n'
                  'consumer = cluster.consumer("lab02-reader")\n'
                  'consumer.subscribe(["cities"])\n'
                  'cities_read = []\n'
                  'while len(cities_read) < len(CITIES):\n'
                  '    msg = consumer.poll(1.0)\n'
                  '    if msg is not None and not msg.error():\n'
                  '        cities_read.append(msg.value())\n'
                  'consumer.close()\n'),
    # the time of reading instead of the message's timestamp
    "lab02.ex3": ('import time\n'
                  'producer = cluster.producer()\n'
                  'producer.produce("cities", key="jp", value="Osaka")\n'
                  'producer.flush()\n'
                  'osaka = {"partition": 0, "offset": 4, "key": "jp", "value": "Osaka", "timestamp": int(time.time() * 1000) + 5000}\n'),
    # the notes' folder, not this broker's log.dirs
    "lab02.ex4": ('segment_file = Path("/tmp/kafka-logs/cities-0/00000000000000000000.log")\nsegment_size = 0\n'),
    # six seconds instead of one minute
    "lab02.ex5": ('default_retention_days = int(ki.topic_config(cluster, "cities")["retention.ms"]) / (24 * 3600 * 1000)\n'
                  '%kafka kafka-topics.sh --create --bootstrap-server localhost:9092 --topic short-lived --partitions 1 --replication-factor 1 --config retention.ms=6000\n'),
    # "the log is renumbered": the messages that stay keep their offsets, and the log now begins at 5
    "lab02.ex6": 'prediction = {"first_offset": 0, "offset_of_r9": 4, "messages_left": 5}\n',
    # the setting named, but the producer's limit raised instead of the topic's: the broker still refuses
    "lab02.ex7": ('diagnosis = "max.message.bytes=2048 is smaller than a scan of about 6 KB"\n'
                  'producer = cluster.producer(**{"message.max.bytes": 20000})\n'
                  'for i in range(3):\n'
                  '    producer.produce("scans", value=scan(i))\n'
                  'producer.flush(30)\n'),
    # keyed by the message's number, not its chat: one chat's messages spread over partitions
    "lab02.ex8": ('%kafka kafka-topics.sh --create --bootstrap-server localhost:9092 --topic chat --partitions 3 --replication-factor 1 --config retention.ms=259200000\n'
                  'producer = cluster.producer()\n'
                  'for number, (chat, text) in enumerate(MESSAGES):\n'
                  '    producer.produce("chat", key=str(number), value=text)\n'
                  'producer.flush()\n'),
}
