// A task try's log as lines, built from the logs API (structured messages or
// plain strings) and grown by continuation tokens while the try runs. Each
// line knows whether it came from the task's stdout, its stderr, or Lite
// itself (start and end lines).
import type { LogMessage, LogResponse } from "../api/types";

export type LogStream = "stdout" | "stderr" | "system";

export interface LogLine {
  key: number;
  timestamp: string | null;
  level: string | null;
  stream: LogStream;
  text: string;
  // "::group::name" markers become headings.
  heading: boolean;
}

export interface LogTail {
  lines: LogLine[];
  token: string | null;
}

export const emptyLogTail: LogTail = { lines: [], token: null };

function streamOf(message: LogMessage): LogStream {
  const hints = [message.stream, message.logger, message.source, message.chan]
    .filter((v): v is string => typeof v === "string")
    .map((v) => v.toLowerCase());
  if (hints.some((h) => h === "stderr" || h.endsWith(".stderr"))) return "stderr";
  if (hints.some((h) => h === "stdout" || h.endsWith(".stdout"))) return "stdout";
  return "system";
}

export function toLogLine(entry: LogMessage | string, key: number): LogLine | null {
  if (typeof entry === "string") {
    return { key, timestamp: null, level: null, stream: "system", text: entry, heading: false };
  }
  const text = typeof entry.event === "string" ? entry.event : JSON.stringify(entry.event);
  if (text.startsWith("::endgroup::")) return null;
  const heading = text.startsWith("::group::");
  return {
    key,
    timestamp: typeof entry.timestamp === "string" ? entry.timestamp : null,
    level: typeof entry.level === "string" ? entry.level : null,
    stream: streamOf(entry),
    text: heading ? text.slice("::group::".length) : text,
    heading,
  };
}

// The log after one more response. `sentToken` is the token that request
// carried: with one the response holds only what is new; without one (or
// when the server gives no token) it is the whole log.
export function applyLogResponse(tail: LogTail, response: LogResponse, sentToken: string | null): LogTail {
  const append = sentToken !== null && response.continuation_token !== null;
  const base = append ? tail.lines : [];
  let key = base.length > 0 ? base[base.length - 1].key + 1 : 0;
  const lines = [...base];
  for (const entry of response.content) {
    const line = toLogLine(entry, key);
    if (!line) continue;
    lines.push(line);
    key += 1;
  }
  return { lines, token: response.continuation_token ?? null };
}

export function formatLogTime(timestamp: string | null): string {
  if (!timestamp) return "";
  const date = new Date(timestamp);
  if (Number.isNaN(date.getTime())) return timestamp;
  return date.toISOString().slice(11, 23);
}
