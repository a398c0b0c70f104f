"""The student's values as data: read from a namespace (in the notebook) or asked from a kernel (grader).

Both ways encode a value with the same expression, ENCODE, into tagged JSON, and decode it here, so a
check sees the same data whether it runs in the notebook or in the grader: lists, tuples, sets, dicts
(any keys), paths, numbers, strings, None. Anything else arrives as an `Opaque` that fails type checks.
Student functions are called with inputs the check picks; their results come back the same way.
The grader never unpickles or imports anything the kernel sends: a reply is a string literal holding JSON.
"""
from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path

# one expression, evaluated in the student's kernel (or locally): value -> JSON-safe tagged data
ENCODE = (
    "lambda f, v, d=0: ("
    " {'$deep': 1} if d > 40 else"
    " None if v is None else"
    " v if isinstance(v, (bool, str)) else"
    " int(v) if isinstance(v, __import__('numbers').Integral) else"
    " float(v) if isinstance(v, __import__('numbers').Real) else"
    " {'$list': [f(f, x, d + 1) for x in v]} if isinstance(v, list) else"
    " {'$tuple': [f(f, x, d + 1) for x in v]} if isinstance(v, tuple) else"
    " {'$set': [f(f, x, d + 1) for x in sorted(v, key=repr)]} if isinstance(v, (set, frozenset)) else"
    " {'$dict': [[f(f, k, d + 1), f(f, x, d + 1)] for k, x in v.items()]} if isinstance(v, dict) else"
    " {'$path': str(v)} if isinstance(v, __import__('os').PathLike) else"
    " {'$ellipsis': 1} if v is Ellipsis else"
    " {'$callable': type(v).__name__} if callable(v) else"
    " {'$other': type(v).__name__, 'repr': repr(v)[:200]})"
)
MAX_REPLY = 2_000_000  # characters of one encoded value


class Missing(Exception):
    """The name is not defined in the student's namespace."""


class StudentError(Exception):
    """Student code raised while the grader asked for a value or called a function."""

    def __init__(self, ename: str, evalue: str):
        self.ename, self.evalue = ename, evalue
        super().__init__(f"{ename}: {evalue}")


class Unanswered(Exception):
    """The kernel did not answer (dead, stuck past its time, or a reply that is not a value)."""


@dataclass(frozen=True)
class Opaque:
    """A value the grader cannot take as data (a Producer, a DataFrame ...): only its type name and repr."""
    type_name: str
    text: str = ""

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


@dataclass(frozen=True)
class Callable_:
    """Marks a callable in the student's namespace; call it through Values.call()."""
    type_name: str


def _hashable(value):
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((repr(k), _hashable(v)) for k, v in value.items()))
    return value


def decode(data):
    """Tagged JSON data -> Python values (never executes anything)."""
    if isinstance(data, list):  # plain JSON lists do not occur in ENCODE's output, but stay lists
        return [decode(x) for x in data]
    if not isinstance(data, dict):
        return data
    if "$list" in data:
        return [decode(x) for x in data["$list"]]
    if "$tuple" in data:
        return tuple(decode(x) for x in data["$tuple"])
    if "$set" in data:
        return {_hashable(decode(x)) for x in data["$set"]}
    if "$dict" in data:
        return {_hashable(decode(k)): decode(v) for k, v in data["$dict"]}
    if "$path" in data:
        return Path(str(data["$path"]))
    if "$ellipsis" in data:
        return Ellipsis
    if "$callable" in data:
        return Callable_(str(data["$callable"]))
    if "$other" in data:
        return Opaque(str(data["$other"]), str(data.get("repr", ""))[:200])
    return Opaque("deep")


def from_json(text: str):
    if len(text) > MAX_REPLY:
        raise Unanswered("too large")
    try:
        return decode(json.loads(text))
    except (ValueError, TypeError, KeyError, RecursionError) as err:
        raise Unanswered(f"not a value: {type(err).__name__}") from None


