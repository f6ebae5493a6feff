"""`airflow.providers.standard.operators.python`: PythonOperator, BranchPythonOperator, ShortCircuitOperator and the
virtualenv / external-interpreter operators."""
from leoflow.context import get_current_context
from leoflow.operators import BranchPythonOperator, PythonOperator, ShortCircuitOperator
from leoflow.venv_operators import (BranchExternalPythonOperator, BranchPythonVirtualenvOperator,
                                    ExternalPythonOperator, PythonVirtualenvOperator)

__all__ = ["BranchExternalPythonOperator", "BranchPythonOperator", "BranchPythonVirtualenvOperator",
           "ExternalPythonOperator", "PythonOperator", "PythonVirtualenvOperator", "ShortCircuitOperator",
           "get_current_context"]
