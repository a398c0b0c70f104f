"""argparse's usage errors come in the user's language, and leave argparse as it was."""
import argparse

import pytest

from kafkalab import cli

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("language, words", [
    ("ru", ["использование:", "ошибка: аргумент preset: недопустимое значение: 'nosuchpreset'"]),
    ("en", ["usage:", "error: argument preset: invalid choice: 'nosuchpreset'"]),
])
def test_a_usage_error_in_the_users_language(language, words, monkeypatch, capsys):
    monkeypatch.setattr(cli, "lang", lambda: language)  # not the env: another test may have set the language
    with pytest.raises(SystemExit) as ended:
        cli.run(["up", "nosuchpreset"])
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert all(w in err for w in words), err
    assert argparse._("usage: ") == "usage: "  # only while kafkalab parses


def test_missing_argument_and_our_own_usage_error_in_russian(monkeypatch, capsys):
    monkeypatch.setattr(cli, "lang", lambda: "ru")
    for argv, said in ((["stop"], "не хватает обязательных аргументов: node"),
                       (["down", "--all-homes"], "ошибка: --all-homes")):
        with pytest.raises(SystemExit):
            cli.run(argv)
        assert said in capsys.readouterr().err
