"""The `cxloop` command: Django's management commands with cxloop's own in front."""

import os
import sys

COMMANDS = {
    "serve": "start the web server (and a background worker) on http://127.0.0.1:8000",
    "worker": "run a background worker that sends invitations and runs follow-up rules",
    "demo": "load a realistic Dutch demo chain (lease company, call centre, repair shop)",
    "import": "import interactions from a CSV or XLSX file, with a report per row",
    "createadmin": "create an administrator who can log in to /admin/",
    "apikey": "create, list or revoke API keys of an organisation",
    "hrimport": "import an organisation's units and employees from an HR file (CSV or XLSX)",
    "twofactor": "twofactor reset USERNAME: remove a person's two-step verification (lost phone)",
    "journeys": "analyse an XES or CSV event log (journeys analyze LOG --json) or import one (journeys import)",
    "text": "analyse Dutch feedback: text analyze FILE.jsonl --json; train classifiers",
    "rollups": "rollups rebuild: recompute the dashboards' daily roll-ups",
    "outbox": "outbox show ID: a message as it was sent, with its real links",
    "privacy": "privacy export|erase --organisation SLUG --customer KEY; privacy purge [--dry-run]",
    "sweep": "run due and left-behind background work once",
    "migrate": "create or update the database tables",
}
ALIASES = {"import": "importinteractions"}


def usage() -> str:
    lines = ["usage: cxloop <command> [options]", "", "commands:"]
    lines += [f"  {name:<12} {text}" for name, text in COMMANDS.items()]
    lines += [
        "",
        "`cxloop <command> --help` explains a command; `cxloop help` lists every Django command too.",
        "Configuration comes from environment variables (docs/configuration.md).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxloop.settings")
    if not args or args[0] in {"-h", "--help"}:
        print(usage())
        return
    args[0] = ALIASES.get(args[0], args[0])
    if _needs_tables(args):
        import django

        django.setup()
        missing = _missing_tables()
        if missing:
            print(missing, file=sys.stderr)
            sys.exit(1)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["cxloop", *args])


# Commands that create the tables, or never read them.
WITHOUT_TABLES = {
    "migrate",
    "makemigrations",
    "showmigrations",
    "sqlmigrate",
    "check",
    "help",
    "version",
    "--version",
    "test",
    "shell",
    "dbshell",
    "diffsettings",
    "collectstatic",
    "compilemessages",
    "makemessages",
    "squashmigrations",
    "optimizemigration",
}


def _needs_tables(args: list[str]) -> bool:
    if args[0] in WITHOUT_TABLES or "--help" in args or "-h" in args:
        return False
    # `journeys analyze` and `text analyze` read a file, not the database.
    return not (args[0] in {"journeys", "text"} and args[1:2] == ["analyze"])


def _missing_tables() -> str | None:
    """Why this database cannot be used yet, or None. Looks without creating an empty SQLite file."""
    from pathlib import Path

    from django.db import connection

    hint = "run `cxloop migrate` (or `make run`) first"
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite" and not Path(name).exists():
        return f"cxloop: there is no database at {name} yet: {hint}."
    if "django_migrations" not in connection.introspection.table_names():
        return f"cxloop: the database {name} has no tables yet: {hint}."
    return None


if __name__ == "__main__":
    main()
