"""Task callbacks and email alerts, through real task processes: callbacks (one or a list) run in
the try with the context as in Airflow, a failing callback is logged and changes nothing, and
email_on_failure / email_on_retry send through smtp_default to a real SMTP server on loopback."""
import email
import email.policy
import json
import socketserver
import threading

import pytest

from conftest import run_task, write_dag

CALLBACK_DAG = """
    from airflow.sdk import DAG, task
    from airflow.providers.standard.operators.empty import EmptyOperator

    def record(label):
        def callback(context):
            print(f"CB {label} {context['ti'].task_id} try={context['ti'].try_number} "
                  f"exc={type(context.get('exception')).__name__}")
        return callback

    def broken(context):
        raise RuntimeError("callback broke")

    with DAG("cbs"):
        @task(on_execute_callback=record("execute"), on_success_callback=[record("s1"), broken, record("s2")])
        def ok():
            print("BODY")
            return 1

        @task(retries=1, on_retry_callback=record("retry"), on_failure_callback=[record("failure")])
        def bad():
            raise ValueError("nope")

        @task(on_failure_callback=broken)
        def bad_broken_callback():
            raise ValueError("nope")

        @task(on_skipped_callback=record("skipped"), on_success_callback=record("never"))
        def skips():
            from airflow.exceptions import AirflowSkipException
            raise AirflowSkipException("later")

        EmptyOperator(task_id="empty_with_callback", on_success_callback=record("empty"))
        ok(); bad(); bad_broken_callback(); skips()
"""


def cb_lines(out):
    return [line for line in out.splitlines() if line.startswith(("CB ", "BODY"))]


@pytest.fixture(scope="module")
def cb_dag(tmp_path_factory):
    return write_dag(tmp_path_factory.mktemp("cbs"), CALLBACK_DAG)


def test_callbacks_run_in_order_and_a_broken_one_changes_nothing(cb_dag, tmp_path):
    code, result, out, err = run_task(cb_dag, "cbs", "ok", tmp_path)
    assert code == 0 and result["state"] == "success", err
    assert result["xcoms"] == [{"key": "return_value", "value": 1}]
    assert cb_lines(out) == ["CB execute ok try=1 exc=NoneType", "BODY", "CB s1 ok try=1 exc=NoneType",
                             "CB s2 ok try=1 exc=NoneType"]
    assert "Error when executing on_success_callback callback" in out + err
    assert "RuntimeError: callback broke" in out + err


def test_retry_then_failure_callbacks(cb_dag, tmp_path):
    code, result, out, err = run_task(cb_dag, "cbs", "bad", tmp_path, try_number=1, max_tries=1)
    assert result["state"] == "failed" and cb_lines(out) == ["CB retry bad try=1 exc=ValueError"]
    code, result, out, err = run_task(cb_dag, "cbs", "bad", tmp_path, try_number=2, max_tries=1)
    assert result["state"] == "failed" and cb_lines(out) == ["CB failure bad try=2 exc=ValueError"]


def test_a_broken_failure_callback_keeps_the_error(cb_dag, tmp_path):
    code, result, out, err = run_task(cb_dag, "cbs", "bad_broken_callback", tmp_path)
    assert code == 1 and result["error"] == "ValueError: nope"
    assert "Error when executing on_failure_callback callback" in out + err


def test_skipped_callback(cb_dag, tmp_path):
    code, result, out, err = run_task(cb_dag, "cbs", "skips", tmp_path)
    assert result["state"] == "skipped" and cb_lines(out) == ["CB skipped skips try=1 exc=NoneType"]


def test_empty_operator_with_a_callback_runs_in_a_process(cb_dag, tmp_path):
    code, result, out, err = run_task(cb_dag, "cbs", "empty_with_callback", tmp_path)
    assert result["state"] == "success" and cb_lines(out) == ["CB empty empty_with_callback try=1 exc=NoneType"]


