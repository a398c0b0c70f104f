"""Messages of the grading framework itself, in ru and en."""
from ..i18n import register

register({
    "grading_no_slots": {
        "en": "Only {free} of the {wanted} grading slots are free: other `kafkalab grade` runs on this machine "
              "hold the rest. Fix: wait for them, or grade with `--jobs {free}`.",
        "ru": "Свободно только {free} из {wanted} мест для проверки: остальные заняты другими запусками "
              "`kafkalab grade` на этой машине. Что сделать: дождитесь их или запустите с `--jobs {free}`.",
    },
    "grading_needs_nodes": {
        "en": "{id}: not graded on the shared class cluster (0 of 0 points): it reads a broker's disk or stops a "
              "broker, and the class cluster's nodes are not yours. Do it on a cluster of your own "
              "(KAFKALAB_ENGINE=local) to see it work.",
        "ru": "{id}: на общем учебном кластере не оценивается (0 из 0 баллов): задание читает диск брокера или "
              "останавливает брокер, а узлы учебного кластера не ваши. Выполните его на своём кластере "
              "(KAFKALAB_ENGINE=local), чтобы увидеть, как это работает.",
    },
    "grading_class_isolation": {
        "en": "Grading on a shared class cluster needs the namespaces sandbox (the grader as root on Linux), not "
              "'{wanted}': the kernel uses the grader's network there, and in a weaker sandbox it could read "
              "the instructor's credentials. Fix: run `kafkalab grade` as root with `--isolation namespaces`.",
        "ru": "Проверка на общем учебном кластере требует песочницы namespaces (проверяющий — root на Linux), а не "
              "'{wanted}': ядро там работает в сети проверяющего, а в более слабой песочнице могло бы прочитать "
              "учётные данные преподавателя. Что сделать: запустите `kafkalab grade` от root с "
              "`--isolation namespaces`.",
    },
    "grading_class_not_external": {
        "en": "'{name}' is a cluster kafkalab runs here, not a shared class cluster. Fix: attach the class cluster "
              "with admin rights (KAFKALAB_CLIENT_CONFIG=admin.properties kafkalab up --engine external --name "
              "CLASS) and grade with `--class CLASS`, or leave `--class` out to give each submission its own cluster.",
        "ru": "'{name}' — кластер, который kafkalab запускает здесь, а не общий учебный кластер. Что сделать: "
              "подключите учебный кластер с правами администратора (KAFKALAB_CLIENT_CONFIG=admin.properties "
              "kafkalab up --engine external --name CLASS) и проверяйте с `--class CLASS`, или уберите `--class`, "
              "чтобы у каждой работы был свой кластер.",
    },
    "grading_class_not_secured": {
        "en": "The class cluster '{name}' is reached over {protocol}, without logins: a submission could act as "
              "anyone there. Grading on it needs SASL (SCRAM-SHA-512) and ACLs, as `kafkalab classroom` sets up.",
        "ru": "К учебному кластеру '{name}' подключение идёт по {protocol}, без логинов: работа студента могла бы "
              "действовать там от чьего угодно имени. Для проверки на нём нужны SASL (SCRAM-SHA-512) и ACL, как "
              "их настраивает `kafkalab classroom`.",
    },
    "grading_firewall_failed": {
        "en": "Could not confine the kernels' network to the class cluster ({command}: {error}). Grading on a "
              "class cluster needs iptables as root (apt-get install iptables).",
        "ru": "Не удалось ограничить сеть ядер учебным кластером ({command}: {error}). Для проверки на учебном "
              "кластере нужен iptables и права root (apt-get install iptables).",
    },
    "grading_student_left": {
        "en": "Could not remove the grading user {student} from the class cluster: {error}. Its grade stands; "
              "remove what is left with `kafkalab classroom remove` (a roster with the line {student}).",
        "ru": "Не удалось убрать пользователя проверки {student} с учебного кластера: {error}. Оценка остаётся в "
              "силе; уберите остатки через `kafkalab classroom remove` (в списке — строка {student}).",
    },
    "grading_stale_left": {
        "en": "Could not remove the grading user {student}, left on the class cluster by a killed grader of this "
              "machine: {error}. Remove what is left with `kafkalab classroom remove` (a roster with the line "
              "{student}).",
        "ru": "Не удалось убрать пользователя проверки {student}, которого на учебном кластере оставила "
              "принудительно остановленная проверка на этой машине: {error}. Уберите остатки через "
              "`kafkalab classroom remove` (в списке — строка {student}).",
    },
    "grading_stale_unlisted": {
        "en": "Could not list the class cluster's users to remove those left by a killed grader of this machine: "
              "{error}. Grading goes on.",
        "ru": "Не удалось получить список пользователей учебного кластера, чтобы убрать оставшихся после "
              "принудительно остановленной проверки на этой машине: {error}. Проверка продолжается.",
    },
    "grading_read_incomplete": {
        "en": "The grader could not read topic '{topic}' to its end (partitions {partitions}: nothing new for "
              "{seconds} s). The cluster did not answer in time, which is not your doing: ask for a regrade.",
        "ru": "Проверяющий не смог дочитать топик '{topic}' до конца (партиции {partitions}: ничего нового за "
              "{seconds} с). Кластер не ответил вовремя, и это не ваша ошибка: попросите перепроверить.",
    },
    "grading_passed": {
        "en": "{id}: passed, {points}/{max_points} points.",
        "ru": "{id}: выполнено, баллов: {points} из {max_points}.",
    },
    "grading_failed": {
        "en": "{id}: not yet, 0/{max_points} points. {reason}",
        "ru": "{id}: пока нет, баллов: 0 из {max_points}. {reason}",
    },
    "grading_unknown_exercise": {
        "en": "There is no exercise '{id}'. Exercises of {lab}: {known}.",
        "ru": "Упражнения '{id}' нет. Упражнения {lab}: {known}.",
    },
    "grading_no_checks": {
        "en": "No checks were found for '{lab}' (looked in {where}). Set KAFKALAB_CHECKS to the course's checks/ folder.",
        "ru": "Проверки для '{lab}' не найдены (искал в {where}). Укажите папку checks/ курса в KAFKALAB_CHECKS.",
    },
    "grading_lab_unknown": {
        "en": "Which lab? Call check_all('lab03') with the lab's id.",
        "ru": "Какая это лабораторная? Вызовите check_all('lab03') с её номером.",
    },
    "grading_no_cluster": {
        "en": "No cluster is running for this notebook. Hint: run the lab's first code cell (kafkalab.up(...)) first.",
        "ru": "Для этого ноутбука не запущен кластер. Подсказка: сначала выполните первую ячейку с кодом (kafkalab.up(...)).",
    },
    "grading_cluster_down": {
        "en": "Cluster '{name}' is not running (no broker process is alive). Hint: run the lab's first code cell again to start it.",
        "ru": "Кластер '{name}' не работает (ни один брокер не запущен). Подсказка: снова выполните первую ячейку с кодом, она его запустит.",
    },
    "grading_missing_var": {
        "en": "Variable `{name}` is not defined: run the exercise's cells first.",
        "ru": "Переменная `{name}` не определена: сначала выполните ячейки упражнения.",
    },
    "grading_wrong_type": {
        "en": "`{name}` should be {expected}, but it is {actual}.",
        "ru": "`{name}` должна быть типа {expected}, а сейчас это {actual}.",
    },
    "grading_topic_missing": {
        "en": "Topic '{topic}' does not exist in the cluster. Hint: create it as the exercise says.",
        "ru": "Топика '{topic}' в кластере нет. Подсказка: создайте его, как сказано в упражнении.",
    },
    "grading_group_missing": {
        "en": "Consumer group '{group}' does not exist in the cluster. Hint: consume with group.id='{group}' and commit.",
        "ru": "Группы консьюмеров '{group}' в кластере нет. Подсказка: читайте с group.id='{group}' и фиксируйте смещения.",
    },
    "grading_check_error": {
        "en": "The check could not finish: {error}. Hint: run the exercise's cells again, then the check.",
        "ru": "Проверка не смогла завершиться: {error}. Подсказка: выполните ячейки упражнения ещё раз, затем проверку.",
    },
    "grading_summary_total": {"en": "Total", "ru": "Итого"},
    "grading_col_exercise": {"en": "Exercise", "ru": "Упражнение"},
    "grading_col_points": {"en": "Points", "ru": "Баллы"},
    "grading_col_result": {"en": "Result", "ru": "Результат"},
    "grading_ok": {"en": "passed", "ru": "выполнено"},
    "grading_not_ok": {"en": "not yet", "ru": "пока нет"},
    "grading_notebook_failed": {
        "en": "The notebook could not be executed: {error}",
        "ru": "Ноутбук не удалось выполнить: {error}",
    },
    "grading_no_result": {
        "en": "The notebook ran, but the grader got no result from its kernel (it died or timed out).",
        "ru": "Ноутбук выполнен, но проверяющий не получил результата от ядра (ядро упало или не уложилось во время).",
    },
    "grading_student_error": {
        "en": "`{call}` raised {error}.",
        "ru": "`{call}` завершилась с ошибкой {error}.",
    },
    "grading_not_callable": {
        "en": "`{name}` should be a function.",
        "ru": "`{name}` должна быть функцией.",
    },
    "grading_kernel_gone": {
        "en": "The grader could not read `{name}`: the notebook's kernel did not answer ({why}). A cell that runs "
              "forever or ends the kernel stops the grading of what follows it.",
        "ru": "Проверяющий не смог прочитать `{name}`: ядро ноутбука не ответило ({why}). Ячейка, которая "
              "выполняется бесконечно или завершает ядро, останавливает проверку всего, что идёт после неё.",
    },
    "grading_wrong_lab": {
        "en": "This notebook is {found}, but it was submitted for {lab}: it is graded 0. Submit the {lab} notebook.",
        "ru": "Это ноутбук {found}, а сдан он как {lab}: оценка 0. Сдайте ноутбук {lab}.",
    },
    "grading_bad_notebook": {
        "en": "The file is not a notebook the grader can run ({error}). Submit the .ipynb saved by JupyterLab.",
        "ru": "Файл не является ноутбуком, который может выполнить проверяющий ({error}). Сдайте .ipynb, сохранённый JupyterLab.",
    },
    "grading_cell_timeout": {
        "en": "Cell {cell} ran longer than {seconds} s and did not stop when interrupted: the kernel was stopped there.",
        "ru": "Ячейка {cell} выполнялась дольше {seconds} с и не остановилась по прерыванию: ядро остановлено на ней.",
    },
    "grading_cells_interrupted": {
        "en": "Cell(s) {cells} ran longer than {seconds} s and were interrupted; the notebook went on without what "
              "they had not finished.",
        "ru": "Ячейки {cells} выполнялись дольше {seconds} с и были прерваны; ноутбук продолжился без того, что они не "
              "успели сделать.",
    },
    "grading_total_timeout": {
        "en": "The notebook ran longer than its total limit of {seconds} s: the kernel was stopped.",
        "ru": "Ноутбук выполнялся дольше общего лимита {seconds} с: ядро остановлено.",
    },
    "grading_output_capped": {
        "en": "[output capped by the grader at {limit} bytes]",
        "ru": "[вывод обрезан проверяющим на {limit} байтах]",
    },
    "grading_ungradable": {
        "en": "Not graded because of a grader problem, not yours ({error}); it costs no points and will be regraded.",
        "ru": "Не проверено из-за сбоя проверяющей системы, а не вашей работы ({error}); баллы не снимаются, работа будет проверена снова.",
    },
    "grading_weak_isolation": {
        "en": "Without root, each kernel ran as a separate process group with limits and a scrubbed environment, "
              "but as the grader's user: isolation was weaker.",
        "ru": "Без прав root каждое ядро работало отдельной группой процессов с лимитами и очищенным окружением, "
              "но от имени пользователя проверяющего: изоляция была слабее.",
    },
    "grading_feedback_title": {"en": "Feedback: {lab}", "ru": "Отзыв: {lab}"},
    "grading_feedback_score": {"en": "Score: {score} of {max_score}", "ru": "Баллы: {score} из {max_score}"},
    "grading_feedback_evidence": {"en": "What the grader saw", "ru": "Что увидел проверяющий"},
})
