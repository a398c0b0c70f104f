"""Live ipywidgets views of the lab's cluster, labelled in ru and en.

    import kafkalab.widgets as kw
    kw.cluster_map(cluster, topics=["months"])   # nodes, controller, leaders / followers / ISR; kill / start
    kw.group_view(cluster, "readers")             # end offset, committed offset and lag per partition
    kw.producer_panel(cluster, "months"); kw.consumer_panel(cluster, "months")
    kw.perf_view(cluster, "perf")                 # producer / consumer perf tests, table and plots

Every widget polls in the background (with backoff) until it is closed, its cell runs again, its
cluster is removed or the kernel exits. Where widgets cannot render (nbconvert, nbval, a console) it
shows an HTML / text snapshot of the state it last saw.
"""
from .cluster_map import ClusterMap, cluster_map
from .common import running_pollers, stop_all
from .groups import GroupView, group_view
from .panels import ConsumerPanel, ProducerPanel, consumer_panel, producer_panel
from .perf_view import PerfView, perf_view

__all__ = ["ClusterMap", "ConsumerPanel", "GroupView", "PerfView", "ProducerPanel", "cluster_map",
           "consumer_panel", "group_view", "perf_view", "producer_panel", "running_pollers", "stop_all"]
