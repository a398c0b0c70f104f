"""One Russian term per concept: the Russian lessons use the terms of course/GLOSSARY.md's terminology table.

Every rule below is one banned variant (a regular expression, so that every inflection matches) of one
concept, and the term to write instead. Only prose is checked: the jupytext front matter, fenced code,
`inline code` and quotations in «» are blanked first, because the notes are quoted as written (they say
«фоловят», and a lesson quotes that before correcting it). Blanking keeps line numbers, so a finding
names its file and line.

Scope: course/ru/*.md (the sources; the .ipynb are generated from them and checked in sync by
`python -m kafkalab.notebooks check`) and course/README.ru.md. The glossary itself is not scanned: it
names the banned variants on purpose.

`test_rest_of_the_russian_text` holds the rest of the Russian text to the same rules: labs/ru/*.md and
solutions/ru/*.md (labs/ is generated from solutions/: fix a solution, then `python -m kafkalab.notebooks
sync`), the message catalogue kafkalab/i18n.py and the other kafkalab/**/*.py modules that register
their own ru messages, and checks/**/*.py (hidden checks included). The top-level README.ru.md is not
scanned yet (it still says «отставание» for the KRaft quorum lag; another owner).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "course" / "GLOSSARY.md"

# (banned variant as the glossary names it, regular expression, the term to use instead)
RULES: list[tuple[str, str, str]] = [
    ("зафиксированное смещение", r"\bзафиксированн\w*\s+смещени\w*", "закоммиченное смещение"),
    ("подтверждённое смещение", r"\bподтвержд[её]нн\w*\s+смещени\w*", "закоммиченное смещение"),
    ("оффсет", r"\bоффсет\w*", "смещение"),
    ("офсет", r"\bофсет\w*", "смещение"),
    ("потребитель", r"\bпотребител\w*", "консьюмер"),
    ("консумер", r"\bконсумер\w*", "консьюмер"),
    ("консюмер", r"\bконсюмер\w*", "консьюмер"),
    ("консьюмер-группа", r"\bконсьюмер-групп\w*", "группа консьюмеров"),
    ("продьюсер", r"\bпродьюсер\w*", "продюсер"),
    ("продюссер", r"\bпродюссер\w*", "продюсер"),
    ("отставание", r"\bотставани\w*", "лаг"),
    ("фоловер", r"\bфоловер\w*", "фолловер"),
    ("ведомая реплика", r"\bведом\w*\s+реплик\w*", "фолловер"),
    ("фолловить", r"\bфол+ов(ит|ят|ить|ил|ила|или|ишь|ю)\b", "является фолловером"),
    ("пачка", r"\bпач(к\w*|ек)\b", "батч"),
    ("ребаланс", r"\bребаланс(|а|у|ом|е|ы|ов|ам|ами|ах)\b", "ребалансировка"),
    ("фейловер", r"\bф[еэ]йловер\w*", "переключение при отказе"),
    ("Самопроверка", r"^#+\s*самопроверк\w*", "## Проверьте себя"),
    ("Заметка", r"\bзаметк\w*", "Примечание"),
    # calques
    ("дёшевы в штуках", r"\bв\s+штуках\b", "каждая запись обходится дёшево"),
    ("сетевой круг", r"\bсетев\w*\s+круг\w*", "обмен по сети туда и обратно (round trip)"),
    ("придумывает себе группу", r"\bпридум\w*\s+(себе\s+)?групп\w*", "создаёт группу со случайным именем"),
    ("придуманная группа", r"\bпридуманн\w*\s+групп\w*", "одноразовая группа"),
]
_COMPILED = [(name, re.compile(rx, re.IGNORECASE | re.MULTILINE), instead) for name, rx, instead in RULES]

_FENCE = re.compile(r"^\s*(```|~~~)")
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_QUOTE = re.compile(r"«[^»\n]*»")


def prose_lines(text: str) -> list[str]:
    """The text's lines with front matter, fenced code, inline code and «quotations» blanked."""
    lines = text.split("\n")
    out: list[str] = []
    in_fence = False
    in_front = bool(lines) and lines[0].strip() == "---"
    for i, line in enumerate(lines):
        if in_front:
            out.append("")
            if i > 0 and line.strip() == "---":
                in_front = False
            continue
        if _FENCE.match(line):
            in_fence = not in_fence
            out.append("")
            continue
        if in_fence:
            out.append("")
            continue
        out.append(_QUOTE.sub("«»", _INLINE_CODE.sub("``", line)))
    return out


def findings(path: Path, text: str | None = None) -> list[str]:
    """'file:line: «variant» (write «term»): the line' for every banned variant in the file's prose."""
    text = path.read_text(encoding="utf-8") if text is None else text
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    found = []
    for number, line in enumerate(prose_lines(text), start=1):
        for name, pattern, instead in _COMPILED:
            for match in pattern.finditer(line):
                found.append(f"{where}:{number}: «{match.group(0)}» is a banned variant ({name}); "
                             f"write «{instead}»: {line.strip()}")
    return found


def course_files() -> list[Path]:
    return sorted((ROOT / "course" / "ru").glob("*.md")) + [ROOT / "course" / "README.ru.md"]


def other_files() -> list[Path]:
    """Russian text outside course/: labs, solutions, kafkalab's messages (i18n.py and the modules that
    register their own), the checks."""
    return (sorted((ROOT / "labs" / "ru").glob("*.md")) + sorted((ROOT / "solutions" / "ru").glob("*.md"))
            + sorted((ROOT / "kafkalab").glob("**/*.py")) + sorted((ROOT / "checks").glob("**/*.py")))


def test_course_ru_uses_one_term_per_concept():
    files = course_files()
    assert len(files) >= 8, files  # seven lessons and the README: the glob did find them
    found = [line for path in files for line in findings(path)]
    assert not found, "\n".join(found)


def test_rest_of_the_russian_text():
    files = other_files()
    assert any(p.name == "i18n.py" for p in files) and len(files) >= 20, files  # the globs did find them
    found = [line for path in files if path.exists() for line in findings(path)]
    assert not found, "\n".join(found)


def test_glossary_names_every_banned_variant():
    table = GLOSSARY.read_text(encoding="utf-8")
    missing = [name for name, _, _ in RULES if name not in table]
    assert not missing, f"course/GLOSSARY.md's terminology table does not name: {missing}"


@pytest.mark.parametrize("text, expected", [
    ("Консьюмер читает зафиксированное смещение.", ["зафиксированное смещение"]),
    ("Он фолловит остальные партиции, а отставание растёт.", ["фолловить", "отставание"]),
    ("## Самопроверка", ["Самопроверка"]),
    ("> **Заметка.** текст", ["Заметка"]),
    ("Мы отправили пачку сообщений, у группы ребаланс.", ["пачка", "ребаланс"]),
    ("Закоммиченное смещение, лаг, фолловер, ребалансировка, батч.", []),
    ("В конспекте: «один брокер только в качестве лидера, другие фоловят».", []),
    ("Опция `--офсет` и код:\n```python\nx = 'оффсет'\n```", []),
    ("Вопросы для самопроверки в конце урока.", []),
])
def test_rules(text, expected, tmp_path):
    path = tmp_path / "lesson.md"
    path.write_text(text, encoding="utf-8")
    got = [line.split("banned variant (", 1)[1].split(")", 1)[0] for line in findings(path)]
    assert sorted(got) == sorted(expected)
