"""Every message, of the catalogue and of every module and check module that registers its own, exists in
en and ru, non-empty, with the same {placeholders}; and formats with them."""
import importlib
import string
from pathlib import Path

import pytest

from kafkalab import i18n

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
# modules of the package that register messages at import (found by grep, so a new one is not missed)
REGISTERING = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for path in (ROOT / "kafkalab").rglob("*.py") if "register({" in path.read_text())
CHECK_FILES = sorted((ROOT / "checks").glob("lab*.py")) + sorted((ROOT / "checks" / "hidden").glob("lab*.py"))


def fields(text: str) -> set[str]:
    """The placeholder names of a format string ('{param!r}' and '{delay:g}' give 'param' and 'delay')."""
    names = set()
    for _, field, _, _ in string.Formatter().parse(text):
        if field is not None:
            names.add(field.split(".")[0].split("[")[0])
    return names


def all_messages() -> dict[str, dict[str, str]]:
    for module in REGISTERING:
        importlib.import_module(module)
    from kafkalab.grading import registry

    for lab in sorted({path.name.split("_")[0] for path in CHECK_FILES}):
        registry.load(lab)
    return dict(i18n.MESSAGES)


def test_registering_modules_and_check_files_were_found():
    assert {"kafkalab.perf", "kafkalab.distribution", "kafkalab.cli_help"} <= set(REGISTERING)
    assert len(CHECK_FILES) >= 7


def test_every_message_has_en_and_ru_with_the_same_placeholders():
    problems = []
    for key, texts in sorted(all_messages().items()):
        missing = [lang for lang in i18n.LANGS if not (texts.get(lang) or "").strip()]
        if missing:
            problems.append(f"{key}: no {'/'.join(missing)} text")
            continue
        try:
            en, ru = fields(texts["en"]), fields(texts["ru"])
        except ValueError as err:
            problems.append(f"{key}: not a format string ({err})")
            continue
        if en != ru:
            problems.append(f"{key}: placeholders differ: en {sorted(en)} ru {sorted(ru)}")
    assert not problems, "\n".join(problems)


class Anything:
    """Formats under any spec ({x:g}, {x!r}, {x:.1f})."""

    def __format__(self, spec):
        return "X"

    def __repr__(self):
        return "X"


def test_every_message_formats_in_both_languages():
    for key, texts in all_messages().items():
        for lang in i18n.LANGS:
            values = {name: Anything() for name in fields(texts[lang])}
            assert texts[lang].format(**values), (key, lang)


def test_t_follows_the_chosen_language(monkeypatch):
    monkeypatch.delenv("KAFKALAB_LANG", raising=False)
    try:
        i18n.set_lang("ru")
        assert i18n.t("interrupted") == "Прервано."
        i18n.set_lang("en")
        assert i18n.t("interrupted") == "Interrupted."
    finally:
        i18n.set_lang(None)
    monkeypatch.setenv("KAFKALAB_LANG", "ru")
    assert i18n.lang() == "ru"


def test_register_refuses_a_message_without_both_languages():
    with pytest.raises(ValueError):
        i18n.register({"unit_test_only_en": {"en": "only English"}})
    assert "unit_test_only_en" not in i18n.MESSAGES


def test_no_message_key_is_written_twice():
    """A dict literal keeps the last of two equal keys silently: a second "l05_idle" once replaced the first."""
    import ast

    for path in [*(ROOT / "kafkalab").rglob("*.py"), *CHECK_FILES]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Dict):
                keys = [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
                twice = sorted({k for k in keys if keys.count(k) > 1})
                assert not twice, f"{path.relative_to(ROOT)}: {twice} twice in one dict"
