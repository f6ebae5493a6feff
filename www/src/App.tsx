// The routes of the UI and what every page shares: data fetching, the live
// event stream, and the sign-in redirect on 401.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useState } from "react";
import { BrowserRouter, Route, Routes, useLocation, useNavigate } from "react-router-dom";

import { ApiError, onUnauthorized } from "./api/client";
import { Layout } from "./components/Layout";
import { LiveProvider } from "./live/LiveProvider";
import { DagPage } from "./pages/dag/DagPage";
import { RunPage } from "./pages/dag/RunPage";
import { DagListPage } from "./pages/DagListPage";
import { HomePage } from "./pages/HomePage";
import { LoginPage } from "./pages/LoginPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { TaskInstancePage } from "./pages/task/TaskInstancePage";

const IdePage = lazy(() => import("./ide/IdePage"));

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Live events say when data changes; refetch on focus as a backstop.
        staleTime: 5_000,
        retry: (failures, error) => !(error instanceof ApiError && error.status < 500) && failures < 2,
      },
    },
  });
}

function SignInRedirect() {
  const navigate = useNavigate();
  useEffect(() => {
    onUnauthorized(() => {
      if (window.location.pathname === "/login") return;
      const next = window.location.pathname + window.location.search;
      navigate(`/login?next=${encodeURIComponent(next)}`, { replace: true });
    });
    return () => onUnauthorized(null);
  }, [navigate]);
  return null;
}

function Pages() {
  const { pathname } = useLocation();
  if (pathname === "/login") return <LoginPage />;
  return (
    <LiveProvider>
      <Layout>
        <Routes>
          <Route path="/" element={<HomePage />} />
          <Route path="/dags" element={<DagListPage />} />
          <Route path="/dags/:dagId" element={<DagPage />} />
          <Route path="/dags/:dagId/:tab" element={<DagPage />} />
          <Route path="/dags/:dagId/runs/:runId" element={<RunPage />} />
          <Route path="/dags/:dagId/runs/:runId/tasks/:taskId" element={<TaskInstancePage />} />
          <Route
            path="/ide"
            element={
              <Suspense fallback={<p className="muted">Loading the editor…</p>}>
                <IdePage />
              </Suspense>
            }
          />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Layout>
    </LiveProvider>
  );
}

export function App() {
  const [queryClient] = useState(makeQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <SignInRedirect />
        <Pages />
      </BrowserRouter>
    </QueryClientProvider>
  );
}
