"""Lesson plumbing: what the course notebooks print, in the student's language, and "predict, then run".

    from kafkalab.lesson import say, compare_prediction
    say("l04_new_leader", leader=2, seconds=7.3, isr=[2, 0])   # prints the ru or en text of the key
    prediction = 3                                               # the student's guess, written before the run
    compare_prediction(prediction, actual=1)                     # right / close / not what you expected

The code cells of a lesson are identical in course/en and course/ru, so every sentence a cell prints
lives here, registered in kafkalab.i18n under an `lNN_` key (NN = the lesson), and follows the
notebook's folder like every other kafkalab message. Data (numbers, lists, tables) is printed as it is.
"""
from __future__ import annotations

import numbers

from .i18n import MESSAGES, lang, register, t

PLACEHOLDERS = (None, Ellipsis, "", "?")

register({
    # --- a shared class cluster -------------------------------------------------------------------
    "shared_step": {
        "en": "This step needs the cluster's own nodes (their disks or processes), and the shared class cluster's "
              "are not yours, so it is skipped here. On a cluster of your own it shows:\n{recorded}\n"
              "To see it live, run the course on your machine: unset KAFKALAB_ENGINE and KAFKALAB_BOOTSTRAP "
              "(or KAFKALAB_ENGINE=local).",
        "ru": "Этому шагу нужны собственные узлы кластера (их диски или процессы), а узлы общего учебного кластера "
              "не ваши, поэтому здесь шаг пропущен. На своём кластере он показывает:\n{recorded}\n"
              "Чтобы увидеть это вживую, запустите курс на своей машине: уберите KAFKALAB_ENGINE и "
              "KAFKALAB_BOOTSTRAP (или KAFKALAB_ENGINE=local).",
    },
    # --- predict, then run ------------------------------------------------------------------------
    "pred_missing": {
        "en": "No prediction was written (prediction = {given}). The cluster says: {actual}. Next time write "
              "your guess first: a wrong guess you can explain teaches more than a result you only read.",
        "ru": "Прогноз не записан (prediction = {given}). Кластер говорит: {actual}. В следующий раз сначала "
              "запишите догадку: ошибка, которую вы потом объясните, учит больше, чем просто прочитанный результат.",
    },
    "pred_right": {"en": "You predicted {prediction}; the cluster says {actual}. Right!",
                   "ru": "Ваш прогноз: {prediction}; кластер говорит: {actual}. Верно!"},
    "pred_close": {"en": "You predicted {prediction}; the cluster says {actual}. Close enough (within {tolerance}).",
                   "ru": "Ваш прогноз: {prediction}; кластер говорит: {actual}. Близко (в пределах {tolerance})."},
    "pred_wrong": {"en": "You predicted {prediction}; the cluster says {actual}. Not what you expected: "
                         "the text below explains why.",
                   "ru": "Ваш прогноз: {prediction}; кластер говорит: {actual}. Не совпало: почему — "
                         "объясняет текст ниже."},
    "pred_item": {"en": "{item}: {text}", "ru": "{item}: {text}"},
    "pred_yes": {"en": "yes", "ru": "да"},
    "pred_no": {"en": "no", "ru": "нет"},
    # --- lesson 00 ------------------------------------------------------------------------------------
    "l00_jars": {"en": "{n} jars, e.g. {examples}", "ru": "jar-файлов: {n}, например {examples}"},
    "l00_listens": {"en": "{node} listens on {ip}:{port}", "ru": "{node} слушает {ip}:{port}"},
    "l00_messages_in": {"en": "messages in '{topic}': {n}", "ru": "сообщений в '{topic}': {n}"},
    # --- lesson 01 ------------------------------------------------------------------------------------
    "l01_group": {"en": "group {group}: {values}", "ru": "группа {group}: {values}"},
    "l01_created": {"en": "created", "ru": "создан"},
    "l01_failed": {"en": "failed: {error}", "ru": "не удалось: {error}"},
    "l01_down": {"en": "down", "ru": "остановлен"},
    "l01_controller": {"en": "controller: broker {controller}", "ru": "контроллер: брокер {controller}"},
    "l01_quorum_row": {"en": "n={n}: quorum {quorum}, survives {survives} failure(s)",
                       "ru": "n={n}: кворум {quorum}, переживает отказов: {survives}"},
    "l01_zk_says": {"en": "zookeeper-1 says: {text}", "ru": "zookeeper-1 отвечает: {text}"},
    "l01_exists_now": {"en": "{topic} exists now: {exists}", "ru": "{topic} теперь существует: {exists}"},
    "l01_acked": {"en": "{topic}: {acked} of {sent} messages acknowledged",
                  "ru": "{topic}: подтверждено сообщений: {acked} из {sent}"},
    "l01_new_quorum_leader": {"en": "quorum leader {old} killed; the quorum names {new} after {seconds:.1f} s",
                              "ru": "лидер кворума {old} убит; кворум называет лидером {new} через {seconds:.1f} с"},
    "l01_topic_created": {"en": "topic {topic} created with {alive} of 3 controllers in {seconds:.1f} s",
                          "ru": "топик {topic} создан при {alive} контроллерах из 3 за {seconds:.1f} с"},
    "l01_create_refused": {"en": "creating {topic} gave up after {seconds:.1f} s; kafkalab says:",
                           "ru": "создание {topic} прекращено через {seconds:.1f} с; kafkalab сообщает:"},
    "l01_quorum_back": {"en": "after the restart: controllers serving in {started:.1f} s, quorum leader named "
                              "in {leader:.1f} s, topic created in {created:.1f} s",
                        "ru": "после перезапуска: контроллеры работают через {started:.1f} с, лидер кворума "
                              "назван через {leader:.1f} с, топик создан через {created:.1f} с"},
    "l01_new_producer": {"en": "new producer with {config}: {result}", "ru": "новый продюсер с {config}: {result}"},
    "l01_delivered": {"en": "delivered in {seconds:.1f} s", "ru": "доставлено за {seconds:.1f} с"},
    "l01_not_delivered": {"en": "not delivered in {seconds:.1f} s: {error}",
                          "ru": "не доставлено за {seconds:.1f} с: {error}"},
    "l01_idempotent_waited": {
        "en": "The idempotent producer got no producer id: the broker it asked had no ids left to hand out and "
              "needed the controller, which cannot record a new block of ids without the ZooKeeper quorum. The "
              "plain producer needed nothing of the kind. (In another run a broker may still hold ids and the "
              "idempotent producer gets through: the text below explains both cases.)",
        "ru": "Идемпотентный продюсер не получил producer id: у брокера, которого он спросил, не осталось "
              "свободных id, и ему понадобился контроллер, а тот не может записать новый блок id без кворума "
              "ZooKeeper. Обычному продюсеру ничего такого не нужно. (В другом прогоне у брокера могут остаться "
              "id, и тогда идемпотентный продюсер тоже доставит сообщение: текст ниже разбирает оба случая.)"},
    "l01_idempotent_delivered": {
        "en": "This time the idempotent producer got its producer id: the broker it asked still had ids left in "
              "its block and needed neither the controller nor ZooKeeper. A broker without ids would have made it "
              "wait until its message timed out: the text below explains both cases.",
        "ru": "На этот раз идемпотентный продюсер получил producer id: у брокера, которого он спросил, в блоке "
              "ещё оставались id, и ему не понадобились ни контроллер, ни ZooKeeper. Брокер без свободных id "
              "заставил бы продюсера ждать, пока сообщение не истечёт по таймауту: текст ниже разбирает оба случая."},
    # --- lesson 02 ------------------------------------------------------------------------------------
    "l02_producer_waits": {
        "en": "After {seconds} s kafka-console-producer.sh was still running and had printed nothing: no prompt, "
              "no error. It was waiting for lines on its input, which stayed open and empty, as in a terminal where "
              "nobody types; on screen that looks just like a consumer waiting on an empty topic. Closing its input "
              "(Ctrl+D) ended it with exit code {code}. It sent nothing: cities still holds {n} messages.",
        "ru": "Через {seconds} с kafka-console-producer.sh всё ещё работал и ничего не вывел: ни приглашения, ни "
              "ошибки. Он ждал строк на своём вводе, который оставался открытым и пустым, как в терминале, где "
              "никто ничего не набирает; на экране это неотличимо от консьюмера, который ждёт сообщений из пустого "
              "топика. Закрытие ввода (Ctrl+D) завершило его с кодом выхода {code}. Он ничего не отправил: "
              "сообщений в cities по-прежнему {n}."},
    "l02_record": {"en": "offset={offset} timestamp={timestamp} key={key} value={value} partition={partition}",
                   "ru": "смещение={offset} timestamp={timestamp} ключ={key} значение={value} партиция={partition}"},
    "l02_start_end": {"en": "start offsets {start}, end offsets {end}", "ru": "начальные смещения {start}, конечные {end}"},
    "l02_after": {"en": "after {seconds:.0f} s: start offset {start}, end offset {end}",
                  "ru": "через {seconds:.0f} с: начальное смещение {start}, конечное {end}"},
    "l02_first_readable": {"en": "first readable message: offset {offset}, value {value}",
                           "ru": "первое читаемое сообщение: смещение {offset}, значение {value}"},
    # --- lesson 03 ------------------------------------------------------------------------------------
    "l03_key_partition": {"en": "{key} -> partition {partitions}", "ru": "{key} -> партиция {partitions}"},
    "l03_as_received": {"en": "as received: {steps}", "ru": "в порядке получения: {steps}"},
    "l03_partition_steps": {"en": "partition {partition}: {steps}", "ru": "партиция {partition}: {steps}"},
    "l03_segment": {"en": "{folder}: {size} bytes, {n} messages", "ru": "{folder}: {size} байт, сообщений: {n}"},
    # --- lesson 04 ------------------------------------------------------------------------------------
    "l04_replicas_per_broker": {"en": "replicas per broker: {counts}, total: {total}",
                                "ru": "реплик на брокер: {counts}, всего: {total}"},
    "l04_leaders_per_broker": {"en": "leaders per broker: {counts}", "ru": "лидеров на брокер: {counts}"},
    "l04_messages_in": {"en": "messages in {topic}: {count}, end offsets {ends}",
                        "ru": "сообщений в {topic}: {count}, конечные смещения {ends}"},
    "l04_read": {"en": "read {read} distinct messages", "ru": "прочитано разных сообщений: {read}"},
    "l04_hw_paused": {"en": "offsets {offsets} acknowledged by the leader alone (its log end offset: {leo}); "
                            "the high watermark with the followers paused: {high}",
                      "ru": "смещения {offsets} подтверждены одним лидером (его смещение конца лога: {leo}); "
                            "high watermark при замороженных фолловерах: {high}"},
    "l04_hw_resumed": {"en": "followers resumed: the high watermark is now {high}",
                       "ru": "фолловеры разморожены: high watermark теперь {high}"},
    "l04_victim": {"en": "partition 0: leader {leader}, replicas {replicas}, ISR {isr} -> killing {victim}",
                   "ru": "партиция 0: лидер {leader}, реплики {replicas}, ISR {isr} -> убиваем {victim}"},
    "l04_new_leader": {"en": "new leader of partition 0: broker {leader} after {seconds:.1f} s; ISR now {isr}",
                       "ru": "новый лидер партиции 0: брокер {leader} через {seconds:.1f} с; ISR теперь {isr}"},
    "l04_controller": {"en": "controller before: {before}, after: {after} | killed: {victim}",
                       "ru": "контроллер до: {before}, после: {after} | убит: {victim}"},
    "l04_produced_read": {"en": "produced {produced}, read {read}", "ru": "записано {produced}, прочитано {read}"},
    "l04_all_leaders_on": {"en": "all {n} leaders on {broker} after {seconds:.1f} s",
                           "ru": "все {n} лидеров на {broker} через {seconds:.1f} с"},
    "l04_read_one_left": {"en": "read with one broker left: {read}", "ru": "прочитано при одном живом брокере: {read}"},
    "l04_isr_full": {"en": "all ISRs full again {seconds:.1f} s after the restarts",
                     "ru": "все ISR снова полные через {seconds:.1f} с после перезапуска"},
    "l04_assignment": {"en": "replica assignment (leader first): {placement}",
                       "ru": "размещение реплик (лидер первым): {placement}"},
    "l04_followers_down": {"en": "followers down", "ru": "упавших фолловеров"},
    "l04_col_ok": {"en": "acknowledged", "ru": "подтверждено"},
    "l04_col_errors": {"en": "errors", "ru": "ошибки"},
    "l04_kraft_kill": {"en": "active controller {controller}; partition {partition}: leader {leader}, ISR {isr}; "
                             "SIGKILL to {victim}",
                       "ru": "активный контроллер {controller}; партиция {partition}: лидер {leader}, ISR {isr}; "
                             "SIGKILL для {victim}"},
    "l04_kraft_new_leader": {"en": "partition {partition}: new leader {leader}, ISR {isr}, after {seconds:.1f} s",
                             "ru": "партиция {partition}: новый лидер {leader}, ISR {isr}, через {seconds:.1f} с"},
    "l04_kept": {"en": "messages kept in payments: {count}", "ru": "сообщений сохранено в payments: {count}"},
    "l04_col_timeout": {"en": "what notices the death", "ru": "что замечает смерть"},
    "l04_col_failover": {"en": "SIGKILL -> new leader, s", "ru": "SIGKILL -> новый лидер, с"},
    "l04_col_id": {"en": "broker.id", "ru": "broker.id"},
    "l04_col_host": {"en": "host", "ru": "хост"},
    "l04_col_port": {"en": "port", "ru": "порт"},
    "l04_col_controller": {"en": "controller", "ru": "контроллер"},
    # --- lesson 05 ------------------------------------------------------------------------------------
    "l05_live_group": {"en": "live group: {group}", "ru": "живая группа: {group}"},
    "l05_group_state": {"en": "{group}: state {state}, members {members}, committed {committed}",
                        "ru": "{group}: состояние {state}, участников {members}, закоммичено {committed}"},
    "l05_got": {"en": "{name} got {values}", "ru": "{name} получил {values}"},
    "l05_col_consumers": {"en": "consumers", "ru": "консьюмеров"},
    "l05_col_rebalance": {"en": "rebalance, s", "ru": "ребалансировка, с"},
    "l05_col_idle": {"en": "idle", "ru": "простаивает"},
    "l05_idle": {"en": "idle with 6 consumers: {idle}", "ru": "без партиций (idle) при 6 консьюмерах: {idle}"},
    "l05_left": {"en": "{leaving} left; its partition(s) {moved} -> {to}; the rebalance took {seconds:.1f} s",
                 "ru": "{leaving} вышел; его партиции {moved} -> {to}; ребалансировка заняла {seconds:.1f} с"},
    "l05_step_start": {"en": "start (everything read before)", "ru": "начало (всё прочитано раньше)"},
    "l05_step_produced": {"en": "produced +200 (batch {batch})", "ru": "записано +200 (батч {batch})"},
    "l05_step_consumed": {"en": "consumed {n} and committed", "ru": "прочитано {n} и закоммичено"},
    "l05_col_step": {"en": "step", "ru": "шаг"},
    "l05_col_lag": {"en": "lag", "ru": "лаг"},
    "l05_col_held": {"en": "partitions held before", "ru": "партиций было у оставшихся"},
    "l05_col_kept": {"en": "of them kept", "ru": "из них сохранено"},
    "l05_col_revoked": {"en": "given up (on_revoke)", "ru": "отдано (on_revoke)"},
    "l05_col_moment": {"en": "moment", "ru": "момент"},
    "l05_col_leo": {"en": "log-end offset (leader)", "ru": "смещение конца лога (лидер)"},
    "l05_col_hw": {"en": "high watermark", "ru": "high watermark"},
    "l05_col_position": {"en": "consumer position", "ru": "позиция консьюмера"},
    "l05_col_lag_hw": {"en": "lag = HW - position", "ru": "лаг = HW - позиция"},
    "l05_hw_frozen": {"en": "{node} frozen, 5 more acknowledged by the leader alone",
                      "ru": "{node} заморожен, ещё 5 записей подтвердил один лидер"},
    "l05_hw_resumed": {"en": "the follower resumed and fetched", "ru": "фолловер разморожен и забрал записи"},
    "l05_hw_read": {"en": "the consumer read on", "ru": "консьюмер дочитал"},
    "l05_hw_beyond": {"en": "asked once more while {node} was frozen: {n} records above the high watermark",
                      "ru": "запрошено ещё раз, пока {node} заморожен: записей выше high watermark: {n}"},
    # --- lesson 06 ------------------------------------------------------------------------------------
    "l06_col_partition": {"en": "partition", "ru": "партиция"},
    "l06_col_end_offset": {"en": "end offset (high watermark)", "ru": "конечное смещение (high watermark)"},
    "l06_col_committed": {"en": "committed offset", "ru": "закоммиченное смещение"},
    "l06_col_lag": {"en": "lag", "ru": "лаг"},
    "l06_java_on_39": {"en": "Java (3.9 cluster)", "ru": "Java (кластер 3.9)"},
    "l06_default": {"en": "{value} (default)", "ru": "{value} (по умолчанию)"},
    "l06_fast": {"en": "{rate:.0f} records/s, {mb:.2f} MB/s, average latency {avg:.1f} ms, p99 {p99:.0f} ms",
                 "ru": "{rate:.0f} записей/с, {mb:.2f} МБ/с, средняя задержка {avg:.1f} мс, p99 {p99:.0f} мс"},
    "l06_consumer_read": {
        "en": "read {n} of {total} records, {mb:.2f} MB, {rate:.0f} records/s (fetching only: {fetch_rate:.0f} "
              "records/s); joining the group took {join_ms:.0f} ms",
        "ru": "прочитано {n} из {total} записей, {mb:.2f} МБ, {rate:.0f} записей/с (только выборка: {fetch_rate:.0f} "
              "записей/с); вход в группу занял {join_ms:.0f} мс"},
    "l06_linger": {"en": "average latency: linger.ms=0 -> {lat0:.1f} ms, linger.ms=100 -> {lat100:.1f} ms",
                   "ru": "средняя задержка: linger.ms=0 -> {lat0:.1f} мс, linger.ms=100 -> {lat100:.1f} мс"},
    "l06_lag_part": {"en": "the topic holds {total}, the group read {read}, lag now {lag}",
                     "ru": "в топике {total}, группа прочитала {read}, лаг сейчас {lag}"},
    "l06_lag_rest": {"en": "read the rest: {read}, lag now {lag}", "ru": "дочитано: {read}, лаг сейчас {lag}"},
})

