// What a view shows while its data loads or when the request failed.
import { ApiError } from "../api/client";

export function Loading({ what }: { what?: string }) {
  return <p className="muted" role="status">Loading{what ? ` ${what}` : ""}…</p>;
}

export function ErrorBanner({ error }: { error: unknown }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="banner-error" role="alert">
      {message}
    </div>
  );
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}
