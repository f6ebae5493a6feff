// One try's log: loaded whole, then tailed with continuation tokens while
// the try runs; follows the end unless the user scrolls up; stdout, stderr
// and Lite's own lines look different and can be filtered.
import { useEffect, useRef, useState } from "react";

import { ApiError } from "../../api/client";
import { fetchLog } from "../../api/queries";
import { applyLogResponse, emptyLogTail, formatLogTime, type LogStream, type LogTail } from "../../state/logTail";

const tailIntervalMs = 1000;
const followSlackPx = 24;

interface LogViewerProps {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
  tryNumber: number;
  running: boolean;
}

export function LogViewer({ dagId, runId, taskId, mapIndex, tryNumber, running }: LogViewerProps) {
  const [tail, setTail] = useState<LogTail>(emptyLogTail);
  const [problem, setProblem] = useState<string | null>(null);
  const [follow, setFollow] = useState(true);
  const [filter, setFilter] = useState<"all" | LogStream>("all");
  const box = useRef<HTMLDivElement>(null);
  const tailRef = useRef<LogTail>(emptyLogTail);

  // Load, then keep asking for more while the try runs (one last time after).
  useEffect(() => {
    tailRef.current = emptyLogTail;
    setTail(emptyLogTail);
    setProblem(null);
    const controller = new AbortController();
    let timer: number | undefined;
    let stopped = false;

    const load = async () => {
      const sent = tailRef.current.token;
      try {
        const response = await fetchLog(dagId, runId, taskId, mapIndex, tryNumber, sent, controller.signal);
        if (stopped) return;
        tailRef.current = applyLogResponse(tailRef.current, response, sent);
        setTail(tailRef.current);
        setProblem(null);
      } catch (e) {
        if (stopped) return;
        setProblem(e instanceof ApiError && e.status === 404 ? "No log yet." : (e as Error).message);
      }
      if (running && !stopped) timer = window.setTimeout(load, tailIntervalMs);
    };
    void load();
    return () => {
      stopped = true;
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [dagId, runId, taskId, mapIndex, tryNumber, running]);

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [tail, follow, filter]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const atEnd = el.scrollHeight - el.scrollTop - el.clientHeight < followSlackPx;
    if (atEnd !== follow) setFollow(atEnd);
  };

  const lines = filter === "all" ? tail.lines : tail.lines.filter((l) => l.stream === filter || l.heading);
  return (
    <>
      <div className="log-tools">
        <label>
          Show{" "}
          <select value={filter} onChange={(e) => setFilter(e.target.value as "all" | LogStream)} aria-label="Which output to show">
            <option value="all">everything</option>
            <option value="stdout">stdout</option>
            <option value="stderr">stderr</option>
            <option value="system">Lite's lines</option>
          </select>
        </label>
        <label>
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow the end
        </label>
        {running ? <span className="muted" role="status">Live: the try is running</span> : null}
        <span className="muted">{tail.lines.length} lines</span>
      </div>
      <div className="log mono" ref={box} onScroll={onScroll} data-testid="log" tabIndex={0} aria-label={`Log of try ${tryNumber}`}>
        {problem && tail.lines.length === 0 ? <div className="log-line muted">{problem}</div> : null}
        {lines.map((line) => (
          <div key={line.key} className={`log-line${line.heading ? " heading" : ""}`} data-stream={line.stream} data-level={line.level ?? undefined}>
            <span className="time">{formatLogTime(line.timestamp)}</span>
            <span className="stream">{line.heading ? "" : line.stream === "system" ? "lite" : line.stream}</span>
            <span className="text">{line.text}</span>
          </div>
        ))}
      </div>
    </>
  );
}
