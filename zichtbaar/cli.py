"""The `flask` commands: migrate, seed, create-user, export, import, verify-audit-chain, backup, restore."""

import getpass
import json
import os
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlmodel import select

from register import audit, backup, migrate, seed, transfer
from register.accounts import service as accounts
from register.accounts.actor import system_actor
from register.accounts.passwords import password_problems
from register.audit.models import AuditEntry
from register.errors import Invalid, RegisterError
from register.organisations import service as organisations
from zichtbaar.web import database


def _fail(exc: RegisterError) -> None:
    click.echo(f"Error: {exc}", err=True)
    if isinstance(exc, Invalid):
        for field, messages in sorted(exc.errors.items()):
            click.echo(f"  {field}: {' '.join(messages)}", err=True)
    sys.exit(1)


@click.command("migrate")
@with_appcontext
def migrate_command():
    """Bring the database schema up to date (Alembic)."""
    migrate.upgrade(database().url)
    click.echo("Database schema is up to date.")


@click.command("seed")
@click.option("--if-empty", is_flag=True, help="Only seed when the register holds no organisations yet.")
@click.option("--no-demo-accounts", is_flag=True, help="Do not create the demo accounts.")
@with_appcontext
def seed_command(if_empty, no_demo_accounts):
    """Fill the register with the real open data in seed_data/ (idempotent)."""
    db = database()
    if if_empty and not seed.is_empty(db):
        click.echo("The register holds data already; not seeding.")
        return
    config = current_app.config["ZICHTBAAR"]
    report = seed.seed(db, config.seed_data_dir, demo_accounts=not no_demo_accounts,
                       progress=lambda step: click.echo(f"  seeding {step} …"))
    for what, n in sorted(report.added.items()):
        click.echo(f"added    {n:6d} {what}")
    for what, n in sorted(report.skipped.items()):
        click.echo(f"present  {n:6d} {what}")
    for problem in report.problems:
        click.echo(f"not imported: {problem}")
    if report.passwords:
        click.echo("\nDemo accounts (passwords are shown this once; change them with `flask set-password`):")
        for email, roles, password in report.passwords:
            click.echo(f"  {email:45s} {password}   ({roles})")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True, help="Display name (a role or team name is fine).")
@click.option("--site-admin", is_flag=True)
@click.option("--role", "roles", multiple=True, metavar="ORG:ROLE", help="e.g. gm0363:editor (repeatable)")
@with_appcontext
def create_user_command(email, display_name, site_admin, roles):
    """Create an account; the password is asked for (or read from ZICHTBAAR_PASSWORD)."""
    password = os.environ.get("ZICHTBAAR_PASSWORD") or getpass.getpass("Password: ")
    if password_problems(password):
        _fail(Invalid({"password": password_problems(password)}))
    actor = system_actor("cli")
    try:
        with database().unit_of_work() as session:
            user = accounts.create_user(session=session, actor=actor, email=email, display_name=display_name,
                                        password=password, site_admin=site_admin)
            for item in roles:
                code, _, role = item.partition(":")
                org = organisations.get_by_code(session=session, code=code)
                accounts.grant(session=session, actor=actor, user=user, organisation=org, role=role)
    except RegisterError as exc:
        _fail(exc)
    click.echo(f"Created {email}.")


@click.command("set-password")
@click.option("--email", required=True)
@with_appcontext
def set_password_command(email):
    """Set a new password for an account (asked for, or read from ZICHTBAAR_PASSWORD)."""
    password = os.environ.get("ZICHTBAAR_PASSWORD") or getpass.getpass("New password: ")
    try:
        with database().unit_of_work() as session:
            user = accounts.get_by_email(session=session, email=email)
            if user is None:
                raise Invalid({"email": ["No such account."]})
            accounts.set_password(session=session, actor=system_actor("cli"), user=user, password=password)
    except RegisterError as exc:
        _fail(exc)
    click.echo("Password changed.")


@click.command("export")
@click.option("--organisation", help="Only this organisation's registrations (its code).")
@click.option("--all", "include_unpublished", is_flag=True, help="Include drafts and archived items.")
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-")
@with_appcontext
def export_command(organisation, include_unpublished, output):
    """Write registrations as JSON Lines (public ones unless --all)."""
    try:
        with database().unit_of_work(write=False) as session:
            for line in transfer.export_lines(session=session, organisation=organisation,
                                              include_unpublished=include_unpublished):
                output.write(line + "\n")
    except RegisterError as exc:
        _fail(exc)


@click.command("import")
@click.argument("source", type=click.File("r", encoding="utf-8"))
@click.option("--as", "as_email", help="Import as this account (its roles apply); default: the system.")
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@with_appcontext
def import_command(source, as_email, dry_run):
    """Read JSON Lines and create or update drafts; any error anywhere writes nothing."""
    try:
        with database().unit_of_work() as session:
            actor = system_actor("import")
            if as_email:
                user = accounts.get_by_email(session=session, email=as_email)
                if user is None:
                    raise Invalid({"as": [f"No account {as_email}."]})
                actor = accounts.actor_for(session=session, user=user)
            counts = transfer.import_lines(session=session, actor=actor, lines=source)
            if dry_run:
                session.rollback()
    except RegisterError as exc:
        _fail(exc)
    click.echo(("Dry run: would have " if dry_run else "") + ", ".join(f"{k} {v}" for k, v in counts.items()))


@click.command("verify-audit-chain")
@click.option("--chain", help="Only this chain (an organisation code, or 'site').")
@click.option("--export", "export_to", type=click.File("w", encoding="utf-8"),
              help="Also write the chain's entries as JSON Lines for a supervisor.")
@with_appcontext
def verify_audit_chain_command(chain, export_to):
    """Recompute the audit log's hash chains; exit 1 when any entry was altered or removed."""
    with database().unit_of_work(write=False) as session:
        problems = audit.verify(session=session, chain=chain)
        if export_to:
            query = select(AuditEntry).order_by(AuditEntry.chain, AuditEntry.seq)
            if chain:
                query = query.where(AuditEntry.chain == chain)
            for entry in session.exec(query):
                export_to.write(json.dumps(entry.model_dump(mode="json"), ensure_ascii=False) + "\n")
    for problem in problems:
        click.echo(f"chain {problem.chain} entry {problem.seq}: {problem.problem}")
    if problems:
        click.echo(f"The audit log has been tampered with: {len(problems)} problem(s).", err=True)
        sys.exit(1)
    click.echo("The audit log's hash chains are intact.")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(file):
    """Write the whole register to FILE (gzip JSON Lines, one consistent snapshot)."""
    try:
        summary = backup.backup(database(), file)
    except backup.BackupError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Backed up {summary.rows} rows in {len(summary.counts)} tables (schema {summary.revision}, "
               f"sha256 {summary.sha256}) to {file}.")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True, help="Overwrite a database that holds data (default: refuse).")
@with_appcontext
def restore_command(file, replace):
    """Restore a backup from FILE into an empty database (checked first, all or nothing)."""
    try:
        summary = backup.restore(database(), file, replace=replace)
    except backup.BackupError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Restored {summary.rows} rows in {len(summary.counts)} tables (schema {summary.revision}); "
               "the audit log's hash chains are intact.")


def register_commands(app: Flask) -> None:
    """Attach every command to the app's CLI."""
    for command in (migrate_command, seed_command, create_user_command, set_password_command, export_command,
                    import_command, verify_audit_chain_command, backup_command, restore_command):
        app.cli.add_command(command)

