"""A lesson's self-check quiz: multiple-choice questions with immediate feedback in ru and en.

    from kafkalab.widgets.quiz import Q, quiz
    quiz([
        Q(en="How many partitions receive the messages of one key?",
          ru="Сколько партиций получают сообщения одного ключа?",
          options=["1", "2", ("all of them", "все")],      # a text for both languages, or (en, ru)
          answer=0,                                         # the index of the right option
          why=("One key, one partition: hash(key) mod N.", "Один ключ — одна партиция: hash(key) mod N.")),
    ])

The options are shown in an order shuffled once per question (the same order in every run and in both
languages, seeded by the question's text), so the right answer is not always the first one; options that
are all numbers keep their order. `shuffle=False` keeps the written order.

Each question is a RadioButtons group and a feedback line: the moment a student picks an option they
read whether it is right and why (a wrong pick says "try again" and keeps the explanation back). Where
widgets cannot render (nbconvert, nbval, GitHub, a console), the quiz shows as HTML / plain text: the
questions, their options and, at the end, the answers with their explanations.
"""
from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from typing import Sequence, Union

import ipywidgets as widgets

from ..i18n import LANGS, MESSAGES, lang, register
from .common import esc

register({
    "quiz_title": {"en": "Check yourself: {n} questions", "ru": "Проверьте себя: вопросов — {n}"},
    "quiz_hint": {"en": "Pick an answer: you see at once whether it is right and why.",
                  "ru": "Выберите ответ: вы сразу увидите, верен ли он и почему."},
    "quiz_right": {"en": "✓ Right. {why}", "ru": "✓ Верно. {why}"},
    "quiz_wrong": {"en": "✗ Not this one. Think again and pick another answer.",
                   "ru": "✗ Не этот. Подумайте ещё раз и выберите другой ответ."},
    "quiz_wrong_reveal": {"en": "✗ Not this one. The right answer: {answer}. {why}",
                          "ru": "✗ Не этот. Верный ответ: {answer}. {why}"},
    "quiz_score": {"en": "Answered right: {right} of {n}.", "ru": "Верных ответов: {right} из {n}."},
    "quiz_text_hint": {"en": "(Run this cell in JupyterLab to answer interactively.)",
                       "ru": "(Выполните эту ячейку в JupyterLab, чтобы отвечать интерактивно.)"},
    "quiz_answers": {"en": "Answers", "ru": "Ответы"},
})

# wrong picks of one question before its answer is shown
REVEAL_AFTER = 2
RIGHT, WRONG = "#1a7f37", "#c62828"
Text = Union[str, Sequence[str], dict]


def _texts(value: Text, what: str) -> dict[str, str]:
    """{'en': ..., 'ru': ...} from one text for both languages, an (en, ru) pair or a dict."""
    if isinstance(value, str):
        texts = {lg: value for lg in LANGS}
    elif isinstance(value, dict):
        texts = {lg: value.get(lg) for lg in LANGS}
    elif isinstance(value, (tuple, list)) and len(value) == len(LANGS):
        texts = dict(zip(LANGS, value))
    else:
        raise ValueError(f"{what}: give one text, an (en, ru) pair or a dict with {LANGS}, not {value!r}")
    bad = [lg for lg, text in texts.items() if not isinstance(text, str) or not text.strip()]
    if bad:
        raise ValueError(f"{what}: no {'/'.join(bad)} text in {value!r}")
    return texts


@dataclass
class Question:
    """One multiple-choice question; every text exists in en and ru."""

    text: dict[str, str]
    options: list[dict[str, str]]
    answer: int
    why: dict[str, str]
    shuffle: bool = True

    def __post_init__(self):
        if len(self.options) < 2:
            raise ValueError(f"question {self.text['en']!r}: give at least two options")
        if not isinstance(self.answer, int) or isinstance(self.answer, bool) \
                or not 0 <= self.answer < len(self.options):
            raise ValueError(f"question {self.text['en']!r}: answer must be the index of an option "
                             f"(0 to {len(self.options) - 1}), not {self.answer!r}")
        for lg in LANGS:
            seen = [o[lg] for o in self.options]
            if len(set(seen)) != len(seen):
                raise ValueError(f"question {self.text['en']!r}: two options read the same in {lg}: {seen}")

    def order(self) -> list[int]:
        """The option indexes in the order they are shown: shuffled by the question's text, the same every
        time and in both languages; numbers only keep their written order."""
        order = list(range(len(self.options)))
        if self.shuffle and not all(_is_number(o["en"]) for o in self.options):
            random.Random(zlib.crc32(self.text["en"].encode())).shuffle(order)
        return order

    def letter(self, index: int) -> str:
        """The letter the option `index` is shown with (a, b, c, ...)."""
        return LETTERS[self.order().index(index)]

    def option(self, index: int, language: str | None = None) -> str:
        return self.options[index][language or lang()]

    def right(self, language: str | None = None) -> str:
        return self.option(self.answer, language)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def Q(en: str, ru: str, options: Sequence[Text], answer: int, why: Text, shuffle: bool = True) -> Question:  # noqa: N802
    """A question: its text in en and ru, the options, the index of the right one, the explanation."""
    text = _texts((en, ru), "question")
    return Question(text, [_texts(o, f"option {i} of {en!r}") for i, o in enumerate(options)], answer,
                    _texts(why, f"explanation of {en!r}"), shuffle)


