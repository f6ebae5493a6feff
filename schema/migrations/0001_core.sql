-- The core of the store: DAGs and their versions, runs, task instances with
-- per-try history, XCom, import errors, warnings, the event log, variables
-- and connections. Everything a DAG owns cascades from `dag`, so a single
-- DELETE FROM dag removes it whole. {{id}} is the backend's auto-increment
-- primary key; timestamps are fixed-width UTC text (sortable); JSON is text.

CREATE TABLE dag (
    dag_id TEXT PRIMARY KEY,
    is_paused INTEGER NOT NULL DEFAULT 0,
    is_stale INTEGER NOT NULL DEFAULT 0,
    fileloc TEXT NOT NULL,
    relative_fileloc TEXT,
    bundle_name TEXT,
    project_dir TEXT,
    description TEXT,
    timetable_summary TEXT,
    timetable_description TEXT,
    schedule TEXT,
    owners TEXT NOT NULL DEFAULT 'airflow',
    max_active_runs INTEGER NOT NULL DEFAULT 16,
    max_active_tasks INTEGER NOT NULL DEFAULT 16,
    max_consecutive_failed_dag_runs INTEGER NOT NULL DEFAULT 0,
    has_task_concurrency_limits INTEGER NOT NULL DEFAULT 0,
    last_parsed_time TEXT,
    last_parse_duration REAL,
    next_dagrun_logical_date TEXT,
    next_dagrun_data_interval_start TEXT,
    next_dagrun_data_interval_end TEXT,
    next_dagrun_run_after TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE dag_tag (
    dag_id TEXT NOT NULL REFERENCES dag (dag_id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    PRIMARY KEY (dag_id, name)
);

CREATE TABLE dag_version (
    id {{id}},
    uuid TEXT NOT NULL UNIQUE,
    dag_id TEXT NOT NULL REFERENCES dag (dag_id) ON DELETE CASCADE,
    version_number INTEGER NOT NULL,
    spec_hash TEXT NOT NULL,
    spec TEXT NOT NULL,
    source_code TEXT NOT NULL,
    bundle_name TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (dag_id, version_number)
);

CREATE TABLE dag_run (
    id {{id}},
    dag_id TEXT NOT NULL REFERENCES dag (dag_id) ON DELETE CASCADE,
    run_id TEXT NOT NULL,
    dag_version_id INTEGER NOT NULL REFERENCES dag_version (id) ON DELETE CASCADE,
    run_type TEXT NOT NULL,
    state TEXT NOT NULL,
    logical_date TEXT,
    data_interval_start TEXT,
    data_interval_end TEXT,
    run_after TEXT NOT NULL,
    queued_at TEXT,
    start_date TEXT,
    end_date TEXT,
    conf TEXT NOT NULL DEFAULT '{}',
    note TEXT,
    triggered_by TEXT,
    triggering_user_name TEXT,
    last_scheduling_decision TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (dag_id, run_id)
);
CREATE UNIQUE INDEX dag_run_logical_date ON dag_run (dag_id, logical_date) WHERE logical_date IS NOT NULL;
CREATE INDEX dag_run_state ON dag_run (state);

CREATE TABLE task_instance (
    id {{id}},
    uuid TEXT NOT NULL UNIQUE,
    dag_run_id INTEGER NOT NULL REFERENCES dag_run (id) ON DELETE CASCADE,
    dag_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    map_index INTEGER NOT NULL DEFAULT -1,
    state TEXT,
    try_number INTEGER NOT NULL DEFAULT 0,
    max_tries INTEGER NOT NULL DEFAULT 0,
    operator TEXT,
    operator_name TEXT,
    pool TEXT NOT NULL DEFAULT 'default_pool',
    pool_slots INTEGER NOT NULL DEFAULT 1,
    queue TEXT NOT NULL DEFAULT 'default',
    priority_weight INTEGER NOT NULL DEFAULT 1,
    start_date TEXT,
    end_date TEXT,
    duration REAL,
    scheduled_dttm TEXT,
    queued_dttm TEXT,
    next_retry_at TEXT,
    hostname TEXT,
    unixname TEXT,
    pid INTEGER,
    executor TEXT,
    rendered_fields TEXT,
    rendered_map_index TEXT,
    note TEXT,
    dag_version_id INTEGER,
    updated_at TEXT NOT NULL,
    UNIQUE (dag_run_id, task_id, map_index)
);
CREATE INDEX task_instance_state ON task_instance (state);
CREATE INDEX task_instance_dag ON task_instance (dag_id, task_id);

CREATE TABLE task_instance_history (
    id {{id}},
    task_instance_id INTEGER NOT NULL REFERENCES task_instance (id) ON DELETE CASCADE,
    try_number INTEGER NOT NULL,
    state TEXT,
    start_date TEXT,
    end_date TEXT,
    duration REAL,
    hostname TEXT,
    unixname TEXT,
    pid INTEGER,
    executor TEXT,
    operator TEXT,
    operator_name TEXT,
    pool TEXT,
    pool_slots INTEGER,
    queue TEXT,
    priority_weight INTEGER,
    max_tries INTEGER,
    scheduled_dttm TEXT,
    queued_dttm TEXT,
    dag_version_id INTEGER,
    UNIQUE (task_instance_id, try_number)
);

CREATE TABLE xcom (
    id {{id}},
    dag_run_id INTEGER NOT NULL REFERENCES dag_run (id) ON DELETE CASCADE,
    task_id TEXT NOT NULL,
    map_index INTEGER NOT NULL DEFAULT -1,
    xcom_key TEXT NOT NULL,
    value TEXT,
    timestamp TEXT NOT NULL,
    UNIQUE (dag_run_id, task_id, map_index, xcom_key)
);

CREATE TABLE import_error (
    id {{id}},
    filename TEXT NOT NULL UNIQUE,
    bundle_name TEXT,
    stack_trace TEXT NOT NULL,
    timestamp TEXT NOT NULL
);

CREATE TABLE dag_warning (
    dag_id TEXT NOT NULL REFERENCES dag (dag_id) ON DELETE CASCADE,
    warning_type TEXT NOT NULL,
    message TEXT NOT NULL,
    timestamp TEXT NOT NULL
);

-- The audit trail outlives what it describes, as in Airflow: no cascade.
CREATE TABLE event_log (
    id {{id}},
    dttm TEXT NOT NULL,
    dag_id TEXT,
    task_id TEXT,
    run_id TEXT,
    map_index INTEGER,
    try_number INTEGER,
    event TEXT NOT NULL,
    owner TEXT,
    extra TEXT,
    logical_date TEXT
);
CREATE INDEX event_log_dag ON event_log (dag_id);

CREATE TABLE variable (
    id {{id}},
    var_key TEXT NOT NULL UNIQUE,
    val TEXT,
    description TEXT
);

CREATE TABLE connection (
    id {{id}},
    conn_id TEXT NOT NULL UNIQUE,
    conn_type TEXT NOT NULL,
    description TEXT,
    host TEXT,
    schema_name TEXT,
    login TEXT,
    password TEXT,
    port INTEGER,
    extra TEXT
);
