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

from .i18n import lang, register, t

PLACEHOLDERS = (None, Ellipsis, "", "?")

register({
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
})

_YES = {"yes", "y", "true", "да", "д"}
_NO = {"no", "n", "false", "нет", "н"}


def say(key: str, **values) -> None:
    """Print the message `key` in the notebook's language."""
    print(t(key, **values))


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


def compare_prediction(prediction, actual, tolerance: float = 0) -> str | dict[str, str]:
    """Print how the student's `prediction` compares with what the cluster did; return the verdict.

    `actual` may be a number (within `tolerance` counts as close), a bool (yes/no, да/нет), a string
    (compared without case) or a dict of those: then `prediction` is a dict with the same keys, and each
    key gets its own line and verdict.
    """
    if isinstance(actual, dict):
        guesses = prediction if isinstance(prediction, dict) else {}
        verdicts = {}
        for item, value in actual.items():
            guess = guesses.get(item)
            verdicts[item] = verdict = judge(guess, value, tolerance)
            print(t("pred_item", item=item, text=_line(verdict, guess, value, tolerance)))
        return verdicts
    verdict = judge(prediction, actual, tolerance)
    print(_line(verdict, prediction, actual, tolerance))
    return verdict


def _line(verdict: str, prediction, actual, tolerance) -> str:
    if verdict == "missing":
        return t("pred_missing", given="..." if prediction is Ellipsis else repr(prediction), actual=_show(actual))
    return t(f"pred_{verdict}", prediction=_show(prediction), actual=_show(actual), tolerance=_show(tolerance))


def language() -> str:
    """The language the lesson prints in ('en' or 'ru')."""
    return lang()