_YES = {"yes", "y", "true", "да", "д"}
_NO = {"no", "n", "false", "нет", "н"}


def say(message: str, /, **values) -> None:
    """Print the message `message` in the notebook's language (a value may be called `key`)."""
    print(MESSAGES[message][lang()].format(**values))


def own_nodes(cluster, recorded: str) -> bool:
    """Whether a step may touch the cluster's nodes (a broker's data folder, killing a broker). On a
    shared cluster it may not: this says so, shows `recorded` (what the step shows on a cluster of
    one's own) and returns False, so the lesson goes on with its next step."""
    if cluster.engine.controls_nodes:
        return True
    say("shared_step", recorded=recorded)
    return False


def yes_no(value: bool) -> str:
    """'yes' / 'no' in the notebook's language ('да' / 'нет')."""
    return t("pred_yes") if value else t("pred_no")


def _show(value) -> str:
    if isinstance(value, bool):
        return t("pred_yes") if value else t("pred_no")
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _coerce(prediction, actual):
    """The prediction in the type of the actual value: '3' -> 3, 'да' -> True, ' Leader ' -> 'leader'."""
    if isinstance(actual, bool):
        if isinstance(prediction, bool):
            return prediction
        word = str(prediction).strip().lower()
        return True if word in _YES else False if word in _NO else prediction
    if isinstance(actual, numbers.Number) and not isinstance(prediction, bool):
        if isinstance(prediction, numbers.Number):
            return prediction
        try:
            return float(str(prediction).strip().replace(",", "."))
        except ValueError:
            return prediction
    if isinstance(actual, str):
        return str(prediction).strip().lower()
    return prediction


