// The Tasks tab: the latest version's tasks with operator, trigger rule,
// retries and downstream tasks.
import { useTasks } from "../../api/queries";
import { ErrorBanner, Loading } from "../../components/Status";

export function TasksTab({ dagId }: { dagId: string }) {
  const tasks = useTasks(dagId);
  if (tasks.error) return <ErrorBanner error={tasks.error} />;
  if (!tasks.data) return <Loading what="tasks" />;
  return (
    <table className="table" data-testid="tasks-table">
      <thead>
        <tr>
          <th>Task</th>
          <th>Operator</th>
          <th>Trigger Rule</th>
          <th>Retries</th>
          <th>Downstream</th>
        </tr>
      </thead>
      <tbody>
        {tasks.data.tasks.map((task) => (
          <tr key={task.task_id}>
            <td className="mono">
              {task.task_display_name}
              {task.is_mapped ? <span className="muted"> [mapped]</span> : null}
            </td>
            <td>{task.operator_name}</td>
            <td className="mono">{task.trigger_rule}</td>
            <td className="num">{task.retries}</td>
            <td className="mono">{task.downstream_task_ids.join(", ") || <span className="muted">–</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
