"""Email delivery of a briefing: the PDF attached, the Markdown as the HTML body and as the plain-text part.

Delivery state is kept per date in ``output/<date>/.delivery.json`` (written atomically): ``pending`` once a send
was asked for, ``failed`` after an attempt that did not go through, ``sent`` once the server accepted the
message, ``unknown`` when the file was found damaged (moved aside; never sent again without ``--resend``). A date already ``sent`` is not sent again unless ``resend`` is asked; a date still ``pending`` or
``failed`` within ``PENDING_DAYS`` is retried by the next ``briefing run --send`` or ``briefing send``.

Every way a briefing goes out is a channel with its own record under ``channels`` in that state: ``email``
(``smtp.recipients``), ``list:NAME`` (each of ``smtp.lists``, the whole briefing or some themes' sections) and
``notify:HASH`` (each chat or webhook URL of ``deliver.notify``). A retry sends only what has not gone through,
so nothing goes twice and nothing is lost; the date is ``sent`` once every channel is. A day with nothing new
(no item new or updated) is recorded as ``skipped`` per channel unless ``deliver.send_when_nothing_new``.

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

from ..config import Config, SmtpConfig
from ..errors import DeliveryError
from ..util import atomic
from ..util.lock import run_lock

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
    by_email: bool = False
    """Some failure was an email's (the failure line then names the SMTP server)."""


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
    from ..util.store import quarantine

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


def build_message(config: Config, date: dt.date, folder: Path, recipients: Sequence[str] | None = None,
                  themes: Sequence[str] = ()) -> EmailMessage:
    """The email for one date: plain-text Markdown, HTML rendered from it, the PDF attached. With ``themes`` (a
    list of ``smtp.lists``), only those themes' sections and the sources they cite, without the PDF."""
    smtp = config.smtp
    title = _title(folder, config.title)
    if themes:
        markdown = section_markdown(config, folder, themes)
        title += ": " + ", ".join((config.theme(k).heading if config.theme(k) else k) for k in themes)
    else:
        markdown = (folder / "briefing.md").read_text(encoding="utf-8")
    msg = EmailMessage()
    msg["Subject"] = _header(smtp.subject.replace("{title}", title).replace("{date}", date.isoformat()))
    msg["From"] = smtp.sender or smtp.username
    msg["To"] = ", ".join(smtp.recipients if recipients is None else recipients)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid("briefing", _domain(smtp.sender or smtp.username))
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Briefing-Date"] = date.isoformat()
    msg.set_content(markdown, subtype="plain", charset="utf-8")
    msg.add_alternative(_html(markdown), subtype="html", charset="utf-8")
    pdf = folder / "briefing.pdf"
    if themes:
        pass  # a theme's section goes without the whole briefing's PDF
    elif pdf.is_file():
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
            log.info("briefing for %s already delivered (%s); use --resend to send it again", date, when)
            report.skipped.append((date, f"already sent {when}"))
        else:
            todo.append(date)
    if not todo:
        return report
    channels = _channels(config)
    if any(c.kind != "notify" for c in channels):
        _require_smtp(config.smtp, recipients=any(c.kind == "email" for c in channels))
    mail = _Mail(config)
    try:
        for date in todo:
            _deliver_date(config, date, channels, mail, report, force=resend and date in explicit)
    finally:
        mail.close()
    if report.failed:
        raise DeliveryError(_failure_line(config.smtp, report))
    return report


@dataclass(frozen=True)
class _Channel:
    key: str
    """Its record's name in the delivery state: "email", "list:NAME" or "notify:HASH"."""
    kind: str
    """"email", "list" or "notify"."""
    label: str
    recipients: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    url: str = ""


def _channels(config: Config) -> list[_Channel]:
    from .notify import channel_key, describe

    smtp = config.smtp
    out = []
    if smtp.host or smtp.recipients or not (smtp.lists or config.deliver.notify):
        out.append(_Channel("email", "email", "email", tuple(smtp.recipients)))
    out += [_Channel(f"list:{g.name}", "list", f"list {g.name}", tuple(g.recipients), tuple(g.themes))
            for g in smtp.lists]
    out += [_Channel(channel_key(url), "notify", describe(url), url=url) for url in config.deliver.notify]
    return out


class _Mail:
    """One SMTP connection for every email of a send, opened on first use; a refused connection fails every
    email channel with the same reason (and is not tried again within the send)."""

    def __init__(self, config: Config):
        self.config = config
        self.client: smtplib.SMTP | None = None
        self.error: str | None = None

    def get(self) -> smtplib.SMTP:
        if self.error is not None:
            raise DeliveryError(self.error)
        if self.client is None:
            try:
                self.client = _connect(self.config.smtp)
            except (OSError, smtplib.SMTPException) as exc:
                self.error = _reason(exc, self.config.smtp)
                raise DeliveryError(self.error) from None
        return self.client

    def close(self) -> None:
        if self.client is not None:
            _close(self.client)


