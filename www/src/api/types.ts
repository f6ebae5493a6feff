// The shapes the UI reads: Airflow 3's public /api/v2 responses (the fields
// the UI uses) and Lite's /ui/ views (docs/ui.md).

export type DagRunState = "queued" | "running" | "success" | "failed";

export type TaskInstanceState =
  | "removed"
  | "scheduled"
  | "queued"
  | "running"
  | "success"
  | "restarting"
  | "failed"
  | "up_for_retry"
  | "up_for_reschedule"
  | "upstream_failed"
  | "skipped"
  | "deferred";

export interface DagTag {
  name: string;
  dag_id: string;
}

export interface Dag {
  dag_id: string;
  dag_display_name: string;
  is_paused: boolean;
  is_stale: boolean;
  description: string | null;
  fileloc: string;
  relative_fileloc: string | null;
  bundle_name: string | null;
  timetable_summary: string | null;
  timetable_description: string | null;
  tags: DagTag[];
  owners: string[];
  max_active_runs: number;
  max_active_tasks: number;
  has_import_errors: boolean;
  last_parsed_time: string | null;
  next_dagrun_logical_date: string | null;
  next_dagrun_run_after: string | null;
  file_token: string;
}

export interface DagCollection {
  dags: Dag[];
  total_entries: number;
}

export interface DagVersion {
  id: string;
  version_number: number;
  dag_id: string;
  bundle_name: string | null;
  bundle_version: string | null;
  created_at: string;
}

export interface ParamSpec {
  value: unknown;
  schema: Record<string, unknown>;
  description: string | null;
}

export interface DagDetails extends Dag {
  catchup: boolean;
  dag_run_timeout: string | null;
  doc_md: string | null;
  start_date: string | null;
  end_date: string | null;
  params: Record<string, ParamSpec> | null;
  default_args: Record<string, unknown> | null;
  timezone: string | null;
  active_runs_count: number;
  latest_dag_version: DagVersion | null;
}

export interface Task {
  task_id: string;
  task_display_name: string;
  owner: string;
  trigger_rule: string;
  retries: number;
  operator_name: string;
  downstream_task_ids: string[];
  is_mapped: boolean;
  doc_md: string | null;
  template_fields: string[];
}

export interface DagRun {
  dag_run_id: string;
  dag_id: string;
  logical_date: string | null;
  queued_at: string | null;
  start_date: string | null;
  end_date: string | null;
  duration: number | null;
  run_after: string;
  run_type: string;
  state: DagRunState;
  triggered_by: string | null;
  triggering_user_name: string | null;
  conf: Record<string, unknown> | null;
  note: string | null;
  dag_versions: DagVersion[];
}

export interface DagRunCollection {
  dag_runs: DagRun[];
  total_entries: number;
}

export interface TaskInstance {
  task_id: string;
  task_display_name: string;
  dag_id: string;
  dag_run_id: string;
  map_index: number;
  start_date: string | null;
  end_date: string | null;
  duration: number | null;
  state: TaskInstanceState | null;
  try_number: number;
  max_tries: number;
  operator: string | null;
  operator_name: string | null;
  hostname: string | null;
  pid: number | null;
  pool: string;
  queue: string | null;
  queued_when: string | null;
  scheduled_when: string | null;
  rendered_fields?: Record<string, unknown> | null;
  rendered_map_index?: string | null;
  note: string | null;
  dag_version: DagVersion | null;
}

export interface TaskInstanceCollection {
  task_instances: TaskInstance[];
  total_entries: number;
}

export interface LogMessage {
  event: string;
  timestamp?: string | null;
  level?: string;
  logger?: string;
  [field: string]: unknown;
}

export interface LogResponse {
  content: Array<LogMessage | string>;
  continuation_token: string | null;
}

export interface XComEntry {
  key: string;
  timestamp: string;
  map_index: number;
  task_id: string;
  run_id: string;
  value?: unknown;
}

export interface XComCollection {
  xcom_entries: XComEntry[];
  total_entries: number;
}

export interface ImportError {
  import_error_id: number;
  timestamp: string;
  filename: string;
  bundle_name: string | null;
  stack_trace: string;
}

export interface ImportErrorCollection {
  import_errors: ImportError[];
  total_entries: number;
}

export interface DagSource {
  content: string;
  dag_id: string;
  version_number: number | null;
}

export interface Me {
  auth_enabled: boolean;
  username: string | null;
  role: string;
}

// --- Lite's /ui/ views ---------------------------------------------------

export interface Dashboard {
  dags: { total: number; active: number; paused: number; failed: number; running: number };
  active_dag_runs: Record<"queued" | "running", number>;
  dag_run_states: Record<DagRunState, number>;
  task_instance_states: Record<string, number>;
  since: string;
}

export interface RunSummary {
  run_id: string;
  state: DagRunState;
  run_type: string;
  run_after: string;
  logical_date: string | null;
  start_date: string | null;
  end_date: string | null;
  version_number?: number | null;
}

export interface GridTaskInstances {
  run_id: string;
  task_id: string;
  state: TaskInstanceState | null;
  count: number;
  mapped: boolean;
  try_number: number;
  start_date: string | null;
  end_date: string | null;
}

export interface GridData {
  dag_id: string;
  dag_runs: RunSummary[];
  task_instances: GridTaskInstances[];
}

export interface StructureTaskGroup {
  group_id: string;
  label: string;
  parent: string | null;
  tooltip: string;
}

export interface StructureTask {
  task_id: string;
  label: string;
  task_group: string | null;
  operator: string | null;
  is_mapped: boolean;
  trigger_rule: string | null;
}

export interface StructureData {
  dag_id: string;
  version_number: number;
  task_groups: StructureTaskGroup[];
  tasks: StructureTask[];
  edges: Array<{ source_id: string; target_id: string }>;
}

export interface RecentRuns {
  dag_runs: Record<string, RunSummary[]>;
}
