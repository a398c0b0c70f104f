"""argparse's usage errors and our help texts come in the user's language, and leave argparse as it was."""
import argparse
import re

import pytest

from kafkalab import cli, i18n

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


# --- help ------------------------------------------------------------------------------------------------------
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
ARGPARSE_H = "show this help message and exit"


def help_keys() -> list[str]:
    return sorted(key for key in i18n.MESSAGES if key.startswith("cli_help_"))


def printed_help(argv, language, monkeypatch, capsys) -> str:
    monkeypatch.setattr(cli, "lang", lambda: language)
    monkeypatch.setenv("COLUMNS", "1000")  # one line per entry: no help text is wrapped
    forced = i18n._forced
    with pytest.raises(SystemExit) as ended:
        cli.run([*argv, "--help"])
    assert ended.value.code == 0
    assert i18n._forced == forced and argparse._(ARGPARSE_H) == ARGPARSE_H  # both as they were
    return capsys.readouterr().out


def entries(out: str) -> list[str]:
    """The help texts of a --help output's entries (subcommands, arguments), in order."""
    found = []
    for line in out.split("\n\n", 1)[1].splitlines():  # below the usage
        text = line.strip()
        if not line.startswith("  "):
            continue  # the description, a heading, a blank line
        if len(line) - len(text) >= 10:  # a long invocation has its help on the next line, at column 24
            found.append(text)
        elif "  " in text:
            found.append(text.split("  ", 1)[1].strip())
    return found


def catalogue(language: str) -> set[str]:
    """Every help text of ours in `language` (the quota defaults filled in), and argparse's for -h."""
    from kafkalab.classroom import DEFAULT_QUOTAS

    ours = {i18n.MESSAGES[key][language].format(value=value)
            for key in help_keys() for value in DEFAULT_QUOTAS.values()}
    return ours | {cli.ARGPARSE_RU[ARGPARSE_H] if language == "ru" else ARGPARSE_H}


COMMANDS = [([], 16), (["up"], 5), (["grade"], 14), (["classroom"], 10)]  # (argv, entries with a help text)


@pytest.mark.parametrize("argv, count", COMMANDS)
def test_help_in_russian(argv, count, monkeypatch, capsys):
    out = printed_help(argv, "ru", monkeypatch, capsys)
    found = entries(out)
    assert len(found) == count, out
    assert all(CYRILLIC.search(text) for text in found), out
    assert set(found) <= catalogue("ru"), out
    flat = " ".join(out.split())
    assert not [text for text in catalogue("en") - catalogue("ru") if text in flat], out
    assert "использование: kafkalab" in out and "опции:" in out
    if not argv:
        assert i18n.MESSAGES["cli_help_description"]["ru"] in out


@pytest.mark.parametrize("argv, count", COMMANDS)
def test_help_in_english(argv, count, monkeypatch, capsys):
    out = printed_help(argv, "en", monkeypatch, capsys)
    found = entries(out)
    assert len(found) == count, out
    assert set(found) <= catalogue("en"), out
    assert not CYRILLIC.search(out), out
    if not argv:
        assert "Kafka Lab: real Kafka clusters for the course" in out


def test_every_subcommands_help_in_both_languages(monkeypatch, capsys):
    """Every subcommand's help prints (argparse %-formats it) and is all in the one language."""
    listed = re.search(r"^  \{([\w,-]+)\}$", printed_help([], "en", monkeypatch, capsys), re.MULTILINE)
    commands = listed.group(1).split(",")
    assert {"up", "stop", "pause", "down", "tool", "grade", "classroom"} <= set(commands)
    for command in commands:
        ru = entries(printed_help([command], "ru", monkeypatch, capsys))
        assert ru and all(CYRILLIC.search(text) for text in ru) and set(ru) <= catalogue("ru"), (command, ru)
        en = printed_help([command], "en", monkeypatch, capsys)
        assert not CYRILLIC.search(en) and set(entries(en)) <= catalogue("en"), (command, en)


def test_every_help_text_has_both_languages_and_is_safe_for_argparse():
    assert len(help_keys()) >= 40
    for key in help_keys():
        texts = i18n.MESSAGES[key]
        assert texts["en"].strip() and CYRILLIC.search(texts["ru"]), key
        for text in texts.values():
            assert "%" not in re.sub(r"%%|%\(\w+\)s", "", text), (key, text)  # argparse %-formats help texts
