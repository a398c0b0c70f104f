"""Cluster map: every node (up / down, the controller), and who leads and follows each partition.

    kafkalab.widgets.cluster_map(cluster, topics=["months"])
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import ipywidgets as widgets

from .. import inspect
from ..errors import KafkaLabError
from ..i18n import t
from .common import LiveWidget, esc, run_quietly

UP, DOWN = "#1a7f37", "#c62828"


@dataclass
class NodeState:
    name: str
    role: str
    id: int
    alive: bool
    controller: bool = False


@dataclass
class MapState:
    nodes: list[NodeState]
    topics: dict[str, object] = field(default_factory=dict)  # name -> TopicInfo or an error text

    def broker(self, broker_id: int) -> NodeState | None:
        return next((n for n in self.nodes if n.role == "broker" and n.id == broker_id), None)


def read_nodes(cluster) -> list[NodeState]:
    """Which nodes run, from the engine (instant, even when no broker answers)."""
    return [NodeState(n.name, n.role, n.id, cluster.alive(n.name)) for n in cluster.nodes]


def read_state(cluster, topics: list[str], nodes: list[NodeState] | None = None) -> MapState:
    """The map's data: node liveness from the engine, controller and partitions from the brokers."""
    state = MapState(nodes if nodes is not None else read_nodes(cluster))
    if not any(n.alive for n in state.nodes if n.role == "broker"):
        state.topics = {topic: t("w_no_leader") for topic in topics}
        return state
    controller = inspect.controller(cluster)
    for n in state.nodes:
        n.controller = n.role == "broker" and n.id == controller and n.alive
    for topic in topics:
        try:
            state.topics[topic] = inspect.describe_topic(cluster, topic)
        except KafkaLabError as err:
            if err.key == "broker_unreachable":
                raise
            state.topics[topic] = str(err)
    return state


def _role(n: NodeState) -> str:
    return t("w_role_zookeeper") if n.role == "zookeeper" else t(f"w_role_{n.role}", id=n.id)


def node_html(n: NodeState) -> str:
    color = UP if n.alive else DOWN
    state = t("w_up") if n.alive else t("w_down")
    crown = (f' <b class="kl-controller" style="background:#ffe082;border-radius:3px;padding:0 5px">'
             f'{esc(t("w_controller"))}</b>' if n.controller else "")
    return (f'<span class="kl-node kl-{n.role}" data-node="{esc(n.name)}" data-id="{n.id}" '
            f'data-alive="{str(n.alive).lower()}" data-controller="{str(n.controller).lower()}" '
            f'style="display:inline-block;min-width:26em;padding:2px 8px;border-left:6px solid {color}">'
            f'<b>{esc(n.name)}</b> <small>({esc(_role(n))})</small> '
            f'<span class="kl-state" style="color:{color}">● {esc(state)}</span>{crown}</span>')


def topic_html(name: str, info, state: MapState) -> str:
    head = f'<div style="margin-top:6px"><b>{esc(t("w_topic", topic=name))}</b></div>'
    if isinstance(info, str):
        return head + f'<div class="kl-topic-error" style="color:{DOWN}">{esc(info)}</div>'
    broker_ids = sorted(n.id for n in state.nodes if n.role == "broker")
    cols = "".join(f'<th style="padding:2px 8px">{bid}</th>' for bid in broker_ids)
    rows = []
    for p in info.partitions:
        followers = [r for r in p.replicas if r != p.leader]
        cells = []
        for bid in broker_ids:
            node = state.broker(bid)
            dead = node is not None and not node.alive
            mark = ("★" if bid == p.leader else "○" if bid in p.isr else "✕") if bid in p.replicas else ""
            bg = "#fdecea" if dead and mark else "#e8f5e9" if mark == "★" else ""
            cells.append(f'<td style="text-align:center;padding:2px 8px;background:{bg}">{mark}</td>')
        leader = (f'<span class="kl-leader">{p.leader}</span>' if p.leader is not None
                  else f'<span class="kl-leader" style="color:{DOWN}">{esc(t("w_no_leader"))}</span>')
        rows.append(
            f'<tr class="kl-partition" data-topic="{esc(name)}" data-partition="{p.partition}" '
            f'data-leader="{"" if p.leader is None else p.leader}" data-isr="{",".join(map(str, p.isr))}">'
            f'<td>{p.partition}</td><td>{leader}</td><td>{", ".join(map(str, followers)) or "-"}</td>'
            f'<td>{", ".join(map(str, p.isr)) or "-"}</td>{"".join(cells)}</tr>')
    pad = "padding:2px 10px;text-align:left"
    heads = "".join(f'<th style="{pad}">{esc(t(k))}</th>' for k in ("w_partition", "w_leader", "w_followers", "w_isr"))
    style = f"<style>.kl-partitions td {{{pad}}}</style>"
    return (head + style + f'<table class="kl-partitions" data-topic="{esc(name)}" style="border-collapse:collapse">'
            f'<tr>{heads}{cols}</tr>{"".join(rows)}</table>')


