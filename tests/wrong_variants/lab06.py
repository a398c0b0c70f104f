"""Wrong answers for lab 06."""
VARIANTS = {
    # replicas per broker counted instead of leaders
    "lab06.ex1": ('cluster.tool("kafka-topics.sh", "--bootstrap-server", BOOTSTRAP, "--create", "--if-not-exists",\n'
                  '             "--topic", "perf", "--partitions", "10", "--replication-factor", "3")\n'
                  'leaders_per_broker = {}\n'
                  'for p in ki.describe_topic(cluster, "perf").partitions:\n'
                  '    for b in p.replicas:\n'
                  '        leaders_per_broker[b] = leaders_per_broker.get(b, 0) + 1\n'),
    # records/sec and MB/sec swapped while parsing
    "lab06.ex2": ('res = cluster.tool("kafka-producer-perf-test.sh", "--topic", "perf", "--num-records", "1000",\n'
                  '                   "--record-size", "1000", "--throughput", "-1",\n'
                  '                   "--producer-props", f"bootstrap.servers={BOOTSTRAP}", "acks=all", echo=False)\n'
                  'm = re.search(r"(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency, "\n'
                  '              r"[\\d.]+ ms max latency, \\d+ ms 50th, \\d+ ms 95th, (\\d+) ms 99th", res.lines[-1])\n'
                  'producer_result = {"records": int(m[1]), "records_per_sec": float(m[3]), "mb_per_sec": float(m[2]),\n'
                  '                   "avg_latency_ms": float(m[4]), "p99_ms": float(m[5])}\n'),
    # the records count taken from the nMsg.sec column
    "lab06.ex3": ('res = cluster.tool("kafka-consumer-perf-test.sh", "--bootstrap-server", BOOTSTRAP, "--topic", "perf",\n'
                  '                   "--messages", "1000", "--group", "perf-group", "--timeout", "30000", echo=False)\n'
                  'header_at = next(i for i, line in enumerate(res.lines) if line.startswith("start.time"))\n'
                  'header = [h.strip() for h in res.lines[header_at].split(",")]\n'
                  'row = dict(zip(header, [c.strip() for c in res.lines[header_at + 1].split(",")]))\n'
                  'consumer_result = {"nmsg": int(float(row["nMsg.sec"])), "mb": float(row["data.consumed.in.MB"]),\n'
                  '                   "nmsg_per_sec": float(row["nMsg.sec"])}\n'),
    # the ratio upside down
    "lab06.ex4": ('acks_throughput = {}\n'
                  'for acks in ("1", "all"):\n'
                  '    run = perf.python_producer_test(cluster, "perf", num_records=2000, record_size=1000,\n'
                  '                                    producer_props={"acks": acks})\n'
                  '    acks_throughput[acks] = run["records_per_sec"]\n'
                  'acks_ratio = acks_throughput["all"] / acks_throughput["1"]\n'),
    # CURRENT-OFFSET read instead of LAG
    "lab06.ex5": ('res = cluster.tool("kafka-consumer-groups.sh", "--bootstrap-server", BOOTSTRAP, "--describe",\n'
                  '                   "--group", "perf-group", echo=False)\n'
                  'perf_lag = {}\n'
                  'for line in res.lines:\n'
                  '    cols = line.split()\n'
                  '    if len(cols) >= 6 and cols[0] == "perf-group" and cols[1] == "perf":\n'
                  '        perf_lag[int(cols[2])] = int(cols[3])\n'),
    # "--throughput limits requests, not records": the test predicted as fast as in exercise 2
    "lab06.ex6": 'prediction = {"seconds": 0.3, "records_per_sec": 1000, "mb_per_sec": 0.95}\n',
    # the test run under another client id: fast, but the quota stays on loadgen
    "lab06.ex7": ('diagnosis = "producer_byte_rate=10240 throttles loadgen"\n'
                  'fast = cluster.tool("kafka-producer-perf-test.sh", "--topic", "loadtest", "--num-records", "2000",\n'
                  '                    "--record-size", "1000", "--throughput", "-1", "--producer-props",\n'
                  '                    f"bootstrap.servers={BOOTSTRAP}", "client.id=loadgen-2", echo=False)\n'
                  'fast_summary = fast.lines[-1]\n'),
    # every replica demanded: one broker down would stop acks=all writes
    "lab06.ex8": ('%kafka kafka-topics.sh --create --bootstrap-server localhost:9092 --topic payments --partitions 6 --replication-factor 3 --config min.insync.replicas=3\n'
                  'proof = perf.python_producer_test(cluster, "payments", num_records=600, record_size=100,\n'
                  '                                  producer_props={"acks": "all"})\n'),
}
