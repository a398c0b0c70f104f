"""`pause` on the docker engine when runc gives up freezing a busy container (ci70: "OCI runtime pause
failed: unable to freeze"): asked again, and in words (en/ru) when it never freezes; other errors surface."""
import pytest
from docker.errors import APIError

from kafkalab.cluster.engines.docker import PAUSE_ATTEMPTS, DockerEngine
from kafkalab.cluster.spec import NodeSpec
from kafkalab.errors import KafkaLabError
from kafkalab.i18n import set_lang

pytestmark = pytest.mark.unit

UNABLE = "Cannot pause container 46edf3c: OCI runtime pause failed: unable to freeze: unknown"


class Container:
    """What the engine uses of a docker container: pause() failing `failures` times, then pausing."""

    def __init__(self, failures: int, explanation: str = UNABLE):
        self.failures, self.explanation, self.pauses, self.paused = failures, explanation, 0, False

    def pause(self):
        self.pauses += 1
        if self.pauses <= self.failures:
            raise APIError("500 Server Error", explanation=self.explanation)
        self.paused = True

    def reload(self):
        pass

    @property
    def attrs(self):
        return {"State": {"Running": True, "Paused": self.paused}}


NODE = NodeSpec("broker-1", "broker", 1, 9093)


def test_a_pause_runc_gave_up_on_is_asked_again():
    container = Container(failures=2)
    DockerEngine()._pause(container, NODE)
    assert (container.pauses, container.paused) == (3, True)


@pytest.mark.parametrize("lang, words", [("en", "could not freeze broker-1"),
                                         ("ru", "не смог заморозить контейнер broker-1")])
def test_a_container_that_never_freezes_is_said_in_words(lang, words):
    container = Container(failures=PAUSE_ATTEMPTS)
    set_lang(lang)
    try:
        with pytest.raises(KafkaLabError) as err:
            DockerEngine()._pause(container, NODE)
        said = str(err.value)
    finally:
        set_lang(None)
    assert container.pauses == PAUSE_ATTEMPTS and not container.paused
    assert words in said and "unable to freeze" in said


def test_another_docker_error_is_not_retried():
    container = Container(failures=1, explanation="No such container: 46edf3c")
    with pytest.raises(APIError):
        DockerEngine()._pause(container, NODE)
    assert container.pauses == 1
