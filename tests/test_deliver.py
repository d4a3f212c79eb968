"""Email delivery against a real SMTP server on 127.0.0.1 (aiosmtpd), with STARTTLS, SSL and login."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import logging
import shutil
import socket
import ssl
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from briefing.output import deliver
from briefing.cli import main
from briefing.config import Config, SmtpConfig
from briefing.errors import DeliveryError

DAY = dt.date(2022, 4, 1)
PDF = b"%PDF-1.4\n% fake briefing for the tests\n%%EOF\n"
PASSWORD = "s3cret-Pa55word!"


# --------------------------------------------------------------------------------------------------- fixtures


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """Keeps every message the server accepted; refuses recipients starting with 'nobody'."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd API
        if address.startswith("nobody"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"briefing" and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], check=True, capture_output=True)
    return cert, key


@pytest.fixture
def trust(tls_files, monkeypatch):
    """The client trusts the test certificate (ssl.create_default_context reads SSL_CERT_FILE)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files[0]))
    monkeypatch.setenv("BRIEFING_SMTP_PASSWORD", PASSWORD)
    return tls_files


def start_server(security: str = "starttls", tls_files=None, port: int | None = None) -> tuple[Controller, Recorder]:
    recorder = Recorder()
    port = port or free_port()
    kwargs: dict = {"hostname": "127.0.0.1", "port": port}
    if security in ("starttls", "ssl"):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*tls_files)
        kwargs.update(authenticator=authenticator, auth_required=True)
        if security == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        else:
            kwargs.update(ssl_context=context, auth_require_tls=False)  # aiosmtpd only counts STARTTLS as TLS
    controller = Controller(recorder, **kwargs)
    controller.start()
    return controller, recorder


@pytest.fixture
def server(trust):
    controller, recorder = start_server("starttls", trust)
    yield controller, recorder
    controller.stop()


def smtp_config(port: int, **changes) -> SmtpConfig:
    values = dict(host="127.0.0.1", port=port, security="starttls", username="briefing", sender="briefing@example.org",
                  recipients=("desk@example.org", "editor@example.org"), timeout=5.0)
    values.update(changes)
    return SmtpConfig(**values)


def make_briefing(output: Path, date: dt.date = DAY, title: str = "Ukraine war — daily briefing",
                  pdf: bool = True) -> Path:
    folder = output / date.isoformat()
    folder.mkdir(parents=True)
    (folder / "briefing.md").write_text(f"# {title}\n\n## Key takeaways\n\n- Talks resumed on {date}.\n\n"
                                        "| Figure | Value |\n|---|---|\n| Killed | 12 |\n", encoding="utf-8")
    (folder / "briefing.json").write_text(json.dumps({"title": title, "date": date.isoformat(), "takeaways": [
        {"text": f"Talks resumed on {date}."}]}), encoding="utf-8")
    if pdf:
        (folder / "briefing.pdf").write_bytes(PDF)
    return folder


def config_for(tmp_path: Path, port: int, **smtp) -> Config:
    return Config(output=tmp_path / "out", smtp=smtp_config(port, **smtp))


def write_config_file(tmp_path: Path, port: int, security: str = "starttls", pdf: bool = False) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"""output: out
pdf: {{enabled: {str(pdf).lower()}}}
smtp:
  host: 127.0.0.1
  port: {port}
  security: {security}
  username: briefing
  sender: briefing@example.org
  recipients: [desk@example.org]
  timeout: 5
""", encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------------------ tests


def test_sends_pdf_html_and_text_over_starttls_with_login(tmp_path, server):
    controller, recorder = server
    config = config_for(tmp_path, controller.port)
    folder = make_briefing(config.output)
    report = deliver.send(config, [DAY])
    assert report.sent == [DAY]
    ((rcpt, msg),) = recorder.messages
    assert rcpt == ["desk@example.org", "editor@example.org"]
    assert msg["Subject"] == "Ukraine war — daily briefing — 2022-04-01"
    assert msg["From"] == "briefing@example.org"
    assert msg["To"] == "desk@example.org, editor@example.org"
    assert msg["Auto-Submitted"] == "auto-generated"
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == "briefing-2022-04-01.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF
    plain = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert plain.startswith("# Ukraine war — daily briefing\n")
    html = msg.get_body(("html",)).get_content()
    assert "<h1" in html and "<table " in html and ">12</td>" in html
    state = json.loads((folder / ".delivery.json").read_text())
    assert state["status"] == "sent"
    assert state["recipients"] == ["desk@example.org", "editor@example.org"]
    assert state["message_id"] == msg["Message-ID"]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_ssl(tmp_path, trust):
    controller, recorder = start_server("ssl", trust)
    try:
        config = config_for(tmp_path, controller.port, security="ssl")
        make_briefing(config.output)
        assert deliver.send(config, [DAY]).sent == [DAY]
    finally:
        controller.stop()
    assert len(recorder.messages) == 1


def test_plain_smtp_without_login(tmp_path):
    controller, recorder = start_server("none")
    try:
        config = config_for(tmp_path, controller.port, security="none", username="")
        make_briefing(config.output, pdf=False)
        assert deliver.send(config, [DAY]).sent == [DAY]
    finally:
        controller.stop()
    ((_, msg),) = recorder.messages
    assert list(msg.iter_attachments()) == []


def test_a_date_is_not_sent_twice_unless_resend_is_asked(tmp_path, server):
    controller, recorder = server
    config = config_for(tmp_path, controller.port)
    make_briefing(config.output)
    deliver.send(config, [DAY])
    again = deliver.send(config, [DAY])
    assert again.sent == [] and again.skipped[0][0] == DAY
    assert len(recorder.messages) == 1
    assert deliver.send(config, [DAY], resend=True).sent == [DAY]
    assert len(recorder.messages) == 2


def test_server_down_keeps_files_marks_failed_and_a_later_send_delivers(tmp_path, trust):
    port = free_port()
    config = config_for(tmp_path, port)
    folder = make_briefing(config.output)
    with pytest.raises(DeliveryError) as caught:
        deliver.send(config, [DAY])
    assert str(caught.value) == (
        f"email not sent for 2022-04-01 via 127.0.0.1:{port}: connection refused (is the server up?); the briefing "
        "files stay in place and the next 'briefing send' or 'briefing run --send' retries")
    assert sorted(p.name for p in folder.iterdir()) == [".delivery.json", "briefing.json", "briefing.md",
                                                         "briefing.pdf"]
    state = json.loads((folder / ".delivery.json").read_text())
    assert state["status"] == "failed" and state["attempts"] == 1
    controller, recorder = start_server("starttls", trust, port=port)
    try:
        assert deliver.send(config).sent == [DAY]  # no date: the newest briefing
    finally:
        controller.stop()
    assert len(recorder.messages) == 1
    assert json.loads((folder / ".delivery.json").read_text())["status"] == "sent"


def test_earlier_pending_dates_go_out_with_the_next_send_but_old_ones_do_not(tmp_path, server):
    controller, recorder = server
    config = config_for(tmp_path, controller.port)
    for day in (DAY - dt.timedelta(days=10), DAY - dt.timedelta(days=2), DAY - dt.timedelta(days=1), DAY):
        make_briefing(config.output, day)
    deliver.mark_requested(config.output, DAY - dt.timedelta(days=10))  # too old to retry
    deliver.mark_requested(config.output, DAY - dt.timedelta(days=2))
    # DAY - 1 was never asked to be sent: it stays unsent
    report = deliver.send(config, [DAY])
    assert report.sent == [DAY - dt.timedelta(days=2), DAY]
    assert [m["X-Briefing-Date"] for _, m in recorder.messages] == ["2022-03-30", "2022-04-01"]


def test_refused_login_never_shows_the_password(tmp_path, server, monkeypatch, caplog):
    controller, _ = server
    monkeypatch.setenv("BRIEFING_SMTP_PASSWORD", "wrong-" + PASSWORD)
    config = config_for(tmp_path, controller.port)
    make_briefing(config.output)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DeliveryError) as caught:
        deliver.send(config, [DAY])
    assert "login refused for briefing (535 5.7.8 Authentication credentials invalid)" in str(caught.value)
    assert PASSWORD not in str(caught.value) and PASSWORD not in caplog.text
    state_text = (config.output / "2022-04-01" / ".delivery.json").read_text()
    assert PASSWORD not in state_text


def test_missing_password_variable(tmp_path, server, monkeypatch):
    controller, _ = server
    monkeypatch.delenv("BRIEFING_SMTP_PASSWORD")
    config = config_for(tmp_path, controller.port)
    make_briefing(config.output)
    with pytest.raises(DeliveryError) as caught:
        deliver.send(config, [DAY])
    assert str(caught.value) == ("smtp.username is set but the environment variable BRIEFING_SMTP_PASSWORD "
                                 "(smtp.password_env) is empty or not set")
    assert json.loads((config.output / "2022-04-01" / ".delivery.json").read_text())["status"] == "pending"


def test_email_not_configured(tmp_path):
    config = Config(output=tmp_path / "out")
    make_briefing(config.output)
    with pytest.raises(DeliveryError) as caught:
        deliver.send(config, [DAY])
    assert str(caught.value) == ("email is not configured: set smtp.host, smtp.recipients, smtp.sender "
                                 "in the config")


def test_no_briefing_for_the_date(tmp_path):
    config = Config(output=tmp_path / "out")
    with pytest.raises(DeliveryError) as caught:
        deliver.send(config, [DAY])
    assert str(caught.value) == (f"no briefing for 2022-04-01 in {config.output} "
                                 "(run 'briefing run --date 2022-04-01' first)")


def test_every_recipient_refused_is_a_failure(tmp_path, server):
    controller, recorder = server
    config = config_for(tmp_path, controller.port, recipients=("nobody@example.org",))
    make_briefing(config.output)
    with pytest.raises(DeliveryError) as caught:
        deliver.send(config, [DAY])
    assert "every recipient refused: nobody@example.org (550 5.1.1 no such user)" in str(caught.value)
    assert recorder.messages == []


def test_one_refused_recipient_is_a_warning_and_the_rest_get_it(tmp_path, server):
    controller, recorder = server
    config = config_for(tmp_path, controller.port, recipients=("desk@example.org", "nobody@example.org"))
    make_briefing(config.output)
    report = deliver.send(config, [DAY])
    assert report.warnings == ["briefing for 2022-04-01: the server refused nobody@example.org; sent to the others"]
    assert recorder.messages[0][0] == ["desk@example.org"]


def test_a_title_with_a_line_break_cannot_inject_headers(tmp_path, server):
    controller, recorder = server
    config = config_for(tmp_path, controller.port)
    make_briefing(config.output, title="Briefing\r\nBcc: victim@example.org")
    deliver.send(config, [DAY])
    ((rcpt, msg),) = recorder.messages
    assert msg["Subject"] == "Briefing Bcc: victim@example.org — 2022-04-01"
    assert msg["Bcc"] is None and "victim@example.org" not in rcpt


def test_check_smtp(tmp_path, server):
    controller, _ = server
    config = config_for(tmp_path, controller.port)
    assert deliver.check_smtp(config) == f"127.0.0.1:{controller.port} reachable (starttls, logged in as briefing)"
    down = replace(config, smtp=replace(config.smtp, port=free_port()))
    with pytest.raises(DeliveryError, match=r"^SMTP server 127.0.0.1:\d+ not usable: connection refused"):
        deliver.check_smtp(down)


# -------------------------------------------------------------------------------------------------------- CLI


def test_cli_send_exit_codes_and_resend(tmp_path, trust, monkeypatch, capsys):
    port = free_port()
    path = write_config_file(tmp_path, port)
    make_briefing(tmp_path / "out")
    assert main(["send", "--config", str(path), "--date", "2022-04-01"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: email not sent for 2022-04-01 via 127.0.0.1:")
    controller, recorder = start_server("starttls", trust, port=port)
    try:
        assert main(["send", "--config", str(path)]) == 0
        assert main(["send", "--config", str(path), "--date", "2022-04-01"]) == 0
        assert len(recorder.messages) == 1
        assert main(["send", "--config", str(path), "--date", "2022-04-01", "--resend"]) == 0
        assert len(recorder.messages) == 2
    finally:
        controller.stop()
    out = capsys.readouterr().out
    assert "sent 2022-04-01 to desk@example.org" in out
    assert "already sent" in out


def test_cli_check_smtp(tmp_path, trust, capsys):
    controller, _ = start_server("starttls", trust)
    path = write_config_file(tmp_path, controller.port)
    try:
        code = main(["check", "--config", str(path), "--smtp"])
    finally:
        controller.stop()
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert f"smtp: 127.0.0.1:{controller.port} reachable (starttls, logged in as briefing)\n" in captured.out
    assert main(["check", "--config", str(path), "--smtp"]) == 2
    assert (f"error: smtp: SMTP server 127.0.0.1:{controller.port} not usable: connection refused (is the server "
            "up?)\n") in capsys.readouterr().err


def test_cli_run_send_end_to_end_server_down_then_the_next_run_delivers_both(tmp_path, trust, capsys):
    port = free_port()
    path = write_config_file(tmp_path, port, pdf=True)
    article = tmp_path / "in" / "article.txt"
    article.parent.mkdir()
    shutil.copy(Path(__file__).resolve().parent.parent / "samples" / "000_986f4cd8ed297f09.txt", article)
    day2 = DAY + dt.timedelta(days=1)
    run = ["run", "--config", str(path), "--input", str(article), "--send", "--quiet"]

    assert main([*run, "--date", "2022-04-01"]) == 1
    out, err = capsys.readouterr()
    first = tmp_path / "out" / "2022-04-01"
    assert out == ""  # --quiet: nothing on stdout, only the error on stderr
    assert err.splitlines() == [f"error: email not sent for 2022-04-01 via 127.0.0.1:{port}: connection refused (is "
                                "the server up?); the briefing files stay in place and the next 'briefing send' or "
                                "'briefing run --send' retries"]
    assert json.loads((first / ".delivery.json").read_text())["status"] == "failed"

    controller, recorder = start_server("starttls", trust, port=port)
    # The next day brings another article: something new to send (a day with nothing new sends no email).
    shutil.copy(Path(__file__).resolve().parent.parent / "samples" / "004_d52130d6b5804202.txt", article)
    try:
        assert main([*run, "--date", day2.isoformat()]) == 0
        assert main(["send", "--config", str(path), "--date", day2.isoformat()]) == 0  # already sent: skipped
    finally:
        controller.stop()
    assert [m["X-Briefing-Date"] for _, m in recorder.messages] == ["2022-04-01", "2022-04-02"]
    for (_, msg), folder in zip(recorder.messages, (first, tmp_path / "out" / "2022-04-02")):
        (attachment,) = msg.iter_attachments()
        assert attachment.get_content() == (folder / "briefing.pdf").read_bytes()
        assert msg["Subject"] == f"Daily briefing — {folder.name}"
    index = (tmp_path / "out" / "index.md").read_text()
    assert index.index("(2022-04-02/briefing.md)") < index.index("(2022-04-01/briefing.md)")
    assert "2022-04-02 already sent" in capsys.readouterr().out


def test_a_trickling_smtp_server_costs_at_most_the_timeout(tmp_path):
    """A server that sends its greeting one byte at a time never trips a per-read timeout; the session's
    deadline cuts it off."""
    import threading
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def trickle():
        conn, _ = listener.accept()
        with conn:
            end = time.monotonic() + 8
            while time.monotonic() < end and not stop.is_set():
                try:
                    conn.sendall(b"2")
                except OSError:
                    return
                time.sleep(0.05)

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    config = Config(output=tmp_path, smtp=smtp_config(listener.getsockname()[1], security="none", username="",
                                                      timeout=0.5))
    started = time.monotonic()
    try:
        with pytest.raises(DeliveryError) as caught:
            deliver.check_smtp(config)
    finally:
        stop.set()
        thread.join(5)
        listener.close()
    assert time.monotonic() - started < 2
    assert str(caught.value) == (f"SMTP server 127.0.0.1:{config.smtp.port} "
                                 "not usable: no complete answer within 0.5 s (smtp.timeout)")


def test_an_unreadable_delivery_state_is_never_a_reason_to_send_twice(tmp_path, server, caplog):
    """The state file of a sent date, damaged: not resent (by the pending sweep or by name); one warning naming the
    file; the damaged file kept aside; --resend still sends it."""
    controller, recorder = server
    config = config_for(tmp_path, controller.port)
    folder = make_briefing(config.output)
    deliver.send(config, [DAY])
    (folder / ".delivery.json").write_bytes(b'{"status": "se\x00\xff')
    later = make_briefing(config.output, DAY + dt.timedelta(days=1))
    report = deliver.send(config, [DAY + dt.timedelta(days=1)])  # the pending sweep looks at DAY
    assert report.sent == [DAY + dt.timedelta(days=1)]
    again = deliver.send(config, [DAY])
    assert again.sent == [] and again.skipped == [(DAY, "delivery state unknown (its file was unreadable)")]
    assert [m["X-Briefing-Date"] for _, m in recorder.messages] == ["2022-04-01", "2022-04-02"]
    (aside,) = folder.glob(".delivery.json.corrupt-*")
    assert aside.read_bytes() == b'{"status": "se\x00\xff'
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING" and r.name == "briefing.output.deliver"]
    assert warnings == [f"{folder / '.delivery.json'}: unreadable delivery state (UnicodeDecodeError); kept as "
                        f"{aside.name}; the briefing of 2022-04-01 may have been sent already, so it is not sent "
                        "again automatically (briefing send --date 2022-04-01 --resend sends it)"]
    assert deliver.send(config, [DAY], resend=True).sent == [DAY]
    assert later.is_dir()
