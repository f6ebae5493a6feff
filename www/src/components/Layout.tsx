// The frame of every page: the nav rail (brand with the LITE badge, Home,
// Dags, the IDE, theme, user menu), a top bar with breadcrumbs and the live
// channel's status, and the page itself.
import { useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link, NavLink, useLocation, useNavigate } from "react-router-dom";

import { api } from "../api/client";
import { useMe } from "../api/queries";
import { useLiveStatus } from "../live/LiveProvider";
import { CodeIcon, DagsIcon, HomeIcon, LogOutIcon, MoonIcon, SunIcon, UserIcon } from "./Icons";
import { Notices } from "./Notices";
import { useTheme } from "./theme";

export function LiteBadge() {
  return (
    <span className="lite-badge" data-testid="lite-badge" title="Leoflow Lite: a local development server, not a production Airflow">
      LITE
    </span>
  );
}

function Breadcrumbs() {
  const { pathname } = useLocation();
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const crumbs: Array<{ label: string; to?: string }> = [];
  if (parts[0] === "dags") {
    crumbs.push({ label: "Dags", to: "/dags" });
    if (parts[1]) crumbs.push({ label: parts[1], to: `/dags/${encodeURIComponent(parts[1])}` });
    if (parts[2] === "runs" && parts[3])
      crumbs.push({ label: parts[3], to: `/dags/${encodeURIComponent(parts[1])}/runs/${encodeURIComponent(parts[3])}` });
    if (parts[4] === "tasks" && parts[5]) crumbs.push({ label: parts[5] });
  } else {
    crumbs.push({ label: "Home" });
  }
  return (
    <nav className="crumbs" aria-label="Breadcrumbs">
      {crumbs.map((c, i) => (
        <span key={i}>
          {i > 0 ? " / " : ""}
          {c.to && i < crumbs.length - 1 ? <Link to={c.to}>{c.label}</Link> : <span>{c.label}</span>}
        </span>
      ))}
    </nav>
  );
}

function LiveStatus() {
  const status = useLiveStatus();
  const text = status === "live" ? "Live" : status === "polling" ? "Polling" : "Connecting";
  const title =
    status === "live"
      ? "Updates arrive as they happen"
      : "The live channel is down; the page refreshes every few seconds";
  return (
    <span className="live-status" data-status={status} title={title} data-testid="live-status">
      <span className="dot" />
      {text}
    </span>
  );
}

function UserMenu() {
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  if (!me.data?.auth_enabled) return null;
  const logout = async () => {
    await api.post("/auth/logout");
    queryClient.clear();
    navigate("/login");
  };
  return (
    <>
      <span className="rail-link" title={`Signed in as ${me.data.username ?? ""} (${me.data.role})`}>
        <UserIcon />
        <span>{me.data.username}</span>
      </span>
      <button type="button" className="rail-link" onClick={logout}>
        <LogOutIcon />
        <span>Log out</span>
      </button>
    </>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const [theme, toggleTheme] = useTheme();
  return (
    <div className="app">
      <nav className="rail" aria-label="Main">
        <Link to="/" className="brand" aria-label="Leoflow Lite home">
          <img src="/favicon.svg" alt="" />
          <LiteBadge />
        </Link>
        <NavLink to="/" end className={({ isActive }) => `rail-link${isActive ? " active" : ""}`}>
          <HomeIcon />
          <span>Home</span>
        </NavLink>
        <NavLink to="/dags" className={({ isActive }) => `rail-link${isActive ? " active" : ""}`}>
          <DagsIcon />
          <span>Dags</span>
        </NavLink>
        <a href="/ide" className="rail-link" data-testid="ide-link">
          <CodeIcon />
          <span>IDE</span>
        </a>
        <div className="spacer" />
        <button
          type="button"
          className="rail-link"
          onClick={toggleTheme}
          aria-label={theme === "dark" ? "Switch to the light theme" : "Switch to the dark theme"}
        >
          {theme === "dark" ? <SunIcon /> : <MoonIcon />}
          <span>{theme === "dark" ? "Light" : "Dark"}</span>
        </button>
        <UserMenu />
      </nav>
      <div className="main">
        <header className="topbar">
          <Breadcrumbs />
          <LiveStatus />
        </header>
        <main className="page">{children}</main>
      </div>
      <Notices />
    </div>
  );
}
