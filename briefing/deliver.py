"""Email delivery of a briefing: the PDF attached, the Markdown as the HTML body and as the plain-text part.

Delivery state is kept per date in ``output/<date>/.delivery.json`` (written atomically): ``pending`` once a send
was asked for, ``failed`` after an attempt that did not go through, ``sent`` once the server accepted the
message, ``unknown`` when the file was found damaged (moved aside; never sent again without ``--resend``). A date already ``sent`` is not sent again unless ``resend`` is asked; a date still ``pending`` or
``failed`` within ``PENDING_DAYS`` is retried by the next ``briefing run --send`` or ``briefing send``.

The SMTP password is read from the environment variable named by ``smtp.password_env``; it never reaches a
log line or an error message.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import smtplib
import socket
import ssl
from contextlib import nullcontext
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Iterable, Sequence

from . import atomic
from .config import Config, SmtpConfig
from .errors import DeliveryError
from .lock import run_lock

log = logging.getLogger(__name__)

STATE_NAME = ".delivery.json"
PENDING_DAYS = 3
"""Earlier dates still pending are retried when they are at most this many days older than the date sent."""


@dataclass
class Report:
    sent: list[dt.date] = field(default_factory=list)
    skipped: list[tuple[dt.date, str]] = field(default_factory=list)
    failed: list[tuple[dt.date, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------- public API


def send(config: Config, dates: Sequence[dt.date] | None = None, *, resend: bool = False,
         include_pending: bool = True, locked: bool = False) -> Report:
    """Email the briefings of ``dates`` (default: the newest briefing in the output folder), plus, with
    ``include_pending``, earlier dates still waiting for delivery. Holds the output's lock while it works.

    Raises DeliveryError (one line, naming every date not delivered) when any could not be sent; the files stay
    in place and the dates stay pending for the next attempt."""
    output = Path(config.output)
    with nullcontext() if locked else run_lock(output):  # ``locked``: the caller's run holds it
        targets = list(dates) if dates else [_newest(output)]
        for date in targets:
            _require_briefing(output, date)
            mark_requested(output, date, resend=resend)
        if include_pending:
            targets += [d for d in pending_dates(output, min(targets)) if d not in targets]
        return _send_all(config, sorted(set(targets)), resend=resend, explicit=set(dates or targets[:1]))


def pending_dates(output: Path, before: dt.date, days: int = PENDING_DAYS) -> list[dt.date]:
    """Dates in ``[before - days, before)`` whose delivery was asked for and has not gone through."""
    found = []
    for n in range(days, 0, -1):
        date = before - dt.timedelta(days=n)
        if read_state(output / date.isoformat()).get("status") in ("pending", "failed"):
            found.append(date)
    return found


def read_state(folder: Path) -> dict:
    """The delivery state of one date. A damaged state file is moved aside and the state becomes ``unknown``:
    the date may have been sent already, so it is not sent again without ``--resend`` (a duplicate briefing in
    every reader's inbox is worse than asking an operator to resend once; the warning says how)."""
    path = folder / STATE_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        return _unknown_state(folder, path, exc)
    return data


def _unknown_state(folder: Path, path: Path, exc: BaseException) -> dict:
    from .store import quarantine

    try:
        aside = quarantine(path).name
    except OSError:
        aside = None
    state = {"date": folder.name, "status": "unknown", "last_error": f"unreadable {STATE_NAME}"}
    try:
        write_state(folder, state)
    except OSError:
        pass
    kept = f"kept as {aside}" if aside else "left in place"
    log.warning("%s: unreadable delivery state (%s); %s; the briefing of %s may have been sent already, so it is "
                "not sent again automatically (briefing send --date %s --resend sends it)", path,
                type(exc).__name__, kept, folder.name, folder.name)
    return state


def write_state(folder: Path, state: dict) -> Path:
    return atomic.write_text(folder / STATE_NAME, json.dumps(state, ensure_ascii=False, indent=2) + "\n")


def mark_requested(output: Path, date: dt.date, *, resend: bool = False) -> None:
    """Record that delivery of ``date`` was asked for, so a failed or interrupted send is retried later."""
    folder = output / date.isoformat()
    state = read_state(folder)
    if state.get("status") in ("sent", "unknown") and not resend:
        return
    state.update(date=date.isoformat(), status="pending" if state.get("status") != "failed" else "failed")
    write_state(folder, state)


def check_smtp(config: Config) -> str:
    """Connect, say EHLO, start TLS and log in as configured, then quit without sending. Returns a one-line
    description; raises DeliveryError saying what failed."""
    smtp = config.smtp
    _require_smtp(smtp)
    try:
        client = _connect(smtp)
        client.quit()
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP server {smtp.host}:{smtp.port} not usable: {_reason(exc, smtp)}") from None
    login = f", logged in as {smtp.username}" if smtp.username else ""
    return f"{smtp.host}:{smtp.port} reachable ({smtp.security}{login})"


def build_message(config: Config, date: dt.date, folder: Path) -> EmailMessage:
    """The email for one date: plain-text Markdown, HTML rendered from it, the PDF attached."""
    smtp = config.smtp
    markdown = (folder / "briefing.md").read_text(encoding="utf-8")
    title = _title(folder, config.title)
    msg = EmailMessage()
    msg["Subject"] = _header(smtp.subject.replace("{title}", title).replace("{date}", date.isoformat()))
    msg["From"] = smtp.sender or smtp.username
    msg["To"] = ", ".join(smtp.recipients)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid("briefing", _domain(smtp.sender or smtp.username))
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Briefing-Date"] = date.isoformat()
    msg.set_content(markdown, subtype="plain", charset="utf-8")
    msg.add_alternative(_html(markdown), subtype="html", charset="utf-8")
    pdf = folder / "briefing.pdf"
    if pdf.is_file():
        msg.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf",
                           filename=f"briefing-{date.isoformat()}.pdf")
    else:
        log.warning("%s: no PDF (pdf.enabled is off?); emailing the briefing without an attachment", folder)
    return msg