def _question(item) -> Question:
    if isinstance(item, Question):
        return item
    if isinstance(item, dict):  # {"en", "ru", "options", "answer", "why"}, or "q": (en, ru)
        data = dict(item)
        if "q" in data:
            data["en"], data["ru"] = _texts(data.pop("q"), "question").values()
        return Q(**data)
    raise TypeError(f"a quiz question is a Q(...) or a dict, not {type(item).__name__}")


LETTERS = "abcdefghij"


class Quiz(widgets.VBox):
    """Questions with RadioButtons and a feedback line each, and a running score."""

    def __init__(self, questions: Sequence[Question | dict]):
        super().__init__()
        self.add_class("kl-quiz")
        self.questions = [_question(q) for q in questions]
        if not self.questions:
            raise ValueError("a quiz needs at least one question")
        self.lang = lang()  # the language of the notebook that made it; feedback follows it
        self.wrong = [0] * len(self.questions)
        self.solved = [False] * len(self.questions)
        self.choices: list[widgets.RadioButtons] = []
        self.feedback: list[widgets.HTML] = []
        boxes = []
        for i, q in enumerate(self.questions):
            choice = widgets.RadioButtons(options=[(q.options[k][self.lang], k) for k in q.order()],
                                          value=None, layout=widgets.Layout(width="auto"))
            choice.add_class("kl-quiz-choice")
            feedback = widgets.HTML()
            feedback.add_class("kl-quiz-feedback")
            choice.observe(lambda change, i=i: self.pick(i, change["new"]), "value")
            self.choices.append(choice)
            self.feedback.append(feedback)
            boxes.append(widgets.VBox([widgets.HTML(f"<b>{i + 1}. {esc(q.text[self.lang])}</b>"), choice, feedback],
                                      layout=widgets.Layout(margin="6px 0")))
        self.score = widgets.HTML()
        self.score.add_class("kl-quiz-score")
        self.children = [widgets.HTML(f"<b>{esc(self._t('quiz_title', n=len(self.questions)))}</b> "
                                      f"<small>{esc(self._t('quiz_hint'))}</small>"), *boxes, self.score]
        self._update_score()

    def _t(self, key: str, **values) -> str:
        return MESSAGES[key][self.lang].format(**values)

    def pick(self, index: int, option: int | None) -> bool | None:
        """React to option `option` of question `index` (what a click does); True when it is right."""
        q = self.questions[index]
        if option is None:
            self.feedback[index].value = ""
            return None
        if option == q.answer:
            self.solved[index] = True
            text, color = self._t("quiz_right", why=q.why[self.lang]), RIGHT
        else:
            self.wrong[index] += 1
            text = (self._t("quiz_wrong_reveal", answer=q.right(self.lang), why=q.why[self.lang])
                    if self.wrong[index] >= REVEAL_AFTER else self._t("quiz_wrong"))
            color = WRONG
        self.feedback[index].value = f'<span style="color:{color}">{esc(text)}</span>'
        self._update_score()
        return option == q.answer

    def answer(self, index: int, option: int) -> str:
        """Choose `option` of question `index` as a click would; return the feedback as text."""
        self.choices[index].value = option
        return self.feedback_text(index)

    def feedback_text(self, index: int) -> str:
        import html
        import re

        return html.unescape(re.sub(r"<[^>]+>", "", self.feedback[index].value))

    def _update_score(self) -> None:
        self.score.value = f"<i>{esc(self._t('quiz_score', right=sum(self.solved), n=len(self.questions)))}</i>"

    # --- where widgets cannot render --------------------------------------------------------------
    def snapshot_text(self) -> str:
        lines = [self._t("quiz_title", n=len(self.questions)), self._t("quiz_text_hint"), ""]
        for i, q in enumerate(self.questions):
            lines.append(f"{i + 1}. {q.text[self.lang]}")
            lines += [f"   {LETTERS[n]}) {q.options[k][self.lang]}" for n, k in enumerate(q.order())]
        lines += ["", self._t("quiz_answers") + ":"]
        lines += [f"{i + 1}. {q.letter(q.answer)}) {q.right(self.lang)}: {q.why[self.lang]}"
                  for i, q in enumerate(self.questions)]
        return "\n".join(lines)

    def snapshot_html(self) -> str:
        items = "".join(
            f"<li><b>{esc(q.text[self.lang])}</b><ol type=\"a\">"
            + "".join(f"<li>{esc(q.options[k][self.lang])}</li>" for k in q.order()) + "</ol></li>"
            for q in self.questions)
        answers = "".join(f"<li>{q.letter(q.answer)}) {esc(q.right(self.lang))}: {esc(q.why[self.lang])}</li>"
                          for q in self.questions)
        return (f'<div class="kl-quiz"><b>{esc(self._t("quiz_title", n=len(self.questions)))}</b> '
                f'<small>{esc(self._t("quiz_text_hint"))}</small><ol>{items}</ol>'
                f'<details><summary>{esc(self._t("quiz_answers"))}</summary><ol>{answers}</ol></details></div>')

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs) or {}
        data["text/html"] = self.snapshot_html()
        data["text/plain"] = self.snapshot_text()
        return data


def quiz(questions: Sequence[Question | dict]) -> Quiz:
    """A quiz of `questions` (each a Q(...) or a dict with en, ru, options, answer, why)."""
    return Quiz(questions)