def topics_html(state: MapState) -> str:
    if not state.topics:
        return ""
    body = "".join(topic_html(name, info, state) for name, info in state.topics.items())
    return body + f'<div><small style="color:#666">{esc(t("w_legend"))}</small></div>'


class ClusterMap(LiveWidget):
    """Live map of a cluster: nodes with kill / start buttons, partitions of the chosen topics."""

    def __init__(self, cluster, topics: list[str] | None = None, interval: float = 1.0, live: bool = True):
        super().__init__()
        self.add_class("kl-cluster-map")
        self.cluster, self.topic_names, self.interval = cluster, list(topics or []), interval
        self.state = MapState([NodeState(n.name, n.role, n.id, False) for n in cluster.nodes])
        self._busy: set[str] = set()
        self._lock = threading.Lock()
        self.pressed: dict[tuple[str, str], float] = {}  # (action, node) -> time.monotonic() of the last press
        self._actions: dict[str, threading.Thread] = {}
        self.said: dict[str, str] = {}  # node -> what its last kill / start said (the message under the map)
        self.title = widgets.HTML(f"<b>{esc(t('w_map_title', name=cluster.name))}</b>")
        self.badges, self.kill_buttons, self.start_buttons, rows = {}, {}, {}, []
        for n in cluster.nodes:
            badge = widgets.HTML()
            kill = widgets.Button(description=t("w_kill"), tooltip=t("w_kill_tip", node=n.name),
                                  button_style="danger", icon="bolt", layout=widgets.Layout(width="auto"))
            start = widgets.Button(description=t("w_start"), tooltip=t("w_start_tip", node=n.name),
                                   button_style="success", icon="play", layout=widgets.Layout(width="auto"))
            kill.add_class(f"kl-kill-{n.name}")
            start.add_class(f"kl-start-{n.name}")
            kill.on_click(lambda _b, name=n.name: self.act("kill", name))
            start.on_click(lambda _b, name=n.name: self.act("start", name))
            self.badges[n.name], self.kill_buttons[n.name], self.start_buttons[n.name] = badge, kill, start
            rows.append(widgets.HBox([badge, kill, start]))
        self.message = widgets.HTML()
        self.message.add_class("kl-message")
        self.partitions = widgets.HTML()
        self.children = [self.title, *rows, self.partitions, self.message, self.status]
        try:
            self.refresh()
        except Exception as err:
            self._failed(err, self.interval)
        if live:
            self.start_polling()

    def keep_going(self) -> bool:
        return self.cluster.exists()  # removed by `down`: nothing left to watch

    def refresh(self) -> None:
        self.show_nodes()  # at once: the brokers' answers below may take seconds after a kill
        with self._lock:
            self.state = read_state(self.cluster, self.topic_names)
            self._draw()

    def show_nodes(self) -> None:
        """Redraw which nodes run (cheap: asks the engine, not the brokers)."""
        alive = {n.name: n.alive for n in read_nodes(self.cluster)}
        for n in self.state.nodes:
            if n.alive != alive[n.name]:
                n.alive, n.controller = alive[n.name], n.controller and alive[n.name]
        self._draw(topics=False)

    def _draw(self, topics: bool = True) -> None:
        for n in self.state.nodes:
            value = node_html(n)
            if self.badges[n.name].value != value:
                self.badges[n.name].value = value
            busy = n.name in self._busy
            self.kill_buttons[n.name].disabled = busy or not n.alive
            self.start_buttons[n.name].disabled = busy or n.alive
        value = topics_html(self.state) if topics else self.partitions.value
        if self.partitions.value != value:
            self.partitions.value = value

    def act(self, action: str, node: str) -> threading.Thread:
        """Kill or start `node` in a thread, so the notebook stays responsive; the map follows."""
        self.pressed[(action, node)] = time.monotonic()
        self._busy.add(node)
        self.kill_buttons[node].disabled = self.start_buttons[node].disabled = True
        self.message.value = esc(t("w_busy", action=t(f"w_{action}"), node=node))

        def work():
            try:
                said = run_quietly(lambda: getattr(self.cluster, action)(node))
                self.said[node] = said
                self.message.value = esc(said)
            except Exception as err:
                self.said[node] = t("w_action_failed", node=node, error=err)
                self.message.value = f'<span style="color:{DOWN}">{esc(t("w_action_failed", node=node, error=err))}</span>'
            finally:
                self._busy.discard(node)
                try:
                    self.show_nodes()
                except Exception:
                    pass
                self.poll_now()
                if not self.polling:
                    try:
                        self.refresh()
                    except Exception:
                        pass

        thread = threading.Thread(target=work, name=f"kafkalab-action-{action}-{node}", daemon=True)
        self._actions[node] = thread
        thread.start()
        return thread

    def press(self, action: str, node: str, timeout: float = 300.0) -> float:
        """Press `node`'s kill or start button from code, exactly as a click does (a notebook run has no
        mouse), wait until the action is done, and return when the button was pressed (time.monotonic()).

        When that button was pressed already (by hand, say) and the node is in the state it leads to,
        nothing is pressed again: the time of that press is returned.

            killed_at = cluster_view.press("kill", "broker-1")
        """
        if action not in ("kill", "start"):
            raise ValueError(f"action must be 'kill' or 'start', not {action!r}")
        button = (self.kill_buttons if action == "kill" else self.start_buttons)[node]
        wanted = action == "start"  # alive after the action
        done_before = (action, node) in self.pressed and self.cluster.alive(node) == wanted
        if not done_before:
            if button.disabled and self.cluster.alive(node) == wanted:
                raise RuntimeError(t("w_press_pointless", node=node, action=t(f"w_{action}")))
            button.click()  # runs the button's own handler: self.act(action, node)
        thread = self._actions.get(node)
        if thread is not None:
            thread.join(timeout)
        if self.cluster.alive(node) != wanted:
            raise RuntimeError(self.said.get(node) or t("w_busy", action=t(f"w_{action}"), node=node))
        return self.pressed[(action, node)]

    def snapshot_html(self) -> str:
        nodes = "<br>".join(node_html(n) for n in self.state.nodes)
        return (f'<div class="kl-cluster-map"><b>{esc(t("w_map_title", name=self.cluster.name))}</b><br>'
                f'{nodes}{topics_html(self.state)}</div>')

    def snapshot_text(self) -> str:
        lines = [t("w_map_title", name=self.cluster.name)]
        for n in self.state.nodes:
            extra = f" [{t('w_controller')}]" if n.controller else ""
            lines.append(f"  {n.name:<14} {_role(n):<22} {t('w_up') if n.alive else t('w_down')}{extra}")
        for name, info in self.state.topics.items():
            lines.append(t("w_topic", topic=name))
            if isinstance(info, str):
                lines.append(f"  {info}")
                continue
            for p in info.partitions:
                leader = p.leader if p.leader is not None else t("w_no_leader")
                followers = ",".join(str(r) for r in p.replicas if r != p.leader) or "-"
                lines.append(f"  {t('w_partition')} {p.partition}: {t('w_leader')} {leader}, "
                             f"{t('w_followers')} {followers}, {t('w_isr')} {','.join(map(str, p.isr)) or '-'}")
        return "\n".join(lines)


def cluster_map(cluster=None, topics: list[str] | None = None, interval: float = 1.0, live: bool = True) -> ClusterMap:
    """A live map of `cluster` (default: the current one) and the partitions of `topics`."""
    if cluster is None:
        from ..cluster.cluster import current
        cluster = current()
    if isinstance(topics, str):
        topics = [topics]
    return ClusterMap(cluster, topics, interval=interval, live=live)
