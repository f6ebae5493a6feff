"""`airflow.exceptions`: the exceptions DAG code raises or catches."""
from leoflow.errors import (AirflowDagCycleException, AirflowException, AirflowFailException,
                            AirflowNotFoundException, AirflowSensorTimeout, AirflowSkipException, AirflowTaskTimeout,
                            DuplicateTaskIdFound, ParamValidationError, TaskNotFound, XComNotFound)

__all__ = ["AirflowDagCycleException", "AirflowException", "AirflowFailException", "AirflowNotFoundException",
           "AirflowSensorTimeout", "AirflowSkipException", "AirflowTaskTimeout", "DuplicateTaskIdFound",
           "ParamValidationError", "TaskNotFound", "XComNotFound"]
