"""Every lesson ends as issue 12 asks, in both languages: a recap of 5-8 points on 5-8 lines, a self-check
of 3-6 quiz questions, further reading; the cluster still running goes down at the very end."""
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


CLEANUP = {"en": "## Clean up", "ru": "## Уборка"}
# recaps still longer than 8 lines while their lessons are reworked (issue 12); remove a lesson once it complies
RECAP_LINES_PENDING: set[str] = set()
# lessons whose last cell removes the cluster, after the self-check and further reading
CLEANUP_AT_END = {"00_setup.md", "01_concepts_zookeeper.md", "02_topics_messages.md", "03_partitions.md",
                  "04_replication_failover.md", "05_consumer_groups.md", "06_load_testing.md"}


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("lesson", [p.name for p in LESSONS])
def test_recap_is_5_to_8_lines(lesson, lang):
    text = (COURSE / lang / lesson).read_text()
    lines = [line for line in section(text, HEADINGS[lang][0]).splitlines() if line.strip() and not line.startswith("## ")]
    if lesson in RECAP_LINES_PENDING and not 5 <= len(lines) <= 8:
        pytest.xfail(f"{lang}/{lesson}: recap of {len(lines)} lines, being shortened")
    assert 5 <= len(lines) <= 8, f"{lang}/{lesson}: recap of {len(lines)} lines, not 5 to 8"


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("lesson", [p.name for p in LESSONS])
def test_cluster_goes_down_at_the_very_end(lesson, lang):
    text = (COURSE / lang / lesson).read_text()
    ending = text[text.index(f"\n{HEADINGS[lang][0]}\n"):]
    cleanup = ending.find(f"\n{CLEANUP[lang]}\n")
    if lesson in CLEANUP_AT_END:
        assert cleanup != -1, f"{lang}/{lesson}: no '{CLEANUP[lang]}' section after the recap"
    if cleanup == -1:
        return
    before, last = ending[:cleanup], ending[cleanup + 1:]
    assert "\n## " not in last, f"{lang}/{lesson}: '{CLEANUP[lang]}' is not the last section"
    assert ".down()" not in before, f"{lang}/{lesson}: a cluster goes down before the clean-up section"
    assert re.search(r"^\w+\.down\(\)$", last, re.M), f"{lang}/{lesson}: the clean-up removes no cluster"
    # nothing after the recap may need a cluster that an earlier cell removed: the one removed last is
    # the one started last
    ups = re.findall(r"^(\w+) = kafkalab\.up\(", text, re.M)
    assert ups and re.search(rf"^{ups[-1]}\.down\(\)$", last, re.M), f"{lang}/{lesson}: the clean-up removes {ups}"
