"""Delivery beyond one email: chat and webhook posts (apprise, received on loopback), mailing lists per theme,
no delivery on a day with nothing new, all in the same delivery state (nothing twice, nothing lost); and the
monitoring ping after a run."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import socket
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from briefing_fixture import DAY  # noqa: E402
from readers_fixture import Receiver, all_reported, write_day  # noqa: E402
from test_deliver import free_port, start_server  # noqa: E402

from briefing.output import deliver
from briefing.output import monitor  # noqa: E402
from briefing.config import (ArchiveConfig, Config, DeliverConfig, MailingList, MonitorConfig, # noqa: E402
                             SmtpConfig, parse_config)
from briefing.errors import ConfigError, DeliveryError  # noqa: E402
from briefing.output.notify import channel_key  # noqa: E402

BASE = "https://desk.example.org/briefings/"


def notify_config(tmp_path: Path, *urls: str, **deliver_changes) -> Config:
    return Config(output=tmp_path / "out", archive=ArchiveConfig(base_url=BASE),
                  deliver=DeliverConfig(notify=urls, notify_timeout=5.0, **deliver_changes))


def state(config: Config, date: dt.date = DAY) -> dict:
    return json.loads((Path(config.output) / date.isoformat() / ".delivery.json").read_text())


# ------------------------------------------------------------------------------------------------- notify


def test_the_takeaways_and_a_link_are_posted_once(tmp_path):
    with Receiver() as hook:
        url = f"json://127.0.0.1:{hook.port}/hooks/desk-token-123456"
        config = notify_config(tmp_path, url)
        write_day(config, DAY)
        assert deliver.send(config, [DAY]).sent == [DAY]
        assert deliver.send(config, [DAY]).skipped == [(DAY, f"already sent {state(config)['sent_at']}")]
    ((method, path, headers, _),) = hook.requests
    assert (method, path) == ("POST", "/hooks/desk-token-123456")
    (posted,) = hook.json_bodies()
    assert posted["title"] == "Ukraine daily briefing — Friday 1 April 2022"
    lines = posted["message"].splitlines()
    assert lines[0].startswith("- At least 12 people were killed and 22 were injured when a Russian air strike")
    assert len([line for line in lines if line.startswith("- ")]) == 4
    assert lines[-1] == f"Full briefing: {BASE}2022-04-01/briefing.html"
    record = state(config)["channels"][channel_key(url)]
    assert record["status"] == "sent" and record["attempts"] == 1
    assert "desk-token-123456" not in json.dumps(state(config))  # the URL's secret stays out of the state


def test_a_failed_post_is_retried_and_what_went_through_is_not_sent_again(tmp_path):
    with Receiver(status=500) as down, Receiver() as up:
        failing = f"json://127.0.0.1:{down.port}/hook/secret-token-abcdef"
        working = f"json://127.0.0.1:{up.port}/hook"
        config = notify_config(tmp_path, working, failing)
        write_day(config, DAY)
        with pytest.raises(DeliveryError) as caught:
            deliver.send(config, [DAY])
        message = str(caught.value)
        assert message.startswith(f"not posted for 2022-04-01: json://127.0.0.1:{down.port}/…: Failed to send "
                                  "JSON POST notification: Internal server error., error=500.;")
        assert message.endswith("the briefing files stay in place and the next 'briefing send' or "
                                "'briefing run --send' retries")
        assert "secret-token-abcdef" not in message
        assert state(config)["status"] == "failed"
        assert state(config)["channels"][channel_key(failing)]["status"] == "failed"
        down.status = 200
        assert deliver.send(config).sent == [DAY]  # the date is still pending: the next send retries it
    assert len(up.requests) == 1  # not twice
    assert len(down.requests) >= 2  # not lost (apprise may try more than once)
    assert state(config)["status"] == "sent"
    assert state(config)["channels"][channel_key(failing)]["attempts"] == 2


def test_an_unknown_notify_scheme_is_a_delivery_error(tmp_path):
    config = notify_config(tmp_path, "nosuchservice://token")
    write_day(config, DAY)
    with pytest.raises(DeliveryError, match=r"deliver.notify: not a URL apprise knows: nosuchservice://…"):
        deliver.send(config, [DAY])


def test_email_and_chat_share_the_state_a_down_smtp_server_keeps_only_email_pending(tmp_path):
    port = free_port()
    with Receiver() as hook:
        config = dataclasses.replace(
            notify_config(tmp_path, f"json://127.0.0.1:{hook.port}/"),
            smtp=SmtpConfig(host="127.0.0.1", port=port, security="none", sender="briefing@example.org",
                            recipients=("desk@example.org",), timeout=5.0))
        write_day(config, DAY)
        with pytest.raises(DeliveryError, match="^email not sent for 2022-04-01 via 127.0.0.1:"):
            deliver.send(config, [DAY])
        controller, recorder = start_server("none", port=port)
        try:
            assert deliver.send(config).sent == [DAY]
        finally:
            controller.stop()
    assert len(hook.requests) == 1 and len(recorder.messages) == 1
    channels = state(config)["channels"]
    assert channels["email"]["status"] == "sent" and channels["email"]["attempts"] == 2


# ------------------------------------------------------------------------------------- lists and nothing new


def test_lists_get_their_themes_sections_or_the_whole_briefing(tmp_path):
    controller, recorder = start_server("none")
    try:
        lists = (MailingList("aid-desk", ("aid@example.org",), ("humanitarian",)),
                 MailingList("editors", ("chief@example.org",)))
        config = Config(output=tmp_path / "out", smtp=SmtpConfig(
            host="127.0.0.1", port=controller.port, security="none", sender="briefing@example.org",
            recipients=("desk@example.org",), timeout=5.0, lists=lists))
        folder, _ = write_day(config, DAY)
        (folder / "briefing.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
        assert deliver.send(config, [DAY]).sent == [DAY]
        assert deliver.send(config, [DAY]).sent == []
    finally:
        controller.stop()
    by_rcpt = {tuple(rcpt): msg for rcpt, msg in recorder.messages}
    assert sorted(by_rcpt) == [("aid@example.org",), ("chief@example.org",), ("desk@example.org",)]
    aid = by_rcpt[("aid@example.org",)]
    assert aid["Subject"] == "Ukraine daily briefing: Humanitarian — 2022-04-01"
    text = aid.get_body(("plain",)).get_content()
    assert "## Humanitarian" in text and "Red Cross and SES vehicles" in text
    assert "## Negotiations" not in text and "Sergei Lavrov said" not in text
    assert "news.example.com" in text and "Desk Monitor" in text  # the sources it cites, and only those
    assert "## Key figures" not in text
    assert list(aid.iter_attachments()) == []
    whole = by_rcpt[("chief@example.org",)]
    assert "## Negotiations" in whole.get_body(("plain",)).get_content()
    assert [a.get_filename() for a in whole.iter_attachments()] == ["briefing-2022-04-01.pdf"]
    assert set(state(config)["channels"]) == {"email", "list:aid-desk", "list:editors"}


def test_a_day_with_nothing_new_is_not_sent_unless_asked(tmp_path):
    with Receiver() as hook:
        config = notify_config(tmp_path, f"json://127.0.0.1:{hook.port}/")
        folder, briefing = write_day(config, DAY)
        write_day(config, DAY, **all_reported(briefing))
        report = deliver.send(config, [DAY])
        assert report.sent == [] and report.skipped[0][1].startswith("nothing new; json://127.0.0.1")
        assert hook.requests == []
        assert state(config)["channels"][channel_key(config.deliver.notify[0])]["status"] == "skipped"
        asked = dataclasses.replace(config, deliver=dataclasses.replace(config.deliver, send_when_nothing_new=True))
        assert deliver.send(asked, [DAY], resend=True).sent == [DAY]
    assert len(hook.requests) == 1


def test_a_theme_list_is_skipped_when_its_sections_have_nothing_new(tmp_path):
    controller, recorder = start_server("none")
    try:
        config = Config(output=tmp_path / "out", smtp=SmtpConfig(
            host="127.0.0.1", port=controller.port, security="none", sender="briefing@example.org",
            recipients=("desk@example.org",), timeout=5.0,
            lists=(MailingList("energy", ("energy@example.org",), ("sanctions",)),)))
        _, briefing = write_day(config, DAY)
        sections = tuple(dataclasses.replace(s, items=()) if s.key == "sanctions" else s for s in briefing.sections)
        write_day(config, DAY, sections=sections)
        report = deliver.send(config, [DAY])
    finally:
        controller.stop()
    assert report.sent == [DAY] and report.skipped == [(DAY, "nothing new; list energy not sent")]
    assert [rcpt for rcpt, _ in recorder.messages] == [["desk@example.org"]]


def test_config_checks_lists_notify_and_monitor():
    text = """
