// The DAG projects the browser tests write: small, quick to run, and
// covering what the UI shows (TaskFlow XComs, stdout and stderr, params, a
// task group around a mapped task, doc_md).

export const helloDag = (extraTask = false) => `"""A TaskFlow pipeline for the UI tests."""
import sys
from datetime import datetime

from airflow.sdk import dag, task


@dag(schedule=None, start_date=datetime(2025, 1, 1), catchup=False, tags=["e2e", "taskflow"],
     params={"greeting": "hello"}, doc_md="# Hello\\nSays **hello** through XCom.")
def e2e_hello():
    @task
    def say_hello() -> str:
        print("hello from the e2e test")
        print("a note on stderr", file=sys.stderr)
        return "hello"

    @task
    def shout(word: str) -> str:
        return word.upper()
${extraTask ? `
    @task
    def whisper(word: str) -> str:
        return word.lower()

    whisper(shout(say_hello()))
` : `
    shout(say_hello())
`}

e2e_hello()
`;

export const groupsDag = `"""A task group around a mapped task, for the graph and the grid."""
from datetime import datetime

from airflow.sdk import dag, task, task_group


@dag(schedule=None, start_date=datetime(2025, 1, 1), catchup=False, tags=["e2e"])
def e2e_groups():
    @task
    def numbers() -> list[int]:
        return [1, 2, 3]

    @task
    def square(x: int) -> int:
        return x * x

    @task_group
    def transform(values):
        @task
        def total(squares) -> int:
            return sum(squares)

        return total(square.expand(x=values))

    @task
    def report(n: int) -> None:
        print(f"total {n}")

    report(transform(numbers()))


e2e_groups()
`;

export const brokenHelloDag = `"""Broken on purpose: the import error card must show this."""
from airflow.sdk import dag, task

def broken(:
    pass
`;

// A task that says it is waiting, then waits for a file the test creates:
// the log can be watched growing while the try runs, with no timing guess.
export const waitingDag = (releaseFile) => `"""Waits for the test to release it, printing as it goes."""
import os
import time
from datetime import datetime

from airflow.sdk import dag, task


@dag(schedule=None, start_date=datetime(2025, 1, 1), catchup=False, tags=["e2e"])
def e2e_waiting():
    @task
    def wait_for_release() -> None:
        print("waiting for the test", flush=True)
        while not os.path.exists(${JSON.stringify(releaseFile)}):
            time.sleep(0.05)
        print("released by the test", flush=True)


    wait_for_release()


e2e_waiting()
`;
