"""Lab 03 hidden checks: no duplicates in the keyed messages; zebra is the newest message of partition 2."""
from kafkalab.grading import exercise
from kafkalab.i18n import register

register({
    "lab03_hidden_total": {
        "en": "'animals' should hold exactly 9 keyed messages; it holds {count}.",
        "ru": "В 'animals' должно быть ровно 9 сообщений с ключами; а их {count}.",
    },
    "lab03_hidden_zebra_last": {
        "en": "'zebra' should be the newest message of partition 2 (offset {end}); it is at {offset}.",
        "ru": "'zebra' должно быть самым новым сообщением партиции 2 (смещение {end}); а оно на {offset}.",
    },
})


@exercise("lab03.ex2", points=1, hidden=True)
def nine_keyed(ctx):
    count = sum(1 for m in ctx.messages("animals") if m[2] is not None)
    ctx.expect(count == 9, "lab03_hidden_total", count=count)
    return {"keyed_messages": count}


@exercise("lab03.ex5", points=1, hidden=True)
def zebra_last(ctx):
    end = ctx.inspect.end_offsets(ctx.cluster, "animals")[2] - 1
    offsets = [o for p, o, k, v in ctx.messages("animals", partition=2) if v == "zebra"]
    ctx.expect(offsets == [end], "lab03_hidden_zebra_last", end=end, offset=offsets)
    return {"zebra_offset": end}
