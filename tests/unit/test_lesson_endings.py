"""Every lesson ends as issue 12 asks, in both languages: a recap of 5-8 points, a self-check of 3-6
quiz questions, further reading."""
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

COURSE = Path(__file__).resolve().parents[2] / "course"
HEADINGS = {"en": ("## Recap", "## Self-check", "## Further reading"),
            "ru": ("## Итоги", "## Проверьте себя", "## Что почитать дальше")}
LESSONS = sorted((COURSE / "en").glob("0*.md"))


def section(text: str, heading: str) -> str:
    start = text.index(f"\n{heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("lesson", [p.name for p in LESSONS])
def test_lesson_ends_with_recap_quiz_and_reading(lesson, lang):
    text = (COURSE / lang / lesson).read_text()
    recap, quiz, reading = (section(text, h) for h in HEADINGS[lang])
    assert 5 <= len(re.findall(r"^\* ", recap, re.M)) <= 8, f"{lang}/{lesson}: recap points"
    assert 3 <= len(re.findall(r"^    Q\(en=", quiz, re.M)) <= 6, f"{lang}/{lesson}: quiz questions"
    assert len(re.findall(r"^\* ", reading, re.M)) >= 2 and re.search(r"KIP-\d+|[Dd]ocumentation|[Дд]окументаци", reading), \
        f"{lang}/{lesson}: further reading (Kafka docs sections, KIPs)"
    assert text.index(HEADINGS[lang][0]) < text.index(HEADINGS[lang][1]) < text.index(HEADINGS[lang][2])
