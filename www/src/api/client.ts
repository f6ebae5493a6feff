// The one way the UI talks to the server: JSON over fetch with the session
// cookie, the CSRF header on state changes, errors as ApiError with Airflow's
// `detail`, and a 401 handed to whoever shows the login page.

export const csrfCookie = "leoflow_csrf";
export const csrfHeader = "X-CSRF-Token";

export class ApiError extends Error {
  readonly status: number;
  readonly detail: unknown;

  constructor(status: number, detail: unknown) {
    super(describeDetail(status, detail));
    this.status = status;
    this.detail = detail;
  }
}

// Airflow answers errors with {"detail": "text"} or, for validation, a list
// of {loc, msg}; either becomes one readable line.
export function describeDetail(status: number, detail: unknown): string {
  if (typeof detail === "string" && detail) return detail;
  if (Array.isArray(detail)) {
    const parts = detail.map((d) => {
      if (d && typeof d === "object" && "msg" in d) {
        const loc = Array.isArray((d as { loc?: unknown[] }).loc) ? (d as { loc: unknown[] }).loc.join(".") : "";
        return loc ? `${loc}: ${String((d as { msg: unknown }).msg)}` : String((d as { msg: unknown }).msg);
      }
      return JSON.stringify(d);
    });
    if (parts.length) return parts.join("; ");
  }
  return `The server answered ${status}`;
}

export function readCookie(cookies: string, name: string): string | null {
  for (const part of cookies.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

type UnauthorizedHandler = () => void;
let unauthorizedHandler: UnauthorizedHandler | null = null;

// Set by the app: what to do when the server says the session is gone.
export function onUnauthorized(handler: UnauthorizedHandler | null): void {
  unauthorizedHandler = handler;
}

export type QueryValue = string | number | boolean | null | undefined | Array<string | number>;

export function withQuery(path: string, query?: Record<string, QueryValue>): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) value.forEach((v) => params.append(key, String(v)));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

interface RequestOptions {
  method?: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  accept?: string;
  signal?: AbortSignal;
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? "GET";
  const headers: Record<string, string> = { Accept: options.accept ?? "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && method !== "HEAD") {
    const token = readCookie(document.cookie, csrfCookie);
    if (token) headers[csrfHeader] = token;
  }
  const response = await fetch(withQuery(path, options.query), {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    credentials: "same-origin",
    signal: options.signal,
  });
  if (response.status === 401 && unauthorizedHandler && !path.startsWith("/auth/")) unauthorizedHandler();
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (!response.ok) {
    const detail = body && typeof body === "object" && "detail" in body ? (body as { detail: unknown }).detail : body;
    throw new ApiError(response.status, detail);
  }
  return body as T;
}

export const api = {
  get: <T>(path: string, query?: Record<string, QueryValue>, signal?: AbortSignal) =>
    apiRequest<T>(path, { query, signal }),
  post: <T>(path: string, body?: unknown) => apiRequest<T>(path, { method: "POST", body: body ?? {} }),
  patch: <T>(path: string, body: unknown, query?: Record<string, QueryValue>) =>
    apiRequest<T>(path, { method: "PATCH", body, query }),
  delete: <T>(path: string) => apiRequest<T>(path, { method: "DELETE" }),
};

// Path segments are encoded one by one: run ids hold ':' and '+'.
export function apiPath(...segments: Array<string | number>): string {
  return segments.map((s, i) => (i === 0 ? String(s) : encodeURIComponent(String(s)))).join("/");
}
