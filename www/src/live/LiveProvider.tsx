// Keeps the page current: subscribes to GET /ui/events (Server-Sent Events),
// turns each event into query invalidations (batched per animation-ish
// frame), tells listeners (notices, the DAG page), and falls back to polling
// whatever is on screen while the stream is down.
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";

import { InvalidationBatch, invalidationsFor, liveEventTypes, parseLiveEvent, type LiveEvent } from "./liveEvents";

export type LiveStatus = "connecting" | "live" | "polling";

type Listener = (event: LiveEvent) => void;

interface LiveContextValue {
  status: LiveStatus;
  subscribe: (listener: Listener) => () => void;
}

const LiveContext = createContext<LiveContextValue>({ status: "connecting", subscribe: () => () => {} });

const flushDelayMs = 150;
const pollIntervalMs = 3000;
const reconnectDelayMs = 5000;

export function LiveProvider({ children, url = "/ui/events" }: { children: ReactNode; url?: string }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const listeners = useRef(new Set<Listener>());

  useEffect(() => {
    const batch = new InvalidationBatch();
    let flushTimer: number | undefined;
    let reconnectTimer: number | undefined;
    let source: EventSource | null = null;
    let missedEvents = false;
    let stopped = false;

    const flush = () => {
      flushTimer = undefined;
      const prefixes = batch.drain();
      if (prefixes === null) {
        void queryClient.invalidateQueries();
        return;
      }
      for (const queryKey of prefixes) void queryClient.invalidateQueries({ queryKey });
    };
    const schedule = (prefixes: ReturnType<typeof invalidationsFor>) => {
      batch.add(prefixes);
      if (flushTimer === undefined) flushTimer = window.setTimeout(flush, flushDelayMs);
    };

    const onEvent = (message: MessageEvent<string>) => {
      const event = parseLiveEvent(message.type, message.data);
      if (!event) return;
      schedule(invalidationsFor(event));
      listeners.current.forEach((listener) => listener(event));
    };

    const connect = () => {
      source = new EventSource(url);
      source.onopen = () => {
        setStatus("live");
        // Whatever happened while we were away is not in the stream.
        if (missedEvents) schedule(null);
        missedEvents = false;
      };
      source.onerror = () => {
        missedEvents = true;
        setStatus("polling");
        if (source && source.readyState === EventSource.CLOSED && !stopped) {
          // The browser gave up (an HTTP error, e.g. 401): try again later.
          source = null;
          reconnectTimer = window.setTimeout(connect, reconnectDelayMs);
        }
      };
      for (const type of liveEventTypes) source.addEventListener(type, onEvent as EventListener);
    };
    connect();

    return () => {
      stopped = true;
      source?.close();
      window.clearTimeout(flushTimer);
      window.clearTimeout(reconnectTimer);
    };
  }, [queryClient, url]);

  useEffect(() => {
    if (status !== "polling") return;
    const timer = window.setInterval(() => {
      void queryClient.invalidateQueries({ refetchType: "active" });
    }, pollIntervalMs);
    return () => window.clearInterval(timer);
  }, [queryClient, status]);

  const subscribe = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);

  const value = useMemo(() => ({ status, subscribe }), [status, subscribe]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLiveStatus(): LiveStatus {
  return useContext(LiveContext).status;
}

// Calls `listener` for every live event while the component is mounted.
export function useLiveEvents(listener: Listener): void {
  const { subscribe } = useContext(LiveContext);
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => subscribe((event) => latest.current(event)), [subscribe]);
}
