"""A tool's usage text and Java stack frames are folded on the page, kept whole in the result."""
import pytest

from kafkalab import i18n, tools

pytestmark = pytest.mark.unit

USAGE = ["Missing required argument \"[topic]\"\n",
         "Option                                   Description\n",
         "------                                   -----------\n"] + [f"--opt{i}  text\n" for i in range(120)]
TRACE = ["bogus is not a recognized option\n",
         "joptsimple.UnrecognizedOptionException: bogus is not a recognized option\n",
         "\tat joptsimple.OptionException.unrecognizedOption(OptionException.java:108)\n",
         "\tat joptsimple.OptionParser.parse(OptionParser.java:396)\n",
         "\t... 3 more\n"]


def shown(lines):
    fold = tools._Fold()
    return [line for line in lines if fold.shows(line)], fold.summary()


def test_usage_text_is_folded_after_the_error_line():
    kept, summary = shown(USAGE)
    assert kept == USAGE[:1]
    assert "122" in summary and "--help" in summary


def test_stack_frames_are_folded_and_the_message_kept():
    kept, summary = shown(TRACE)
    assert kept == TRACE[:2]
    assert "3" in summary and "Java" in summary


def test_nothing_folded_says_nothing():
    assert shown(["Created topic cities.\n"]) == (["Created topic cities.\n"], "")


def test_fold_note_in_russian():
    before = i18n.lang()
    i18n.set_lang("ru")
    try:
        _, summary = shown(USAGE)
    finally:
        i18n.set_lang(before)
    assert "скрыто" in summary
