"""Consumer group view: per partition the end offset, committed offset and lag as bars; the members.

    kafkalab.widgets.group_view(cluster, "readers")
"""
from __future__ import annotations

import ipywidgets as widgets

from .. import inspect
from ..errors import KafkaLabError
from ..i18n import t
from .common import LiveWidget, esc

BAR_END, BAR_COMMITTED, BAR_LAG = "#90caf9", "#1565c0", "#e53935"


def _short(member: str | None) -> str:
    return "-" if not member else (member if len(member) <= 24 else member[:10] + "…" + member[-8:])


def _bar(p, scale: int) -> str:
    """One row: a light bar to the end offset, a dark one to the committed offset, the gap in red."""
    committed = p.committed or 0
    done = 100 * committed / scale if scale else 0
    lag = 100 * max(p.lag, 0) / scale if scale else 0
    return (f'<div style="position:relative;width:22em;height:12px;background:#f1f1f1">'
            f'<div style="position:absolute;left:0;width:{done + lag:.1f}%;height:12px;background:{BAR_END}"></div>'
            f'<div style="position:absolute;left:0;width:{done:.1f}%;height:12px;background:{BAR_COMMITTED}"></div>'
            f'<div style="position:absolute;left:{done:.1f}%;width:{lag:.1f}%;height:12px;'
            f'background:repeating-linear-gradient(45deg,{BAR_LAG},{BAR_LAG} 3px,{BAR_END} 3px,{BAR_END} 6px)">'
            f'</div></div>')


def group_html(info, group: str) -> str:
    if info is None:
        return f'<div class="kl-group" data-group="{esc(group)}">{esc(t("w_group_missing", group=group))}</div>'
    title = t("w_group_title", group=group, state=info.state, lag=info.total_lag)
    scale = max([p.end_offset for p in info.partitions] + [1])
    rows = "".join(
        f'<tr class="kl-group-partition" data-topic="{esc(p.topic)}" data-partition="{p.partition}" '
        f'data-end="{p.end_offset}" data-committed="{"" if p.committed is None else p.committed}" '
        f'data-lag="{p.lag}"><td>{esc(p.topic)}</td><td>{p.partition}</td><td>{p.end_offset}</td>'
        f'<td>{"-" if p.committed is None else p.committed}</td><td><b>{p.lag}</b></td>'
        f'<td>{_bar(p, scale)}</td><td><small>{esc(_short(p.member))}</small></td></tr>'
        for p in info.partitions)
    heads = "".join(f"<th>{esc(t(k))}</th>" if k else "<th></th>" for k in
                    ("w_topic_col", "w_partition", "w_end_offset", "w_committed", "w_lag", "", "w_member"))
    style = ("<style>.kl-group th, .kl-group td {padding:2px 8px;text-align:left;white-space:nowrap}</style>")
    table = f'{style}<table style="border-collapse:collapse"><tr>{heads}</tr>{rows}</table>'
    if info.members:
        items = "".join(
            f'<li class="kl-group-member" data-member="{esc(m)}">{esc(_short(m))}: {esc(t("w_assigned"))} '
            f'{esc(", ".join(f"{tp}/{pn}" for tp, pn in parts) or "-")}</li>' for m, parts in info.members.items())
        members = f'<b>{esc(t("w_members"))} ({len(info.members)})</b><ul style="margin:2px 0">{items}</ul>'
    else:
        members = f'<i>{esc(t("w_no_members"))}</i>'
    return (f'<div class="kl-group" data-group="{esc(group)}" data-members="{len(info.members)}" '
            f'data-total-lag="{info.total_lag}"><b>{esc(title)}</b>{table}{members}</div>')


def group_text(info, group: str) -> str:
    if info is None:
        return t("w_group_missing", group=group)
    lines = [t("w_group_title", group=group, state=info.state, lag=info.total_lag)]
    for p in info.partitions:
        committed = "-" if p.committed is None else p.committed
        lines.append(f"  {p.topic}/{p.partition}: {t('w_end_offset')} {p.end_offset}, {t('w_committed')} "
                     f"{committed}, {t('w_lag')} {p.lag}, {t('w_member')} {_short(p.member)}")
    lines.append(f"{t('w_members')}: {len(info.members)}")
    for m, parts in info.members.items():
        lines.append(f"  {_short(m)}: " + (", ".join(f"{tp}/{pn}" for tp, pn in parts) or "-"))
    return "\n".join(lines)


class GroupView(LiveWidget):
    """Live lag of one consumer group."""

    def __init__(self, cluster, group: str, interval: float = 1.0, live: bool = True):
        super().__init__()
        self.add_class("kl-group-view")
        self.cluster, self.group, self.interval = cluster, group, interval
        self.info = None
        self.view = widgets.HTML()
        self.children = [self.view, self.status]
        try:
            self.refresh()
        except Exception as err:
            self._failed(err, interval)
        if live:
            self.start_polling()

    def keep_going(self) -> bool:
        return not hasattr(self.cluster, "exists") or self.cluster.exists()

    def refresh(self) -> None:
        try:
            self.info = inspect.describe_group(self.cluster, self.group)
        except KafkaLabError as err:
            if err.key != "group_unknown":
                raise
            self.info = None  # no consumer has joined yet: keep watching
        value = group_html(self.info, self.group)
        if self.view.value != value:
            self.view.value = value

    def snapshot_html(self) -> str:
        return group_html(self.info, self.group)

    def snapshot_text(self) -> str:
        return group_text(self.info, self.group)


def group_view(cluster, group: str, interval: float = 1.0, live: bool = True) -> GroupView:
    """A live view of consumer group `group`: offsets, lag bars, members and their partitions."""
    return GroupView(cluster, group, interval=interval, live=live)