def judge(prediction, actual, tolerance: float = 0) -> str:
    """'missing', 'right', 'close' or 'wrong' for one prediction."""
    if any(prediction is p or (isinstance(prediction, str) and prediction == p) for p in PLACEHOLDERS):
        return "missing"
    guess = _coerce(prediction, actual)
    want = actual.strip().lower() if isinstance(actual, str) else actual
    if guess == want:
        return "right"
    if (tolerance and isinstance(guess, numbers.Number) and isinstance(want, numbers.Number)
            and not isinstance(guess, bool) and abs(guess - want) <= tolerance):
        return "close"
    return "wrong"


def compare_prediction(prediction, actual, tolerance: float = 0) -> None:
    """Print how the student's `prediction` compares with what the cluster did (`judge` gives the verdict).

    `actual` may be a number (within `tolerance` counts as close), a bool (yes/no, да/нет), a string
    (compared without case) or a dict of those: then `prediction` is a dict with the same keys, and each
    key gets its own line.
    """
    if isinstance(actual, dict):
        guesses = prediction if isinstance(prediction, dict) else dict.fromkeys(actual, prediction)
        for item, value in actual.items():
            guess = guesses.get(item)
            print(t("pred_item", item=item, text=_line(judge(guess, value, tolerance), guess, value, tolerance)))
        return  # nothing to show as the cell's result: the lines above are the answer
    print(_line(judge(prediction, actual, tolerance), prediction, actual, tolerance))


def _line(verdict: str, prediction, actual, tolerance) -> str:
    if verdict == "missing":
        return t("pred_missing", given="..." if prediction is Ellipsis else repr(prediction), actual=_show(actual))
    return t(f"pred_{verdict}", prediction=_show(prediction), actual=_show(actual), tolerance=_show(tolerance))


def language() -> str:
    """The language the lesson prints in ('en' or 'ru')."""
    return lang()
