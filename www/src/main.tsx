// Entry point: applies the remembered theme before the first paint and
// mounts the app.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";
import { applyTheme } from "./components/theme";
import "./styles/app.css";

const stored = window.localStorage.getItem("leoflow-theme");
applyTheme(stored === "dark" || stored === "light" ? stored : window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light");

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
