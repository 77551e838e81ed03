"""``planmap user …``: accounts from the command line (the first admin is made here)."""

from __future__ import annotations

from typing import Annotated

import typer

user_app = typer.Typer(help="Accounts: add users, set passwords", no_args_is_help=True)


@user_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="login name")],
    role: Annotated[str, typer.Option(help="agency_reporter | coordinator | admin")] = "admin",
    agency: Annotated[str | None, typer.Option(help="agency id, e.g. so-cong-thuong (reporters)")] = None,
    display_name: Annotated[str | None, typer.Option(help="name shown on pages")] = None,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          envvar="PLANMAP_NEW_PASSWORD", help="at least 10 characters")] = "",
    database_url: Annotated[str | None, typer.Option("--database-url", help="default: the configured one")] = None,
) -> None:
    """Add a user; the password is asked for (or read from PLANMAP_NEW_PASSWORD), stored as argon2id."""
    from sqlalchemy.orm import Session

    from layers.accounts import AccountError, create_user
    from layers.db import make_engine
    from layers.schema import upgrade
    from layers.settings import get_settings

    engine = make_engine(database_url or get_settings().database_url)
    upgrade(engine)
    try:
        with Session(engine) as session, session.begin():
            user = create_user(session, username, password, role, agency, display_name, actor="cli")
            typer.echo(f"added {user.username} ({user.role}{', ' + agency if agency else ''})")
    except AccountError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()


@user_app.command("password")
def password(
    username: Annotated[str, typer.Argument(help="login name")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          envvar="PLANMAP_NEW_PASSWORD", help="at least 10 characters")] = "",
    database_url: Annotated[str | None, typer.Option("--database-url", help="default: the configured one")] = None,
) -> None:
    """Set a user's password (e.g. after a restore from a backup without secrets)."""
    from sqlalchemy.orm import Session

    from layers.accounts import AccountError, set_password
    from layers.db import make_engine
    from layers.settings import get_settings

    engine = make_engine(database_url or get_settings().database_url)
    try:
        with Session(engine) as session, session.begin():
            set_password(session, username, password, actor="cli")
            typer.echo(f"password set for {username}")
    except AccountError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()


@user_app.command("list")
def list_users(
    database_url: Annotated[str | None, typer.Option("--database-url", help="default: the configured one")] = None,
) -> None:
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
