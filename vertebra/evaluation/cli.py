"""``vertebra evaluate FILE.json [--format json|text] [--settings SETTINGS.json]``.

Reads one candidate snapshot (clinical-reference §2.1; ``-`` reads standard input) and prints
the evaluation. Exit 0 with the result for any decision; exit 2 with one line on standard error
naming the field for any invalid input (unreadable file, invalid UTF-8 or JSON, wrong type,
out-of-range value, unknown level, key or enum value). Never a traceback. Pure: no Django.
"""

from __future__ import annotations

import argparse
import decimal
import json
from typing import IO, Any, NoReturn

from vertebra.evaluation.rules import (
    RuleSettings,
    SnapshotError,
    evaluate,
    parse_snapshot,
    result_to_json,
    result_to_text,
)

EXIT_OK = 0
EXIT_INPUT = 2


class _InputError(Exception):
    """One line for standard error; the CLI exits 2."""


class _HelpShown(Exception):  # a control-flow signal (help printed), not an error
    pass


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors as one line and never calls sys.exit."""

    def error(self, message: str) -> NoReturn:
        raise _InputError(f"error: {message} (usage: {self.prog} FILE.json [--format json|text])")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise _HelpShown


def _parser(stdout: IO[str]) -> _Parser:
    parser = _Parser(
        prog="vertebra evaluate",
        description="Evaluate one vertebroplasty candidate snapshot (clinical-reference §2.1).",
    )
    parser.add_argument("file", metavar="FILE.json", help="the snapshot; - for standard input")
    parser.add_argument("--format", choices=("json", "text"), default="json")
    parser.add_argument(
        "--settings", metavar="SETTINGS.json", help="rule settings (defaults: the reference's)"
    )
    return parser


def _read(name: str, stdin: IO[str]) -> str:
    """The whole text of a file (or stdin for ``-``), strictly UTF-8 (a BOM is allowed)."""
    try:
        if name == "-":
            buffer: IO[bytes] | None = getattr(stdin, "buffer", None)
            raw: bytes | str = buffer.read() if buffer is not None else stdin.read()
        else:
            with open(name, "rb") as handle:
                raw = handle.read()
    except OSError as exc:
        raise _InputError(f"error: {name}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise _InputError(f"error: {name}: not valid UTF-8 (byte {exc.start})") from exc
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _InputError(f"error: {name}: not valid UTF-8 (byte {exc.start})") from exc


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _InputError(f"error: duplicate key {json.dumps(key)} in a JSON object")
        result[key] = value
    return result


def _reject_constant(name: str) -> NoReturn:
    raise _InputError(f"error: {name} is not valid JSON (use a number or null)")


def _decode(name: str, text: str) -> Any:
    try:
        return json.loads(
            text,
            parse_float=decimal.Decimal,
            parse_constant=_reject_constant,
            object_pairs_hook=_no_duplicate_keys,
        )
    except json.JSONDecodeError as exc:
        raise _InputError(
            f"error: {name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    except (ValueError, RecursionError) as exc:
        # Over-long integers and absurd nesting: still one line, never a traceback.
        raise _InputError(f"error: {name}: not valid JSON ({type(exc).__name__})") from exc


def _settings(name: str | None, stdin: IO[str]) -> RuleSettings:
    if name is None:
        return RuleSettings()
    data = _decode(name, _read(name, stdin))
    if not isinstance(data, dict):
        raise _InputError("error: settings: must be a JSON object")
    try:
        return RuleSettings.from_dict(data)
    except (ValueError, TypeError) as exc:
        raise _InputError(f"error: settings.{exc}") from exc


def evaluate_main(argv: list[str], stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
    """Run ``vertebra evaluate``; returns the exit code (0 result, 2 invalid input)."""
    try:
        try:
            args = _parser(stdout).parse_args(argv)
        except _HelpShown:
            stdout.write(_parser(stdout).format_help())
            return EXIT_OK
        if args.file == "-" and args.settings == "-":
            raise _InputError("error: only one of FILE.json and --settings can be -")
        settings = _settings(args.settings, stdin)
        data = _decode(args.file, _read(args.file, stdin))
        try:
            snapshot = parse_snapshot(data)
        except SnapshotError as exc:
            raise _InputError(f"error: {exc.path}: {exc.message}") from exc
        result = evaluate(snapshot, settings)
    except _InputError as exc:
        stderr.write(" ".join(str(exc).split()) + "\n")
        return EXIT_INPUT
    if args.format == "json":
        stdout.write(json.dumps(result_to_json(result), ensure_ascii=False, indent=2) + "\n")
    else:
        stdout.write(result_to_text(result))
    return EXIT_OK
