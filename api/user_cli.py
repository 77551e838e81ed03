"""``planmap user …``: accounts from the command line (the first admin is made here)."""

from __future__ import annotations

from typing import Annotated

import typer

user_app = typer.Typer(help="Accounts: add, list, change the role of, set the password of and remove users", no_args_is_help=True)
DatabaseUrl = Annotated[str | None, typer.Option("--database-url", help="default: the configured one")]


def _change(database_url: str | None, change) -> None:
    """Run ``change(session)`` in one transaction; an AccountError is exit code 1 with its message."""
    from sqlalchemy.orm import Session

    from layers.accounts import AccountError
    from layers.db import make_engine
    from layers.schema import upgrade
    from layers.settings import get_settings

    engine = make_engine(database_url or get_settings().database_url)
    upgrade(engine)
    try:
        with Session(engine) as session, session.begin():
            message = change(session)
        typer.echo(message)  # once committed
    except AccountError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()


@user_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="login name")],
    role: Annotated[str, typer.Option(help="agency_reporter | coordinator | admin")] = "admin",
    agency: Annotated[str | None, typer.Option(help="agency id, e.g. so-cong-thuong (reporters)")] = None,
    display_name: Annotated[str | None, typer.Option(help="name shown on pages")] = None,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          envvar="PLANMAP_NEW_PASSWORD", help="at least 10 characters")] = "",
    database_url: DatabaseUrl = None,
) -> None:
    """Add a user; the password is asked for (or read from PLANMAP_NEW_PASSWORD), stored as argon2id."""
    from layers.accounts import create_user

    def add_one(session) -> str:
        user = create_user(session, username, password, role, agency, display_name, actor="cli")
        return f"added {user.username} ({user.role}{', ' + agency if agency else ''})"

    _change(database_url, add_one)


@user_app.command("set-role")
def set_role(
    username: Annotated[str, typer.Argument(help="login name")],
    role: Annotated[str, typer.Argument(help="agency_reporter | coordinator | admin")],
    agency: Annotated[str | None, typer.Option(help="agency id (reporters)")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Change a user's role; it holds from their next request, even while they are logged in."""
    from layers import accounts

    def change(session) -> str:
        user = accounts.set_role(session, username, role, agency, actor="cli")
        return f"{user.username} is now {user.role}{', ' + user.agency_id if user.agency_id else ''}"

    _change(database_url, change)


@user_app.command("remove")
def remove(
    username: Annotated[str, typer.Argument(help="login name")],
    database_url: DatabaseUrl = None,
) -> None:
    """Remove a user: their sessions and API tokens stop working at once (reports keep the name)."""
    from layers import accounts

    def change(session) -> str:
        accounts.remove_user(session, username, actor="cli")
        return f"removed {username}"

    _change(database_url, change)


@user_app.command("password")
def password(
    username: Annotated[str, typer.Argument(help="login name")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          envvar="PLANMAP_NEW_PASSWORD", help="at least 10 characters")] = "",
    database_url: DatabaseUrl = None,
) -> None:
    """Set a user's password (e.g. after a restore from a backup without secrets)."""
    from layers.accounts import set_password

    def change(session) -> str:
        set_password(session, username, password, actor="cli")
        return f"password set for {username}"

    _change(database_url, change)


@user_app.command("list")
def list_users(database_url: DatabaseUrl = None) -> None:
    """List the accounts (never their passwords)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from layers.db import make_engine
    from layers.models_accounts import User
    from layers.settings import get_settings

    engine = make_engine(database_url or get_settings().database_url)
    with Session(engine) as session:
        for u in session.scalars(select(User).order_by(User.username)):
            typer.echo(f"{u.username}\t{u.role}\t{u.agency_id or '-'}\t{'active' if u.active else 'disabled'}")
    engine.dispose()
