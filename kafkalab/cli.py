"""The `kafkalab` command.

    kafkalab up [PRESET] [--name NAME] [--engine auto|local|docker|external] [--kafka 3.9|4]
    kafkalab status [--name NAME] [--json]
    kafkalab stop|start|kill NODE [--name NAME]
    kafkalab down [--name NAME | --all [--all-homes] | --course]
    kafkalab logs NODE [--name NAME] [--file server.log] [--lines N]
    kafkalab tool [--name NAME] TOOL [ARGS...]
    kafkalab fetch [--source auto|tgz|maven] [--kafka 3.9|4]
    kafkalab doctor
    kafkalab classroom create|status|remove --roster roster.csv [--name CLASS] [--out DIR] [--dry-run]
    kafkalab grade SUBMISSION.ipynb... --out DIR [--timeout SECONDS] [--gradescope] [--class CLASS]
"""
from __future__ import annotations

import argparse
import contextlib
import json
import sys

from . import cli_help  # noqa: F401  (the help texts)
from . import distribution, i18n
from .cluster import cluster as clusters
from .cluster.spec import PRESETS
from .errors import KafkaLabError
from .i18n import lang, register, t

register({
    "cli_all_homes_alone": {"en": "--all-homes goes with --all", "ru": "--all-homes работает только вместе с --all"},
})
# argparse's own words (usage, its error messages), for a Russian user
ARGPARSE_RU = {
    "usage: ": "использование: ",
    "%(prog)s: error: %(message)s\n": "%(prog)s: ошибка: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "аргумент %(argument_name)s: %(message)s",
    "the following arguments are required: %s": "не хватает обязательных аргументов: %s",
    "unrecognized arguments: %s": "неизвестные аргументы: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "недопустимое значение: %(value)r (возможны: %(choices)s)",
    "invalid %(type)s value: %(value)r": "недопустимое значение (%(type)s): %(value)r",
    "expected one argument": "нужен один аргумент",
    "expected at most one argument": "нужно не больше одного аргумента",
    "expected at least one argument": "нужен хотя бы один аргумент",
    "not allowed with argument %s": "нельзя вместе с аргументом %s",
    "one of the arguments %s is required": "нужен один из аргументов %s",
    "ambiguous option: %(option)s could match %(matches)s": "неоднозначная опция: %(option)s подходит к %(matches)s",
    "positional arguments": "позиционные аргументы",
    "options": "опции",
    "show this help message and exit": "показать эту справку и выйти",
}


@contextlib.contextmanager
def _argparse_in_language():
    """The parser is built and parses in the language `lang()` picks: our help texts (`t` at build time) and
    argparse's own words (looked up through its module's `_` at call time; in Russian, ours)."""
    language = lang()
    forced, original = i18n._forced, argparse._
    i18n.set_lang(language)
    if language == "ru":
        argparse._ = lambda text: ARGPARSE_RU.get(text, original(text))
    try:
        yield
    finally:
        argparse._ = original
        i18n._forced = forced


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kafkalab", description=t("cli_help_description"))
    sub = parser.add_subparsers(dest="command", required=True)

    def named(p):
        p.add_argument("--name", help=t("cli_help_name"))
        return p

    up = named(sub.add_parser("up", help=t("cli_help_up")))
    up.add_argument("preset", nargs="?", choices=list(PRESETS), help=t("cli_help_up_preset"))
    up.add_argument("--engine", default="auto", choices=["auto", "local", "docker", "external"])
    up.add_argument("--fresh", action="store_true", help=t("cli_help_up_fresh"))
    up.add_argument("--kafka", help=t("cli_help_up_kafka"))
    status = named(sub.add_parser("status", help=t("cli_help_status")))
    status.add_argument("--json", action="store_true")
    for verb in ("stop", "start", "kill", "pause", "resume"):
        named(sub.add_parser(verb, help=t(f"cli_help_{verb}"))).add_argument("node")
    down = named(sub.add_parser("down", help=t("cli_help_down")))
    down.add_argument("--all", action="store_true", help=t("cli_help_down_all"))
    down.add_argument("--all-homes", action="store_true", help=t("cli_help_down_all_homes"))
    down.add_argument("--course", action="store_true", help=t("cli_help_down_course"))
    logs = named(sub.add_parser("logs", help=t("cli_help_logs")))
    logs.add_argument("node")
    logs.add_argument("--file", default="server.log")
    logs.add_argument("--lines", type=int)
    tool = named(sub.add_parser("tool", help=t("cli_help_tool")))
    tool.add_argument("tool")
    tool.add_argument("args", nargs=argparse.REMAINDER)
    fetch = sub.add_parser("fetch", help=t("cli_help_fetch"))
    fetch.add_argument("--source", default="auto", choices=["auto", "tgz", "maven"])
    fetch.add_argument("--kafka", help=t("cli_help_fetch_kafka"))
    sub.add_parser("doctor", help=t("cli_help_doctor"))
    image = sub.add_parser("image", help=t("cli_help_image"))
    image.add_argument("action", choices=["build"])
    from .grading.batch import add_parser as add_grade_parser

    add_grade_parser(sub)
    from .classroom import add_parser as add_classroom_parser

    add_classroom_parser(sub)
    return parser