_encode_fn = eval(ENCODE)  # the same expression the kernel evaluates


def encode_json(value) -> str:
    return json.dumps(_encode_fn(_encode_fn, value))


class LocalValues:
    """Values of a namespace in this process (the notebook's own check() calls)."""

    isolated = False

    def __init__(self, ns: dict):
        self.ns = ns

    def get(self, name: str):
        if name not in self.ns:
            raise Missing(name)
        try:
            return from_json(encode_json(self.ns[name]))
        except RecursionError:
            return Opaque("deep")

    def call(self, name: str, args: tuple, timeout: float = 30.0):
        if name not in self.ns:
            raise Missing(name)
        try:
            result = self.ns[name](*args)
        except Exception as err:
            raise StudentError(type(err).__name__, str(err)) from None
        return from_json(encode_json(result))


def _literal(value) -> str:
    """A Python literal for an argument the check picked (numbers, strings, lists of them)."""
    text = repr(value)
    if ast.literal_eval(text) != value:
        raise ValueError(f"not a literal argument: {value!r}")
    return text


class KernelValues:
    """Values asked from a running Jupyter kernel with `user_expressions`: JSON back in the execute reply."""

    isolated = True

    def __init__(self, client, interrupt=None, alive=None, gone: str | None = None):
        self.client = client
        self.interrupt = interrupt
        self.alive = alive or client.is_alive
        self.gone = gone  # why the kernel cannot answer any more (died, stuck, killed at the time limit)

    def _ask(self, expression: str, timeout: float):
        if self.gone:
            raise Unanswered(self.gone)
        wrapped = f"(lambda enc: __import__('json').dumps(enc(enc, {expression})))({ENCODE})"
        try:
            msg_id = self.client.execute("", silent=True, store_history=False, user_expressions={"v": wrapped},
                                         allow_stdin=False)
        except Exception as err:
            self.gone = f"{type(err).__name__}"
            raise Unanswered(self.gone) from None
        from ..waiting import wait_for

        def our_reply():
            try:
                reply = self.client.get_shell_msg(timeout=1.0)
            except Exception:  # queue.Empty, or the channel closed under a dead kernel
                if not self.alive():
                    self.gone = "dead"
                    raise Unanswered("dead") from None
                return None
            return reply if reply.get("parent_header", {}).get("msg_id") == msg_id else None

        try:
            reply, _ = wait_for(our_reply, timeout, "the kernel's reply", every=0, retry_on=())
        except TimeoutError:
            self.gone = "timeout"
            if self.interrupt:
                try:
                    self.interrupt()
                except Exception:
                    pass
            raise Unanswered("timeout") from None
        result = (reply.get("content") or {}).get("user_expressions", {}).get("v")
        if not isinstance(result, dict):
            raise Unanswered("no result")
        if result.get("status") == "error":
            ename, evalue = str(result.get("ename", "Error"))[:100], str(result.get("evalue", ""))[:300]
            if ename == "NameError" and expression.isidentifier():
                raise Missing(expression)
            raise StudentError(ename, evalue)
        text = (result.get("data") or {}).get("text/plain")
        if not isinstance(text, str) or len(text) > MAX_REPLY + 10:
            raise Unanswered("no text")
        try:
            literal = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            raise Unanswered("not a literal") from None
        if not isinstance(literal, str):
            raise Unanswered("not a string")
        return from_json(literal)

    def get(self, name: str):
        if not name.isidentifier():
            raise ValueError(name)
        return self._ask(name, timeout=30.0)

    def call(self, name: str, args: tuple, timeout: float = 30.0):
        if not name.isidentifier():
            raise ValueError(name)
        call = f"{name}({', '.join(_literal(a) for a in args)})"
        try:
            return self._ask(call, timeout=timeout)
        except StudentError as err:
            if err.ename == "NameError" and f"'{name}'" in err.evalue:
                raise Missing(name) from None
            raise