class SmtpServer:
    """A minimal real SMTP server on loopback that keeps what it receives (no TLS, no auth checks)."""

    def __init__(self):
        self.messages = []
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, text):
                self.wfile.write((text + "\r\n").encode())

            def handle(self):
                self.reply("220 test ESMTP")
                envelope = {"from": None, "to": [], "data": "", "auth": None}
                while True:
                    line = self.rfile.readline().decode().rstrip("\r\n")
                    if not line:
                        return
                    verb = line.split(" ", 1)[0].upper()
                    if verb in ("EHLO", "HELO"):
                        self.wfile.write(b"250-test\r\n250 AUTH PLAIN\r\n")
                    elif verb == "AUTH":
                        envelope["auth"] = line
                        self.reply("235 ok")
                    elif verb == "MAIL":
                        envelope["from"] = line
                        self.reply("250 ok")
                    elif verb == "RCPT":
                        envelope["to"].append(line)
                        self.reply("250 ok")
                    elif verb == "DATA":
                        self.reply("354 go on")
                        lines = []
                        while True:
                            data = self.rfile.readline().decode()
                            if data in (".\r\n", ""):
                                break
                            lines.append(data)
                        envelope["data"] = "".join(lines)
                        owner.messages.append(dict(envelope))
                        self.reply("250 queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("250 ok")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def smtp():
    server = SmtpServer()
    yield server
    server.close()


EMAIL_DAG = """
    from airflow.sdk import DAG, task
    with DAG("mail", default_args={"email": ["ops@example.com", "dev@example.com"]}):
        @task(retries=1)
        def fails():
            raise ValueError("disk full")

        @task(retries=1, email_on_retry=False)
        def quiet_retry():
            raise ValueError("disk full")

        @task(email_on_failure=False)
        def no_email():
            raise ValueError("disk full")
        fails(); quiet_retry(); no_email()
"""


def smtp_env(port, **extra):
    conn = {"conn_type": "smtp", "host": "127.0.0.1", "port": port, "login": "alerts@example.com",
            "password": "s3cret-pw", "extra": {"disable_ssl": True, **extra}}
    return {"AIRFLOW_CONN_SMTP_DEFAULT": json.dumps(conn)}


def test_email_on_failure_is_sent_through_smtp_default(tmp_path, smtp):
    path = write_dag(tmp_path, EMAIL_DAG)
    code, result, out, err = run_task(path, "mail", "fails", tmp_path, env=smtp_env(smtp.port), try_number=2,
                                      max_tries=1)
    assert result["state"] == "failed" and result["error"] == "ValueError: disk full"
    assert len(smtp.messages) == 1, out + err
    message = smtp.messages[0]
    assert message["from"].upper().startswith("MAIL FROM:") and "<alerts@example.com>" in message["from"]
    assert [to.split(":", 1)[1].split(">")[0] for to in message["to"]] == ["<ops@example.com", "<dev@example.com"]
    mail = email.message_from_string(message["data"], policy=email.policy.default)
    assert mail["Subject"] == "Airflow alert: <TaskInstance: mail.fails manual__2026-11-28T10:00:00+00:00 [failed]>"
    assert mail["To"] == "ops@example.com, dev@example.com"
    body = mail.get_content()
    assert "Try 2 out of 2" in body and "ValueError: disk full" in body
    assert message["auth"] is not None
    assert "s3cret-pw" not in out + err, "the password is never logged"
    assert "Sent an alert email to ops@example.com, dev@example.com" in out


def test_email_on_retry_and_opting_out(tmp_path, smtp):
    path = write_dag(tmp_path, EMAIL_DAG)
    env = smtp_env(smtp.port)
    run_task(path, "mail", "fails", tmp_path, env=env, try_number=1, max_tries=1)
    assert len(smtp.messages) == 1
    assert email.message_from_string(smtp.messages[0]["data"], policy=email.policy.default)["Subject"].endswith(
        "[up_for_retry]>")
    run_task(path, "mail", "quiet_retry", tmp_path, env=env, try_number=1, max_tries=1)
    run_task(path, "mail", "no_email", tmp_path, env=env)
    assert len(smtp.messages) == 1


def test_email_without_a_connection_says_why_in_the_log(tmp_path):
    path = write_dag(tmp_path, EMAIL_DAG)
    code, result, out, err = run_task(path, "mail", "no_email", tmp_path)
    assert "Email alert" not in out
    code, result, out, err = run_task(path, "mail", "fails", tmp_path, try_number=2, max_tries=1)
    assert result["state"] == "failed" and result["error"] == "ValueError: disk full"
    assert "Email alert not sent: the smtp_default connection is not defined" in out


def test_email_to_an_unreachable_server_is_logged(tmp_path, smtp):
    path = write_dag(tmp_path, EMAIL_DAG)
    port = smtp.port
    smtp.close()
    code, result, out, err = run_task(path, "mail", "fails", tmp_path, env=smtp_env(port, timeout=5), try_number=2,
                                      max_tries=1)
    assert result["state"] == "failed" and result["error"] == "ValueError: disk full"
    assert f"Email alert not sent through smtp_default (127.0.0.1:{port})" in out
