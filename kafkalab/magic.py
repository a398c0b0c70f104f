"""`%kafka` and `%%kafka`: Kafka's CLI tools in a notebook, written as in the notes.

    %kafka kafka-topics.sh --bootstrap-server localhost:9092 --describe --topic cities
    %%kafka kafka-console-producer.sh --bootstrap-server localhost:9092 --topic cities
    Moscow
    Paris

The cluster is the one `kafkalab.up()` returned last in this kernel, else $KAFKALAB_CLUSTER.
`%kafka --name NAME TOOL ...` picks another. The cell's lines are the tool's standard input.
"""
from __future__ import annotations

import shlex

from .errors import KafkaLabError


def _split(line: str) -> tuple[str | None, list[str]]:
    # a trailing backslash continues a line in a cell, as in a shell
    words = shlex.split(line.replace("\\\n", " "))
    name = None
    if len(words) > 2 and words[0] == "--name":
        name, words = words[1], words[2:]
    return name, words


def kafka(line: str, cell: str | None = None) -> None:
    from .cluster.cluster import current

    name, words = _split(line)
    if not words:
        print("usage: %kafka TOOL [ARGS...]")
        return None
    try:
        current(name).tool(words[0], *words[1:], input=cell)
    except KafkaLabError as err:
        print(err)


def load_ipython_extension(ip) -> None:
    ip.register_magic_function(kafka, "line_cell", "kafka")
