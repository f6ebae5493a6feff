"""Orders in, revenue out: a TaskFlow pipeline whose tasks hand each other
their return values (XComs)."""
from datetime import datetime

from airflow.sdk import dag, task


@dag(schedule=None, start_date=datetime(2025, 1, 1), catchup=False, tags=["example", "taskflow"])
def hello_taskflow():
    @task
    def fetch_orders() -> list[dict]:
        return [
            {"sku": "kettle", "quantity": 2, "unit_price": 24.5},
            {"sku": "teapot", "quantity": 1, "unit_price": 39.0},
        ]

    @task
    def revenue(orders: list[dict]) -> float:
        return round(sum(o["quantity"] * o["unit_price"] for o in orders), 2)

    @task
    def announce(total: float) -> str:
        message = f"today's revenue: {total:.2f}"
        print(message)
        return message

    announce(revenue(fetch_orders()))


hello_taskflow()
