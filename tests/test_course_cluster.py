"""The course (KAFKALAB_COURSE=1, exported by scripts/start): one lesson cluster at a time."""
import uuid

import kafkalab
from kafkalab.cluster import cluster as clusters
from kafkalab.cluster import state
from kafkalab.i18n import t


def test_each_lesson_cluster_replaces_the_one_before(monkeypatch, capsys):
    tag = uuid.uuid4().hex[:6]
    outside = kafkalab.up("single", name=f"own-{tag}", engine="local")  # started outside the course
    try:
        monkeypatch.setenv("KAFKALAB_COURSE", "1")
        first = kafkalab.up("single", name=f"lesson-a-{tag}", engine="local", fresh=True)
        first_port = first.brokers[0].port
        assert clusters.unnamed() == first.name  # a terminal's `kafkalab tool ...` means the lesson's cluster
        assert kafkalab.attach().name == first.name
        second = kafkalab.up("single", name=f"lesson-b-{tag}", engine="local", fresh=True)
        said = capsys.readouterr().out
        assert t("course_cluster_replaced", old=first.name, new=second.name) in said
        assert not state.state_file(first.name).exists() and not first.dir.exists()
        assert second.alive("broker-0")
        if first_port == second.brokers[0].preferred_port:
            assert second.brokers[0].port == first_port  # the notes' port came free for the next lesson
        assert outside.alive("broker-0")  # not a course cluster: left alone

        assert clusters.unnamed() == second.name
        monkeypatch.delenv("KAFKALAB_COURSE")
        assert clusters.unnamed() == "kafkalab"  # outside the course: the default name, as always
        assert clusters.down_course() == [second.name]
        assert not second.dir.exists() and outside.alive("broker-0")
    finally:
        outside.down()
