"""Clusters: spec -> node configs -> engine."""
from .cluster import Cluster, attach, clusters, down, up
from .spec import PRESETS, ClusterSpec, NodeSpec

__all__ = ["Cluster", "ClusterSpec", "NodeSpec", "PRESETS", "attach", "clusters", "down", "up"]
