"""email_on_failure / email_on_retry: Airflow's alert email, sent with smtplib through the
`smtp_default` connection (the server's, else AIRFLOW_CONN_SMTP_DEFAULT). When it cannot be sent,
the task log says why; the try's state never depends on it."""
from leoflow.errors import AirflowNotFoundException
from leoflow.models import Connection
from leoflow.tasklog import TaskLogger

log = TaskLogger("airflow.task")
CONN_ID = "smtp_default"


def _recipients(email):
    if isinstance(email, str):
        email = email.replace(";", ",").split(",")
    return [address.strip() for address in email if address and address.strip()]


def _message(task, ti, error, retrying, sender, recipients):
    from email.message import EmailMessage
    state = "up_for_retry" if retrying else "failed"
    message = EmailMessage()
    message["Subject"] = f"Airflow alert: <TaskInstance: {ti.dag_id}.{ti.task_id} {ti.run_id} [{state}]>"
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    kind = "Retry" if retrying else "Failure"
    message.set_content(
        f"Try {ti.try_number} out of {ti.max_tries + 1}\n"
        f"{kind} of task {ti.task_id} in DAG {ti.dag_id}, run {ti.run_id}, map index {ti.map_index}\n"
        f"Exception:\n{type(error).__name__}: {error}\n")
    return message


def send_failure_email(task, ti, error, retrying):
    recipients = _recipients(task.email)
    if not recipients:
        return
    try:
        conn = Connection.get(CONN_ID)
    except AirflowNotFoundException:
        log.warning("Email alert not sent: the %s connection is not defined (define it in the server or "
                    "as AIRFLOW_CONN_SMTP_DEFAULT, e.g. smtp://user:password@mail.example.com:587)", CONN_ID)
        return
    if not conn.host:
        log.warning("Email alert not sent: the %s connection has no host", CONN_ID)
        return
    extra = conn.extra_dejson
    sender = extra.get("from_email") or conn.login or "airflow@localhost"
    import smtplib
    timeout = float(extra.get("timeout", 30))
    use_ssl = not _flag(extra.get("disable_ssl", conn.port != 465 and conn.port is not None))
    try:
        if use_ssl:
            client = smtplib.SMTP_SSL(conn.host, conn.port or 465, timeout=timeout)
        else:
            client = smtplib.SMTP(conn.host, conn.port or 25, timeout=timeout)
        with client:
            client.ehlo()
            if not use_ssl and not _flag(extra.get("disable_tls", False)) and client.has_extn("starttls"):
                client.starttls()
                client.ehlo()
            if conn.login:
                client.login(conn.login, conn.password or "")
            client.send_message(_message(task, ti, error, retrying, sender, recipients))
    except (OSError, smtplib.SMTPException) as failure:
        log.warning("Email alert not sent through %s (%s:%s): %s", CONN_ID, conn.host, conn.port, failure)
        return
    log.info("Sent an alert email to %s", ", ".join(recipients))


def _flag(value):
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