smtp:
  lists:
    - {name: aid, recipients: [a@example.org], themes: [humanitarian, weather]}
    - {name: aid}
deliver: {notify: [desk-chat], notify_timeout: 0}
archive: {base_url: desk.example.org, feed_entries: 0}
monitor: {url: 'ftp://x'}
"""
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("config.yaml"))
    assert caught.value.problems == [
        "smtp.lists[0].themes[1]: unknown theme 'weather' (themes: battlefield, humanitarian, negotiations, sanctions)",
        "smtp.lists[1].name: duplicate list 'aid'",
        "smtp.lists[1].recipients: at least one address is needed",
        "deliver.notify[0]: expected a URL like json://host/path or slack://..., got 'desk-chat'",
        "deliver.notify_timeout: expected a number of seconds above 0, got 0.0",
        "archive.feed_entries: expected at least 1, got 0",
        "archive.base_url: expected an http(s) URL, got 'desk.example.org'",
        "monitor.url: expected an http(s) URL, got 'ftp://x'",
    ]


# ---------------------------------------------------------------------------------------------- monitor


def test_the_ping_says_success_or_failure():
    with Receiver() as hc:
        config = Config(monitor=MonitorConfig(url=f"http://127.0.0.1:{hc.port}/ping/uuid-1", timeout=5.0))
        assert monitor.ping(config, True, "briefing for 2022-04-01: 0 warning(s)") is None
        assert monitor.ping(config, False, "error: no usable article\nin samples") is None
    assert [(m, p, b) for m, p, _, b in hc.requests] == [
        ("POST", "/ping/uuid-1", b"briefing for 2022-04-01: 0 warning(s)"),
        ("POST", "/ping/uuid-1/fail", b"error: no usable article in samples")]


def test_a_ping_that_cannot_go_through_is_a_bounded_warning():
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        config = Config(monitor=MonitorConfig(url=f"http://127.0.0.1:{silent.getsockname()[1]}/p", timeout=0.5))
        start = time.monotonic()
        warning = monitor.ping(config, True, "ok")
        assert time.monotonic() - start < 5
    assert warning.startswith("monitor.url: ping not delivered (") and "the run itself is unaffected" in warning
    down = Config(monitor=MonitorConfig(url=f"http://127.0.0.1:{free_port()}/p", timeout=2))
    assert "ConnectionRefusedError" in monitor.ping(down, False, "x") or "URLError" in monitor.ping(down, False, "x")
    assert monitor.ping(Config(), True, "no url") is None


def test_check_names_a_notify_url_apprise_does_not_know(tmp_path, capsys):
    from briefing.cli import main

    path = tmp_path / "config.yaml"
    path.write_text("output: out\npdf: {enabled: false}\ndeliver:\n  notify: ['json://127.0.0.1:9/x', "
                    "'nosuchservice://token']\n", encoding="utf-8")
    assert main(["check", "--config", str(path)]) == 2
    assert "error: deliver.notify[1]: not a URL apprise knows: nosuchservice://…\n" in capsys.readouterr().err


def test_cli_send_says_a_day_with_nothing_new_was_not_sent(tmp_path, capsys):
    from briefing.cli import main

    with Receiver() as hook:
        path = tmp_path / "config.yaml"
        path.write_text(f"output: out\ndeliver: {{notify: ['json://127.0.0.1:{hook.port}/x']}}\n", encoding="utf-8")
        config = Config(output=tmp_path / "out")
        _, briefing = write_day(config, DAY)
        write_day(config, DAY, **all_reported(briefing))
        assert main(["send", "--config", str(path)]) == 0
    assert capsys.readouterr().out == f"2022-04-01: nothing new; json://127.0.0.1:{hook.port}/… not sent\n"
    assert hook.requests == []
