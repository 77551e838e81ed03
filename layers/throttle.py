"""Slow down guessing: at most ``limit`` counted attempts per key in a sliding window, then wait.

Login failures and new API tokens are counted per account and per client address (an address gets more, as an
office may share one). The counts live in the database so that all server workers share them; two workers
deciding at the same instant may each let one more attempt through, which a throttle can afford.

Example::

    keys = [(LOGIN_ACCOUNT, "sct-reporter"), (LOGIN_ADDRESS, "10.0.0.7")]
    with Session(engine) as s, s.begin():
        if (seconds := wait(s, keys)) == 0 and not password_ok:
            count(s, keys)
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from layers.models_accounts import ThrottleEvent


@dataclass(frozen=True)
class Rule:
    scope: str
    limit: int
    window: int = 60  # seconds


LOGIN_ACCOUNT = Rule("login:account", 5)
LOGIN_ADDRESS = Rule("login:address", 20)
TOKEN_ACCOUNT = Rule("token:account", 5)
TOKEN_ADDRESS = Rule("token:address", 20)
KEEP = dt.timedelta(hours=1)  # events older than every window are deleted as new ones come

Keys = list[tuple[Rule, str]]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite drops the zone


def _key(value: str) -> str:
    return value.strip().lower()[:160]


def wait(session: Session, keys: Keys, now: dt.datetime | None = None) -> int:
    """Seconds until the next attempt is allowed under every key; 0 when it is allowed now."""
    now = now or _now()
    longest = 0
    for rule, value in keys:
        since = now - dt.timedelta(seconds=rule.window)
        recent = (ThrottleEvent.scope == rule.scope, ThrottleEvent.key == _key(value), ThrottleEvent.at > since)
        count = session.scalar(select(func.count()).select_from(ThrottleEvent).where(*recent))
        if count < rule.limit:
            continue
        # the attempt that must leave the window before one more fits
        oldest = session.scalar(select(ThrottleEvent.at).where(*recent).order_by(ThrottleEvent.at)
                                .offset(count - rule.limit).limit(1))
        seconds = (_utc(oldest) + dt.timedelta(seconds=rule.window) - now).total_seconds()
        longest = max(longest, max(1, math.ceil(seconds)))
    return longest


def count(session: Session, keys: Keys, now: dt.datetime | None = None) -> None:
    """Count one attempt under each key (in the caller's transaction) and drop events nobody needs."""
    now = now or _now()
    session.execute(delete(ThrottleEvent).where(ThrottleEvent.at < now - KEEP))
    session.add_all(ThrottleEvent(scope=rule.scope, key=_key(value), at=now) for rule, value in keys)


def forget(session: Session, rule: Rule, value: str) -> None:
    """Clear a key, e.g. an account's failures after it logged in."""
    session.execute(delete(ThrottleEvent).where(ThrottleEvent.scope == rule.scope,
                                                ThrottleEvent.key == _key(value)))
