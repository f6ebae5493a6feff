"""Leoflow Lite's authoring model: DAGs, operators, task groups and TaskFlow. The `airflow.*`
compatibility modules re-export it; the parser and the runtime read the objects it builds."""
