"""An Airflow 2 style DAG: a cron schedule, classic operators, a fan-out and
a templated bash command."""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import PythonOperator


def summarise(**context):
    print(f"summarising the run {context['run_id']}")
    return {"rows": 128}


with DAG(
    dag_id="nightly_report",
    schedule="30 2 * * *",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    default_args={"owner": "analytics", "retries": 1, "retry_delay": timedelta(seconds=5)},
    tags=["example", "bash"],
    description="Exports two tables, then summarises them.",
) as dag:
    begin = EmptyOperator(task_id="begin")
    export_users = BashOperator(task_id="export_users", bash_command="echo exporting users for {{ ds }}")
    export_orders = BashOperator(task_id="export_orders", bash_command="echo exporting orders for {{ ds }}")
    summary = PythonOperator(task_id="summarise", python_callable=summarise)
    begin >> [export_users, export_orders] >> summary
