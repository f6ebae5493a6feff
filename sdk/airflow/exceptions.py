"""`airflow.exceptions`: the exceptions DAG code raises or catches."""
from leoflow.errors import (AirflowDagCycleException, AirflowException, AirflowFailException,
                            AirflowNotFoundException, AirflowRescheduleException, AirflowSensorTimeout,
                            AirflowSkipException, AirflowTaskTimeout, DownstreamTasksSkipped, DuplicateTaskIdFound,
                            ParamValidationError, TaskNotFound, XComNotFound)

__all__ = ["AirflowDagCycleException", "AirflowException", "AirflowFailException", "AirflowNotFoundException",
           "AirflowRescheduleException", "AirflowSensorTimeout", "AirflowSkipException", "AirflowTaskTimeout",
           "DownstreamTasksSkipped", "DuplicateTaskIdFound", "ParamValidationError", "TaskNotFound", "XComNotFound"]
