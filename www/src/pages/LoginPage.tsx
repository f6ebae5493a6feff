// Sign-in, shown when the server answers 401: posts the credentials to
// /auth/login, which sets the HttpOnly session cookie and the CSRF cookie,
// then returns to the page the user was on.
import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";

import { api } from "../api/client";
import { LiteBadge } from "../components/Layout";
import { ErrorBanner } from "../components/Status";
import { useTitle } from "../components/useTitle";

// Only local paths: never send the user to another site after signing in.
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.includes("\\")) return "/";
  return next;
}

export function LoginPage() {
  useTitle("Sign in");
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post("/auth/login", { username, password });
      await queryClient.invalidateQueries();
      navigate(safeNext(search.get("next")), { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card login" onSubmit={submit} aria-label="Sign in">
      <h1>
        Leoflow <LiteBadge />
      </h1>
      <p className="muted">Sign in to continue.</p>
      <div className="field">
        <label htmlFor="login-username">Username</label>
        <input id="login-username" type="text" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
      </div>
      <div className="field">
        <label htmlFor="login-password">Password</label>
        <input id="login-password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
      </div>
      {error ? <ErrorBanner error={error} /> : null}
      <button type="submit" className="btn primary" disabled={busy}>
        Sign in
      </button>
    </form>
  );
}
