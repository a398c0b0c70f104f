"""Lab 00 hidden checks: details a student cannot see from the visible checks; the group 'readers' read
everything once, the orders moved with their keys, the sensors keyed by sensor."""

from kafkalab.grading import exercise, visible_module
from kafkalab.i18n import register

_v = visible_module(__file__)

register({
    "lab00_hidden_offsets": {
        "en": "The messages of 'hello' should sit at offsets 0, 1, 2 of partition 0 without keys; found {found}.",
        "ru": "Сообщения 'hello' должны лежать в партиции 0 по смещениям 0, 1, 2 без ключей; найдено {found}.",
    },
    "lab00_hidden_controller": {
        "en": "`broker_id` should also be the controller of this one-broker cluster (controller: {real}).",
        "ru": "`broker_id` в кластере из одного брокера должен быть и контроллером (контроллер: {real}).",
    },
    "lab00_hidden_readers": {
        "en": "As the experiment leaves them, 'notes' holds n-0 ... n-5 at offsets 0 ... 5 and 'readers' has read "
              "to its end (committed = end offset, lag 0); found messages {found}, committed {committed}, end "
              "offset {end}.",
        "ru": "После эксперимента в 'notes' лежат n-0 ... n-5 на смещениях 0 ... 5, а 'readers' дочитала до конца "
              "(закоммичено = конечное смещение, лаг 0); найдено сообщений {found}, закоммичено {committed}, "
              "конечное смещение {end}.",
    },
    "lab00_hidden_order_keys": {
        "en": "Each order should keep its key (the customer) as it was sent; the keys in 'orders' are {found}, "
              "sent were {want}.",
        "ru": "Каждый заказ должен сохранить свой ключ (покупателя), как его отправили; ключи в 'orders': {found}, "
              "а отправлены были {want}.",
    },
    "lab00_hidden_sensor_keys": {
        "en": "Every reading should carry a key, the same for all readings of one sensor; sensors with no key or "
              "several keys: {keys}.",
        "ru": "У каждого показания должен быть ключ, один для всех показаний датчика; датчики без ключа или с "
              "несколькими ключами: {keys}.",
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


@exercise("lab00.ex6", points=1, hidden=True)
def readers_read_everything_once(ctx):
    found = [(o, v) for _, o, _, v in ctx.messages("notes")]
    committed = _v.committed_of(ctx, "readers", "notes").get(0)
    end = ctx.inspect.end_offsets(ctx.cluster, "notes")[0]
    ctx.expect(found == list(enumerate(_v.NOTES)) and committed == end == len(_v.NOTES), "lab00_hidden_readers",
               found=found, committed=committed, end=end)
    return {"committed": committed, "end_offset": end}


@exercise("lab00.ex7", points=1, hidden=True)
def orders_keep_their_keys(ctx):
    found = [k for _, _, k, _ in ctx.messages("orders")]
    want = [k for k, _ in _v.ORDERS]
    ctx.expect(found == want, "lab00_hidden_order_keys", found=found, want=want)
    return {"keys": found}


@exercise("lab00.ex8", points=1, hidden=True)
def sensors_keyed(ctx):
    return {"key_of_sensor": ctx.one_key_each("sensors", _v.sensor_of, "lab00_hidden_sensor_keys")}
