"""The `vertebra` command.

vertebra serve [--host H] [--port P] [--workers N]   start gunicorn
vertebra demo [--patients N] [--seed S] [--if-empty]  load the synthetic demo clinic
vertebra user create --role ROLE --username U ...     create a login
vertebra audit verify                                 check the audit hash chain
vertebra evaluate FILE.json [--format json|text]      evaluate a candidate snapshot
vertebra send-reminders                               send the appointment e-mails now due
vertebra manage ARGS...                               any Django management command
"""

from __future__ import annotations

import os
import sys


def _django(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["vertebra", *argv])
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


def _serve(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="vertebra serve", description="Start Vertebra (gunicorn)."
    )
    parser.add_argument("--host", default=os.environ.get("VERTEBRA_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("VERTEBRA_PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
    ]
    os.execv(sys.executable, command)  # noqa: S606 - replaces this process with gunicorn
    return 0  # pragma: no cover


def _evaluate(argv: list[str]) -> int:
    from vertebra.evaluation.cli import evaluate_main

    return evaluate_main(argv, sys.stdin, sys.stdout, sys.stderr)


USAGE = __doc__ or ""


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE.strip())
        return 0
    command, rest = args[0], args[1:]
    if command == "serve":
        return _serve(rest)
    if command == "demo":
        return _django(["demo", *rest])
    if command == "user" and rest[:1] == ["create"]:
        return _django(["create_vertebra_user", *rest[1:]])
    if command == "audit" and rest[:1] == ["verify"]:
        return _django(["audit_verify", *rest[1:]])
    if command == "send-reminders":
        return _django(["send_reminders", *rest])
    if command == "evaluate":
        return _evaluate(rest)
    if command == "manage":
        return _django(rest)
    print(f"vertebra: unknown command {' '.join(args[:2])!r}\n\n{USAGE.strip()}", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
