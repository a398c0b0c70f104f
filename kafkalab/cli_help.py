"""The help texts of the `kafkalab` command and its subcommands, in ru and en.

argparse %-formats help texts: a literal percent sign is written `%%` here.
"""
from .i18n import register

register({
    "cli_help_description": {
        "en": "Kafka Lab: real Kafka clusters for the course",
        "ru": "Kafka Lab: настоящие кластеры Kafka для курса",
    },
    "cli_help_name": {
        "en": "cluster name (default: $KAFKALAB_CLUSTER or 'kafkalab')",
        "ru": "имя кластера (по умолчанию: $KAFKALAB_CLUSTER или 'kafkalab')",
    },
    "cli_help_up": {
        "en": "start a cluster; returns when it is ready",
        "ru": "запустить кластер; команда завершается, когда он готов",
    },
    "cli_help_up_preset": {"en": "default: three-brokers", "ru": "по умолчанию: three-brokers"},
    "cli_help_up_fresh": {
        "en": "start clean: a running cluster of that name and settings is reset in place (topics, groups, "
              "quotas deleted), any other removed first",
        "ru": "начать с чистого листа: работающий кластер с этим именем и этими настройками сбрасывается на месте "
              "(топики, группы и квоты удаляются), любой другой сначала удаляется",
    },
    "cli_help_up_kafka": {
        "en": "Kafka version: 3.9 (default, or $KAFKALAB_KAFKA) or 4 (KRaft presets only)",
        "ru": "версия Kafka: 3.9 (по умолчанию или из $KAFKALAB_KAFKA) или 4 (только для пресетов KRaft)",
    },
    "cli_help_status": {"en": "nodes and addresses of the clusters", "ru": "узлы и адреса кластеров"},
    "cli_help_stop": {"en": "stop one node", "ru": "остановить один узел"},
    "cli_help_start": {"en": "start one node", "ru": "запустить один узел"},
    "cli_help_kill": {"en": "kill one node", "ru": "убить один узел"},
    "cli_help_pause": {"en": "pause one node", "ru": "заморозить один узел"},
    "cli_help_resume": {"en": "resume one node", "ru": "разморозить один узел"},
    "cli_help_down": {"en": "stop a cluster and delete its data", "ru": "остановить кластер и удалить его данные"},
    "cli_help_down_all": {
        "en": "every cluster of this KAFKALAB_HOME, and leftovers of crashed ones",
        "ru": "все кластеры этого KAFKALAB_HOME и остатки аварийно завершившихся",
    },
    "cli_help_down_all_homes": {
        "en": "with --all: also leftovers of clusters of any KAFKALAB_HOME whose folder is gone",
        "ru": "вместе с --all: ещё и остатки кластеров любого KAFKALAB_HOME, папки которого больше нет",
    },
    "cli_help_down_course": {
        "en": "every course cluster (the ones scripts/start and the lessons started)",
        "ru": "все кластеры курса (те, что запустили scripts/start и уроки)",
    },
    "cli_help_logs": {"en": "a node's server.log", "ru": "server.log узла"},
    "cli_help_tool": {
        "en": "run a Kafka CLI tool, e.g. kafka-topics.sh --list ...",
        "ru": "запустить утилиту командной строки Kafka, например kafka-topics.sh --list ...",
    },
    "cli_help_fetch": {"en": "find or download Apache Kafka", "ru": "найти или скачать Apache Kafka"},
    "cli_help_fetch_kafka": {
        "en": "Kafka version: 3.9 (default, or $KAFKALAB_KAFKA) or 4",
        "ru": "версия Kafka: 3.9 (по умолчанию или из $KAFKALAB_KAFKA) или 4",
    },
    "cli_help_doctor": {
        "en": "check Java, Docker, ports, memory, disk",
        "ru": "проверить Java, Docker, порты, память, диск",
    },
    "cli_help_image": {"en": "Docker images for the docker engine", "ru": "Docker-образы для движка docker"},
    # kafkalab classroom
    "cli_help_classroom": {
        "en": "instructor: per-student users, prefixed ACLs and quotas on a shared cluster",
        "ru": "для преподавателя: у каждого студента свой пользователь, ACL по префиксу и квоты на общем кластере",
    },
    "cli_help_classroom_name": {
        "en": "the class cluster (kafkalab up --engine external with the admin's properties)",
        "ru": "учебный кластер (kafkalab up --engine external с файлом свойств администратора)",
    },
    "cli_help_classroom_roster": {
        "en": "CSV with a 'student' column (optional: password, quotas)",
        "ru": "CSV со столбцом 'student' (необязательные столбцы: password, квоты)",
    },
    "cli_help_classroom_out": {
        "en": "folder of the students' client properties files",
        "ru": "папка для клиентских файлов свойств студентов",
    },
    "cli_help_classroom_dry_run": {
        "en": "say what would be done, change nothing",
        "ru": "показать, что было бы сделано, ничего не меняя",
    },
    "cli_help_classroom_json": {"en": "status as JSON", "ru": "вывод status в формате JSON"},
    "cli_help_classroom_quota": {"en": "default {value}", "ru": "по умолчанию {value}"},
    # kafkalab grade
    "cli_help_grade": {
        "en": "grade lab submissions: each in its own sandboxed kernel and cluster",
        "ru": "проверить сданные лабораторные: каждую работу в отдельном ядре в песочнице и на отдельном кластере",
    },
    "cli_help_grade_submissions": {"en": "submitted .ipynb files", "ru": "сданные файлы .ipynb"},
    "cli_help_grade_out": {
        "en": "folder for reports, feedback, grades.csv, moodle.csv, canvas.csv",
        "ru": "папка для отчётов, отзывов, grades.csv, moodle.csv, canvas.csv",
    },
    "cli_help_grade_lab": {
        "en": "the lab graded, e.g. lab03 (default: the submissions' folder name)",
        "ru": "проверяемая лабораторная, например lab03 (по умолчанию: имя папки с работами)",
    },
    "cli_help_grade_timeout": {
        "en": "per-cell time limit in seconds (default 300: lab 07 starts six JVMs in one sandboxed CPU)",
        "ru": "лимит времени на ячейку в секундах (по умолчанию 300: лабораторная 07 запускает шесть JVM "
              "на одном CPU песочницы)",
    },
    "cli_help_grade_total_timeout": {
        "en": "time limit per submission in seconds (default 900)",
        "ru": "лимит времени на одну работу в секундах (по умолчанию 900)",
    },
    "cli_help_grade_jobs": {
        "en": "submissions graded at once (default: by cores and free memory; one per 2 cores for lab07, "
              "which runs two clusters)",
        "ru": "сколько работ проверять одновременно (по умолчанию: по числу ядер процессора и свободной памяти; "
              "для lab07, которая запускает два кластера, — одна на 2 ядра)",
    },
    "cli_help_grade_memory": {
        "en": "memory limit per submission in GiB (default 3)",
        "ru": "лимит памяти на одну работу в ГиБ (по умолчанию 3)",
    },
    "cli_help_grade_only": {
        "en": "regrade only these submissions (names or file names)",
        "ru": "перепроверить только эти работы (имена или имена файлов)",
    },
    "cli_help_grade_gradescope": {
        "en": "also write Gradescope results.json",
        "ru": "также записать results.json для Gradescope",
    },
    "cli_help_grade_class": {
        "en": "grade on this shared class cluster (attached with admin rights: kafkalab up --engine external "
              "--name NAME): each submission as a user of its own, removed after it",
        "ru": "проверять на этом общем учебном кластере (подключённом с правами администратора: kafkalab up "
              "--engine external --name NAME): каждую работу от имени отдельного пользователя, который "
              "удаляется после неё",
    },
    "cli_help_grade_lang": {
        "en": "language of feedback (default: the submission's folder)",
        "ru": "язык отзывов (по умолчанию: по папке работы)",
    },
    "cli_help_grade_isolation": {
        "en": "docker (default where a Docker daemon answers), namespaces (root), or weak",
        "ru": "docker (по умолчанию, если отвечает демон Docker), namespaces (root) или weak",
    },
    "cli_help_grade_keep": {
        "en": "keep work folders and executed notebooks (debugging)",
        "ru": "сохранить рабочие папки и выполненные ноутбуки (для отладки)",
    },
})