# --------------------------------------------------------------------------------------------------- sending


def _send_all(config: Config, dates: list[dt.date], *, resend: bool, explicit: set[dt.date]) -> Report:
    output = Path(config.output)
    report = Report()
    todo = []
    for date in dates:
        state = read_state(output / date.isoformat())
        if state.get("status") == "unknown" and not (resend and date in explicit):
            report.skipped.append((date, "delivery state unknown (its file was unreadable)"))
        elif state.get("status") == "sent" and not (resend and date in explicit):
            when = state.get("sent_at", "earlier")
            log.info("briefing for %s already emailed (%s); use --resend to send it again", date, when)
            report.skipped.append((date, f"already sent {when}"))
        else:
            todo.append(date)
    if not todo:
        return report
    _require_smtp(config.smtp)
    try:
        client = _connect(config.smtp)
    except (OSError, smtplib.SMTPException) as exc:
        _fail(output, todo, _reason(exc, config.smtp), report)
    else:
        try:
            for date in todo:
                _send_one(client, config, date, report)
        finally:
            _close(client)
    if report.failed:
        raise DeliveryError(_failure_line(config.smtp, report))
    return report


def _send_one(client: smtplib.SMTP, config: Config, date: dt.date, report: Report) -> None:
    folder = Path(config.output) / date.isoformat()
    state = read_state(folder)
    try:
        msg = build_message(config, date, folder)
        client.watchdog.extend(config.smtp.timeout)
        refused = client.send_message(msg, from_addr=msg["From"], to_addrs=list(config.smtp.recipients))
    except (OSError, smtplib.SMTPException) as exc:
        _fail(Path(config.output), [date], _reason(TimeoutError() if client.watchdog.expired else exc,
                                                   config.smtp), report)
        return
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    accepted = [r for r in config.smtp.recipients if r not in refused]
    state.update(date=date.isoformat(), status="sent", sent_at=now, recipients=accepted,
                 message_id=msg["Message-ID"], attempts=state.get("attempts", 0) + 1, last_error=None)
    if refused:
        state["refused"] = sorted(refused)
        message = f"briefing for {date}: the server refused {', '.join(sorted(refused))}; sent to the others"
        log.warning("%s", message)
        report.warnings.append(message)
    write_state(folder, state)
    log.info("emailed the briefing for %s to %s", date, ", ".join(accepted))
    report.sent.append(date)


def _fail(output: Path, dates: Iterable[dt.date], reason: str, report: Report) -> None:
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    for date in dates:
        folder = output / date.isoformat()
        state = read_state(folder)
        state.update(date=date.isoformat(), status="failed", attempts=state.get("attempts", 0) + 1,
                     last_error=reason, last_attempt=now)
        write_state(folder, state)
        report.failed.append((date, reason))


def _failure_line(smtp: SmtpConfig, report: Report) -> str:
    dates = ", ".join(d.isoformat() for d, _ in report.failed)
    reasons = sorted({r for _, r in report.failed})
    return (f"email not sent for {dates} via {smtp.host}:{smtp.port}: {'; '.join(reasons)}; "
            "the briefing files stay in place and the next 'briefing send' or 'briefing run --send' retries")


