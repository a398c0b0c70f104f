"""Lab 00 hidden checks: details a student cannot see from the visible checks."""
from kafkalab.grading import exercise
from kafkalab.i18n import register

register({
    "lab00_hidden_offsets": {
        "en": "The messages of 'hello' should sit at offsets 0, 1, 2 of partition 0 without keys; found {found}.",
        "ru": "Сообщения 'hello' должны лежать в партиции 0 по смещениям 0, 1, 2 без ключей; найдено {found}.",
    },
    "lab00_hidden_controller": {
        "en": "`broker_id` should also be the controller of this one-broker cluster (controller: {real}).",
        "ru": "`broker_id` в кластере из одного брокера должен быть и контроллером (контроллер: {real}).",
    },
})


@exercise("lab00.ex1", points=1, hidden=True)
def only_broker_is_controller(ctx):
    real = ctx.inspect.controller(ctx.cluster)
    ctx.expect(ctx.var("broker_id", int) == real, "lab00_hidden_controller", real=real)
    return {"controller": real}


@exercise("lab00.ex4", points=1, hidden=True)
def hello_offsets(ctx):
    found = [(p, o, k) for p, o, k, _ in ctx.messages("hello")]
    ctx.expect(found == [(0, 0, None), (0, 1, None), (0, 2, None)], "lab00_hidden_offsets", found=found)
    return {"offsets": [o for _, o, _ in found]}