def _print_status(cluster) -> None:
    info = cluster.status()
    print(t("status_header", name=info["name"], engine=info["engine"], mode=info["mode"],
            bootstrap=info["bootstrap_servers"]))
    for n in info["nodes"]:
        state = clusters.service_text(n["service"])
        print(f"  {n['name']:<14} {n['role']:<10} id={n['id']:<5} {n['host']}:{n['port']:<6} {state}")
    if "quorum" in info:
        from .cluster.kraft import quorum_text

        print(quorum_text(info["quorum"]))


def run(argv: list[str]) -> int:
    if argv and argv[0] == "tool" and len(argv) > 1 and argv[1] not in ("-h", "--help"):
        return _tool(argv[1:])
    with _argparse_in_language():
        args = _parser().parse_args(argv)
    cmd = args.command
    if cmd == "up":
        clusters.up(args.preset, args.name, args.engine, fresh=args.fresh, kafka=args.kafka)
    elif cmd == "status":
        named_one = args.name is not None
        found = [clusters.attach(args.name)] if named_one else clusters.clusters()
        broken = [] if named_one else clusters.damaged()
        if args.json:
            objects = [c.status() for c in found]
            objects += [{"name": err.values["name"], "corrupt": True, "state_file": str(err.values["path"]),
                         "error": str(err)} for err in broken]
            print(json.dumps(objects[0] if named_one or len(objects) == 1 else objects, indent=2))
        elif not found and not broken:
            print(t("status_none"))
        for c in found if not args.json else []:
            _print_status(c)
        for err in broken if not args.json else []:
            print(t("status_corrupt", name=err.values["name"], error=err))
    elif cmd in ("stop", "start", "kill", "pause", "resume"):
        getattr(clusters.attach(args.name), cmd)(args.node)
    elif cmd == "down":
        if args.all_homes and not args.all:
            with _argparse_in_language():
                _parser().error(t("cli_all_homes_alone"))
        if args.course:
            clusters.down_course()
        else:
            clusters.down(args.name, all=args.all, all_homes=args.all_homes)
    elif cmd == "logs":
        print(clusters.attach(args.name).logs(args.node, args.lines, args.file))
    elif cmd == "fetch":
        distribution.fetch(args.source, kafka=args.kafka)
        from . import toolserver

        toolserver.prepare()  # the tool server's class, built once with this Java
    elif cmd == "doctor":
        from .doctor import doctor

        return 0 if doctor() == 0 else 1
    elif cmd == "image":
        from .cluster.engines.docker import build_image

        build_image()
    elif cmd == "classroom":
        from .classroom import main as classroom_main

        return classroom_main(args)
    elif cmd == "grade":
        from .grading.batch import main as grade_main

        return grade_main(args)
    return 0


def _tool(rest: list[str]) -> int:
    """`kafkalab tool [--name NAME] TOOL ARGS...`: everything after TOOL goes to the tool untouched."""
    from .tools import run_in_terminal

    name = None
    if rest[0] == "--name" and len(rest) > 1:
        name, rest = rest[1], rest[2:]
    elif rest[0].startswith("--name="):
        name, rest = rest[0].split("=", 1)[1], rest[1:]
    cluster = clusters.attach(name)
    if not rest:
        with _argparse_in_language():
            _parser().parse_args(["tool"])  # argparse's usage message and exit code 2
    return run_in_terminal(cluster, rest[0], rest[1:])


def main() -> None:
    try:
        code = run(sys.argv[1:])
    except KafkaLabError as err:
        print(f"kafkalab: {err}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        print(t("interrupted"), file=sys.stderr)
        code = 130
    except BrokenPipeError:  # `kafkalab status | head`: the reader left, nothing is wrong
        code = 0
    sys.exit(code)


if __name__ == "__main__":
    main()
