"""The quota lines of `kafka-configs.sh --describe` that a cluster's reset deletes."""
import pytest

from kafkalab.cluster.reset import quotas

pytestmark = pytest.mark.unit


def test_quota_lines_of_clients_users_and_defaults():
    text = ("Quota configs for client-id 'loadgen' are producer_byte_rate=10240.0, consumer_byte_rate=2048.0\n"
            "Quota configs for the default client-id are request_percentage=50.0\n"
            "Quota configs for user-principal 'alice' are producer_byte_rate=1024.0\n"
            "Default configs for brokers in the cluster are:\n")
    assert quotas(text) == [("clients", "loadgen", ["producer_byte_rate", "consumer_byte_rate"]),
                            ("clients", None, ["request_percentage"]),
                            ("users", "alice", ["producer_byte_rate"])]


def test_no_quota_no_entry():
    assert quotas("") == [] and quotas("Some other line are x=1") == []