def _deliver_date(config: Config, date: dt.date, channels: list[_Channel], mail: _Mail, report: Report, *,
                  force: bool) -> None:
    """Every channel of one date not yet delivered (all of them with ``force``); the date's state is written
    once, after the last channel."""
    folder = Path(config.output) / date.isoformat()
    state = read_state(folder)
    records = state.get("channels") if isinstance(state.get("channels"), dict) else {}
    now = _now()
    sent = failed = False
    for channel in channels:
        record = records.get(channel.key) if isinstance(records.get(channel.key), dict) else {}
        if record.get("status") in ("sent", "skipped") and not force:
            continue
        attempts = int(record.get("attempts") or 0)
        if not config.deliver.send_when_nothing_new and nothing_new(folder, channel.themes):
            records[channel.key] = {"status": "skipped", "reason": "nothing new", "at": now}
            log.info("briefing for %s: nothing new; %s not sent (deliver.send_when_nothing_new)", date, channel.label)
            report.skipped.append((date, f"nothing new; {channel.label} not sent"))
            continue
        try:
            detail = _send_channel(config, date, folder, channel, mail, state, report)
        except (DeliveryError, OSError, smtplib.SMTPException) as exc:
            reason = str(exc) if isinstance(exc, DeliveryError) else _reason(exc, config.smtp)
            records[channel.key] = {"status": "failed", "attempts": attempts + 1, "last_error": reason,
                                    "last_attempt": now}
            report.failed.append((date, reason if channel.kind == "email" else f"{channel.label}: {reason}"))
            report.by_email = report.by_email or channel.kind != "notify"
            failed = True
            continue
        records[channel.key] = {"status": "sent", "sent_at": now, "attempts": attempts + 1, **detail}
        sent = True
    state.update(date=date.isoformat(), channels=records, attempts=int(state.get("attempts") or 0) + 1)
    if failed:
        state.update(status="failed", last_error="; ".join(r for d, r in report.failed if d == date),
                     last_attempt=now)
    else:
        state.update(status="sent", last_error=None)
        state.setdefault("sent_at", now)
    write_state(folder, state)
    if sent and not failed:
        report.sent.append(date)


def _send_channel(config: Config, date: dt.date, folder: Path, channel: _Channel, mail: _Mail, state: dict,
                  report: Report) -> dict:
    """Deliver one date on one channel; returns what its record keeps. Raises on failure."""
    if channel.kind == "notify":
        from .notify import message, post

        post(channel.url, message(config, date, folder), config.deliver.notify_timeout)
        return {}
    msg = build_message(config, date, folder, channel.recipients, channel.themes)
    client = mail.get()
    client.watchdog.extend(config.smtp.timeout)  # each message gets its own smtp.timeout, however slow the server
    try:
        refused = client.send_message(msg, from_addr=msg["From"], to_addrs=list(channel.recipients))
    except (OSError, smtplib.SMTPException):
        if client.watchdog.expired:
            raise TimeoutError("session deadline") from None
        raise
    accepted = [r for r in channel.recipients if r not in refused]
    detail = {"recipients": accepted, "message_id": msg["Message-ID"]}
    if refused:
        detail["refused"] = sorted(refused)
        message = f"briefing for {date}: the server refused {', '.join(sorted(refused))}; sent to the others"
        log.warning("%s", message)
        report.warnings.append(message)
    if channel.kind == "email":  # the top-level fields the state has always had
        state.update(sent_at=_now(), recipients=accepted, message_id=msg["Message-ID"])
        if refused:
            state["refused"] = sorted(refused)
    log.info("emailed the briefing for %s to %s", date, ", ".join(accepted))
    return detail


def nothing_new(folder: Path, themes: Sequence[str] = ()) -> bool:
    """True when the date's briefing shows no item marked new or updated (in ``themes``' sections, if given).
    An unreadable briefing.json counts as something new: better one email too many than one lost."""
    try:
        data = json.loads((folder / "briefing.json").read_text(encoding="utf-8"))
        sections = [s for s in data.get("themes") or [] if not themes or s.get("key") in themes]
        items = [it for s in sections for it in s.get("items") or []]
        if not themes:
            items += data.get("takeaways") or []
        return not any((it.get("novelty") or "new") in ("new", "updated") for it in items)
    except (OSError, ValueError, AttributeError, TypeError):
        return False


def section_markdown(config: Config, folder: Path, themes: Sequence[str]) -> str:
    """The briefing cut to ``themes``: their takeaways and sections, and only the sources these cite, rendered
    with the same Markdown templates as the whole briefing."""
    from dataclasses import replace

    from .archive import load_briefing
    from ..models import cited_ids
    from .render import render_markdown

    try:
        whole = load_briefing(folder / "briefing.json")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DeliveryError(f"{folder / 'briefing.json'}: cannot cut the themes' sections ({type(exc).__name__})") \
            from None
    sections = tuple(s for s in whole.sections if s.key in themes)
    takeaways = tuple(i for i in whole.takeaways if i.theme in themes)
    since = tuple(i for i in whole.since_yesterday if i.theme in themes)
    cited = set(cited_ids((*takeaways, *since, *(i for s in sections for i in s.items))))
    part = replace(whole, sections=sections, takeaways=takeaways, since_yesterday=since, key_figures=(), quotes=(),
                   sources=tuple(s for s in whole.sources if s.id in cited), warnings=())
    return render_markdown(part, config)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _failure_line(smtp: SmtpConfig, report: Report) -> str:
    dates = ", ".join(dict.fromkeys(d.isoformat() for d, _ in report.failed))
    reasons = "; ".join(dict.fromkeys(r for _, r in report.failed))
    how = f"email not sent for {dates} via {smtp.host}:{smtp.port}" if report.by_email else f"not posted for {dates}"
    return (f"{how}: {reasons}; "
            "the briefing files stay in place and the next 'briefing send' or 'briefing run --send' retries")


def _connect(smtp: SmtpConfig) -> smtplib.SMTP:
    """Connected, TLS started and logged in, all within ``smtp.timeout`` seconds in all; each message sent later
    gets another ``smtp.timeout`` (``_send_one``). A server trickling its answers is cut off there."""
    from ..util.deadline import Watchdog

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


def _require_smtp(smtp: SmtpConfig, recipients: bool = True) -> None:
    missing = [key for key, value in (("smtp.host", smtp.host), ("smtp.recipients", smtp.recipients or not recipients),
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