def _connect(smtp: SmtpConfig) -> smtplib.SMTP:
    """Connected, TLS started and logged in, all within ``smtp.timeout`` seconds in all; each message sent later
    gets another ``smtp.timeout`` (``_send_one``). A server trickling its answers is cut off there."""
    from .deadline import Watchdog

    context = ssl.create_default_context()
    watchdog = Watchdog(smtp.timeout).__enter__()
    base = smtplib.SMTP_SSL if smtp.security == "ssl" else smtplib.SMTP

    class Client(base):
        def _get_socket(self, host, port, timeout):
            return watchdog.attach(super()._get_socket(host, port, timeout))

    client = Client(timeout=smtp.timeout, **({"context": context} if smtp.security == "ssl" else {}))
    client.watchdog = watchdog
    client._host = smtp.host  # what smtplib sets when the host is given at once (TLS checks it)
    try:
        client.connect(smtp.host, smtp.port)
        client.ehlo()
        if smtp.security == "starttls":
            client.starttls(context=context)
            client.ehlo()
        if smtp.username:
            client.login(smtp.username, _password(smtp))
    except BaseException as exc:
        _close(client)
        if watchdog.expired and isinstance(exc, (OSError, smtplib.SMTPException)):
            raise TimeoutError("session deadline") from None
        raise
    return client


def _close(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()
    finally:
        client.watchdog.stop()


def _password(smtp: SmtpConfig) -> str:
    password = os.environ.get(smtp.password_env, "")
    if not password:
        raise DeliveryError(f"smtp.username is set but the environment variable {smtp.password_env} "
                            "(smtp.password_env) is empty or not set")
    return password


def _require_smtp(smtp: SmtpConfig) -> None:
    missing = [key for key, value in (("smtp.host", smtp.host), ("smtp.recipients", smtp.recipients),
                                      ("smtp.sender", smtp.sender or smtp.username)) if not value]
    if missing:
        raise DeliveryError(f"email is not configured: set {', '.join(missing)} in the config")
    if smtp.username:
        _password(smtp)


def _reason(exc: BaseException, smtp: SmtpConfig) -> str:
    """A short, single-line, password-free account of what went wrong."""
    if isinstance(exc, DeliveryError):
        text = str(exc)
    elif isinstance(exc, ConnectionRefusedError):
        text = "connection refused (is the server up?)"
    elif isinstance(exc, (socket.timeout, TimeoutError)):
        text = f"no complete answer within {smtp.timeout:g} s (smtp.timeout)"
    elif isinstance(exc, socket.gaierror):
        text = f"unknown host {smtp.host!r}"
    elif isinstance(exc, smtplib.SMTPAuthenticationError):
        text = f"login refused for {smtp.username} ({exc.smtp_code} {_decode(exc.smtp_error)})"
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        text = "every recipient refused: " + ", ".join(
            f"{r} ({code} {_decode(msg)})" for r, (code, msg) in sorted(exc.recipients.items()))
    elif isinstance(exc, smtplib.SMTPNotSupportedError):
        text = f"{exc} (check smtp.security)"
    elif isinstance(exc, smtplib.SMTPResponseException):
        text = f"server said {exc.smtp_code} {_decode(exc.smtp_error)}"
    elif isinstance(exc, smtplib.SMTPServerDisconnected):
        text = "the server closed the connection"
    elif isinstance(exc, ssl.SSLError):
        text = f"TLS failed: {exc.reason or exc} (check smtp.security and smtp.port)"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return _scrub(" ".join(text.split()), smtp)


def _scrub(text: str, smtp: SmtpConfig) -> str:
    password = os.environ.get(smtp.password_env, "")
    return text.replace(password, "***") if password else text


def _decode(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


# ---------------------------------------------------------------------------------------------------- helpers


def _newest(output: Path) -> dt.date:
    from .publish import find_briefings

    entries = find_briefings(output)
    if not entries:
        raise DeliveryError(f"no briefing in {output} to send; make one with 'briefing run' first")
    return entries[0].date


def _require_briefing(output: Path, date: dt.date) -> None:
    if not (output / date.isoformat() / "briefing.md").is_file():
        raise DeliveryError(f"no briefing for {date} in {output} (run 'briefing run --date {date}' first)")


def _title(folder: Path, default: str) -> str:
    try:
        title = json.loads((folder / "briefing.json").read_text(encoding="utf-8")).get("title")
    except (OSError, ValueError, AttributeError):
        title = None
    return str(title) if title else default


def _header(value: str) -> str:
    """One line: a header with a line break in it would be refused (or worse, injected)."""
    return " ".join(value.split())


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip("> ") if "@" in address else "localhost"


def _html(markdown: str) -> str:
    from .render import markdown_to_email_html

    return markdown_to_email_html(markdown)
