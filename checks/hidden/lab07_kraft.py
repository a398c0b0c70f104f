"""Hidden parts of lab 07's checks (an instructor may withhold this file): what the metadata log remembers."""
from pathlib import Path

from kafkalab.grading import exercise, visible_module
from kafkalab.i18n import t

_v = visible_module(__file__)
formatted_folders, metadata_log, leaders_by_epoch = _v.formatted_folders, _v.metadata_log, _v.leaders_by_epoch
topic_ids, live_brokers, killed_nodes, namespaced = _v.topic_ids, _v.live_brokers, _v.killed_nodes, _v.namespaced
read_properties, _ids = _v.read_properties, _v._ids

BOOTSTRAP_CHECKPOINT = "__cluster_metadata-0/00000000000000000000-0000000000.checkpoint"
SLACK_MS = 1000  # clocks: one machine; a record's time is taken when the client or controller makes it


@exercise("lab07.ex1", points=1, hidden=True)
def new_cluster_is_new(ctx):
    new_id = ctx.var("new_cluster_id", str).strip()
    controller = ctx.cluster.spec.voters()[0].name  # every node of the lab's cluster has its id on disk
    lab_id = read_properties(Path(ctx.cluster.data_dir(controller)) / "meta.properties").get("cluster.id")
    ctx.expect(new_id != lab_id, "lab07_new_id_reused")
    folders = formatted_folders(ctx)
    directory_ids = [read_properties(f / "meta.properties").get("directory.id") for f in folders.values()]
    repeated = sorted({d for d in directory_ids if directory_ids.count(d) > 1}, key=str)
    ctx.expect(not repeated, "lab07_directory_ids", found=", ".join(map(str, repeated)))
    for folder in folders.values():
        ctx.expect((Path(folder) / BOOTSTRAP_CHECKPOINT).is_file(), "lab07_no_bootstrap", folder=folder,
                   file=BOOTSTRAP_CHECKPOINT)
    return {"directory_ids": directory_ids}


def history_text(leaders: dict) -> str:
    return ", ".join(f"{epoch}: {r['data'].get('leaderId')}" for epoch, r in sorted(leaders.items()))


@exercise("lab07.ex2", points=1, hidden=True)
def epoch_and_leader_happened(ctx):
    given = ctx.var("quorum", dict)
    leaders = leaders_by_epoch(metadata_log(ctx))
    opened = leaders.get(given.get("epoch"))
    ctx.expect(opened is not None and opened["data"].get("leaderId") == given.get("leader"), "lab07_epoch_leader",
               leader=given.get("leader"), epoch=given.get("epoch"), history=history_text(leaders))
    return {"leaders_by_epoch": {e: r["data"].get("leaderId") for e, r in leaders.items()}}


@exercise("lab07.ex3", points=1, hidden=True)
def admin_names_a_broker(ctx):
    given = ctx.var("admin_answers", (list, tuple))
    brokers = live_brokers(ctx)
    ids = _ids(given)
    ctx.expect(ids and set(ids) <= set(brokers), "lab07_admin_answers", found=list(given), brokers=brokers)
    return {"admin_answers": ids}


def _last(records: list[dict], kind: str, name: str) -> dict | None:
    found = [r for r in records if r["type"] == kind and r["data"].get("name") == name]
    return found[-1] if found else None


@exercise("lab07.ex4", points=1, hidden=True)
def story_in_the_metadata_log(ctx):
    first, _ = killed_nodes(ctx)
    first_id = ctx.cluster.node(first).id
    records = metadata_log(ctx)
    leaders = leaders_by_epoch(records)

    def story(ok: bool, key: str, **values) -> None:
        ctx.expect(ok, "lab07_failover_order", what=t(key, **values))

    led = [e for e, r in leaders.items() if r["data"].get("leaderId") == first_id]
    story(bool(led), "lab07_story_first_leader", node=first)
    two = _last(records, "TOPIC_RECORD", namespaced(ctx, "kraft-two"))
    two_epoch = two["epoch"] if two else None
    story(two is not None and two_epoch in leaders and two_epoch > min(led)
          and leaders[two_epoch]["data"].get("leaderId") != first_id, "lab07_story_two", node=first)
    back = _last(records, "TOPIC_RECORD", namespaced(ctx, "kraft-back"))
    later = sorted(e for e in leaders if e > two_epoch)
    story(back is not None and later and back["epoch"] >= later[0], "lab07_story_back")
    # the messages: 'two-of-three' after the first controller died (its last record kept), 'one-of-three'
    # after the new leader took over; both before the quorum came back (the election after kraft-two)
    died = max((r["time"] for r in records if r["epoch"] is not None and r["epoch"] < two_epoch), default=0)
    elected, back_at = leaders[two_epoch]["time"], leaders[later[0]]["time"]
    times = {}
    for r in ctx.records("orders", max_messages=20000):
        label = (r["value"] or "").rsplit("-", 1)[0]
        times.setdefault(label, []).append(r["timestamp"])
    for label, low in (("two-of-three", died), ("one-of-three", elected)):
        stamps = times.get(label, [])
        story(stamps and min(stamps) >= low - SLACK_MS and max(stamps) <= back_at + SLACK_MS, "lab07_story_produced",
              label=label)
    return {"first_leader_epochs": led, "kraft_two_epoch": two_epoch, "kraft_back_epoch": back["epoch"],
            "elections_after": later}


@exercise("lab07.ex5", points=1, hidden=True)
def removal_offset(ctx):
    given = ctx.var("legacy_removed_at")
    records = metadata_log(ctx)
    ids = set(topic_ids(records, namespaced(ctx, "legacy")))
    removals = [r["offset"] for r in records if r["type"] == "REMOVE_TOPIC_RECORD" and r["data"].get("topicId") in ids]
    ctx.expect(isinstance(given, int) and not isinstance(given, bool) and given in removals, "lab07_removed_at",
               found=given, expected=removals[-1] if removals else None)
    return {"legacy_removed_at": removals}
