-- Which virtualenv under dev/venvs/ a DAG's tasks run in: its project's
-- (leoflow.yaml dag_id, else the folder name). NULL means the dag_id.
ALTER TABLE dag ADD COLUMN venv_name TEXT;
