// Short-lived notices for live events worth telling (a new DAG version, an
// import error appearing or clearing), announced to screen readers too.
import { useCallback, useState } from "react";

import { noticeFor } from "../live/liveEvents";
import { useLiveEvents } from "../live/LiveProvider";

interface Notice {
  id: number;
  text: string;
}

const noticeLifetimeMs = 6000;
let nextNoticeId = 1;

export function Notices() {
  const [notices, setNotices] = useState<Notice[]>([]);

  const add = useCallback((text: string) => {
    const id = nextNoticeId++;
    setNotices((list) => [...list.slice(-3), { id, text }]);
    window.setTimeout(() => setNotices((list) => list.filter((n) => n.id !== id)), noticeLifetimeMs);
  }, []);

  useLiveEvents((event) => {
    const text = noticeFor(event);
    if (text) add(text);
  });

  return (
    <div className="toasts" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className="toast">
          {n.text}
        </div>
      ))}
    </div>
  );
}
