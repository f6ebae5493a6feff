// A run's or task instance's state as a coloured pill with its name.
import { normalizeState, stateColors, stateLabel } from "../state/states";

export function StateBadge({ state }: { state: string | null | undefined }) {
  const key = normalizeState(state);
  const color = stateColors[key] ?? "#808080";
  return (
    <span className="state-badge" data-state={key} style={{ background: key === "no_status" ? "transparent" : color }}>
      <span className="swatch" />
      {stateLabel(state)}
    </span>
  );
}
