"""The self-check quiz (kafkalab.widgets.quiz) and the lessons' "predict, then run" helper (kafkalab.lesson):
feedback in the notebook's language, a text fallback that lists every question, and clear errors for a
badly written question. No cluster, no kernel."""
import pytest

from kafkalab import i18n
from kafkalab.lesson import compare_prediction, judge, say
from kafkalab.widgets.quiz import Q, Quiz, quiz

pytestmark = pytest.mark.unit


@pytest.fixture
def lang():
    def use(language):
        i18n.set_lang(language)

    yield use
    i18n.set_lang(None)


def sample():
    return [
        Q(en="How many partitions receive the messages of one key?",
          ru="Сколько партиций получают сообщения одного ключа?",
          options=["1", "2", ("all of them", "все")], answer=0, shuffle=False,
          why=("hash(key) mod N picks one.", "hash(key) mod N выбирает одну.")),
        {"q": ("Is an offset unique across partitions?", "Уникально ли смещение между партициями?"),
         "options": [("yes", "да"), ("no", "нет")], "answer": 1, "shuffle": False,
         "why": ("Only within one partition.", "Только внутри одной партиции.")},
    ]


def test_right_answer_explains_in_english(lang):
    lang("en")
    z = quiz(sample())
    assert z.answer(0, 0) == "✓ Right. hash(key) mod N picks one."
    assert "1 of 2" in z.score.value


def test_wrong_answer_asks_again_then_reveals_in_russian(lang):
    lang("ru")
    z = quiz(sample())
    first = z.answer(1, 0)
    assert first.startswith("✗") and "ещё раз" in first and "Только внутри" not in first
    z.choices[1].value = None  # the same wrong option again counts as a second try
    second = z.answer(1, 0)
    assert "Верный ответ: нет" in second and "Только внутри одной партиции." in second
    assert z.answer(1, 1).startswith("✓ Верно.")
    assert "Верных ответов: 1 из 2" in z.score.value


def test_options_follow_the_language(lang):
    lang("ru")
    z = quiz(sample())
    assert [label for label, _ in z.choices[0].options] == ["1", "2", "все"]
    assert z.choices[0].value is None  # nothing is chosen before the student clicks


def test_text_fallback_lists_questions_options_and_answers(lang):
    lang("en")
    z = quiz(sample())
    bundle = z._repr_mimebundle_()
    text = bundle["text/plain"]
    assert "Check yourself: 2 questions" in text
    assert "1. How many partitions receive the messages of one key?" in text
    assert "   c) all of them" in text
    assert text.index("Answers:") > text.index("   b) no")
    assert "2. b) no: Only within one partition." in text
    assert "<details>" in bundle["text/html"] and "all of them" in bundle["text/html"]
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_options_are_shuffled_the_same_way_every_time_and_in_both_languages(lang):
    def question():
        return Q(en="Which one?", ru="Какой?", options=[("first", "первый"), ("second", "второй"), ("third", "третий"),
                                                         ("fourth", "четвёртый")], answer=0, why="w")
    order = question().order()
    assert sorted(order) == [0, 1, 2, 3] and order == question().order()
    lang("en")
    labels_en = [label for label, _ in quiz([question()]).choices[0].options]
    lang("ru")
    z = quiz([question()])
    ru_words = {"first": "первый", "second": "второй", "third": "третий", "fourth": "четвёртый"}
    assert [label for label, _ in z.choices[0].options] == [ru_words[w] for w in labels_en]
    assert [k for _, k in z.choices[0].options] == order  # a click still reports the written index
    assert z.answer(0, 0).startswith("✓")
    assert f"1. {question().letter(0)}) первый: w" in z.snapshot_text()


def test_numbers_keep_their_order():
    assert Q(en="How many?", ru="Сколько?", options=["1", "5", "10", "2.5"], answer=1, why="w").order() == [0, 1, 2, 3]


def test_text_fallback_in_russian(lang):
    lang("ru")
    text = quiz(sample()).snapshot_text()
    assert "Проверьте себя" in text and "Ответы:" in text and "Уникально ли смещение" in text


@pytest.mark.parametrize("bad, message", [
    (dict(en="q", ru="в", options=["a"], answer=0, why="w"), "at least two options"),
    (dict(en="q", ru="в", options=["a", "b"], answer=2, why="w"), "index of an option"),
    (dict(en="q", ru="в", options=["a", "b"], answer=True, why="w"), "index of an option"),
    (dict(en="q", ru="", options=["a", "b"], answer=0, why="w"), "no ru text"),
    (dict(en="q", ru="в", options=["a", ("b", "")], answer=0, why="w"), "no ru text"),
    (dict(en="q", ru="в", options=["a", ("b", "a")], answer=0, why="w"), "read the same in ru"),
    (dict(en="q", ru="в", options=["a", "b"], answer=0, why=("w",)), "(en, ru) pair"),
])
def test_a_badly_written_question_is_refused(bad, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Q(**bad)


def test_an_empty_quiz_or_a_strange_item_is_refused():
    with pytest.raises(ValueError):
        Quiz([])
    with pytest.raises(TypeError):
        quiz(["not a question"])


# --- predict, then run ------------------------------------------------------------------------------

@pytest.mark.parametrize("prediction, actual, tolerance, verdict", [
    (..., 1, 0, "missing"),
    (None, 1, 0, "missing"),
    ("", True, 0, "missing"),
    (1, 1, 0, "right"),
    ("1", 1, 0, "right"),
    (7, 6.4, 1, "close"),
    (7, 6.4, 0, "wrong"),
    (3, 1, 0, "wrong"),
    ("да", True, 0, "right"),
    ("no", True, 0, "wrong"),
    (" Failed ", "failed", 0, "right"),
    ("many", 3, 0, "wrong"),
])
def test_judge(prediction, actual, tolerance, verdict):
    assert judge(prediction, actual, tolerance) == verdict


def test_compare_prediction_prints_in_the_notebook_language(lang, capsys):
    lang("ru")
    assert compare_prediction(3, 1) is None  # printed, not shown again as the cell's result
    compare_prediction(..., 1)
    out = capsys.readouterr().out
    assert "Ваш прогноз: 3; кластер говорит: 1. Не совпало" in out
    assert "Прогноз не записан (prediction = ...)" in out
    lang("en")
    compare_prediction(True, True)
    assert "You predicted yes; the cluster says yes. Right!" in capsys.readouterr().out


def test_compare_prediction_of_several_items(lang, capsys):
    lang("en")
    compare_prediction({"acks=1": 5, "acks=all": 5}, {"acks=1": 5, "acks=all": 0})
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "acks=1: You predicted 5; the cluster says 5. Right!"
    assert lines[1].startswith("acks=all: You predicted 5; the cluster says 0. Not what you expected")
    compare_prediction(..., {"a": 1})
    assert capsys.readouterr().out.startswith("a: No prediction was written (prediction = ...)")


def test_say_prints_a_registered_message(lang, capsys):
    lang("ru")
    say("pred_yes")
    assert capsys.readouterr().out == "да\n"


def test_say_takes_a_value_called_key(lang, capsys):
    lang("ru")
    say("l03_key_partition", key="cat", partitions={2})
    assert capsys.readouterr().out == "cat -> партиция {2}\n"
