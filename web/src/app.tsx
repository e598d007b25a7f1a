// The shell: server state (TanStack Query), the routes (React Router), the header, and the
// sign-in form shown in place of any page while nobody is signed in. Pages load on demand, so
// CodeMirror and the Markdown renderer are fetched by the pages that use them only.
import { QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { BrowserRouter, Link, NavLink, Route, Routes } from 'react-router';
import { ApiError } from './api/client.ts';
import { SESSION_KEY, signOut, useSession } from './session.tsx';
import { SignInPage } from './pages/sign-in.tsx';

const HomePage = lazy(() => import('./pages/home.tsx'));
const CoursePage = lazy(() => import('./pages/course.tsx'));
const ExercisePage = lazy(() => import('./pages/exercise.tsx'));
const SubmissionPage = lazy(() => import('./pages/submission.tsx'));
const HelpThreadPage = lazy(() => import('./pages/help-thread.tsx'));
const InboxPage = lazy(() => import('./pages/inbox.tsx'));
const CheckPage = lazy(() => import('./pages/check.tsx'));
const NewCoursePage = lazy(() => import('./pages/course-new.tsx'));
const CourseSettingsPage = lazy(() => import('./pages/course-settings.tsx'));
const ExerciseSettingsPage = lazy(() => import('./pages/exercise-settings.tsx'));
const GraderPage = lazy(() => import('./pages/grader.tsx'));
const QueuePage = lazy(() => import('./pages/queue.tsx'));
const GradebookPage = lazy(() => import('./pages/gradebook.tsx'));
const AdminPage = lazy(() => import('./pages/admin.tsx'));
const SimilarityPage = lazy(() => import('./pages/similarity.tsx'));
const PeoplePage = lazy(() => import('./pages/people.tsx'));
const AuditPage = lazy(() => import('./pages/audit.tsx'));
const ExtensionsPage = lazy(() => import('./pages/extensions.tsx'));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      // A missing or forbidden resource will not appear by asking again.
      retry: (count, error) => count < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
    },
  },
});

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <Shell />
      </BrowserRouter>
    </QueryClientProvider>
  );
}

function Shell() {
  const { me, loading } = useSession();
  const client = useQueryClient();
  if (loading) return <p className="loading">Loading…</p>;
  if (!me) return <SignInPage />;
  const checker = me.role !== 'student';
  const leave = async () => {
    await signOut().catch(() => undefined);
    client.clear();
    client.setQueryData(SESSION_KEY, null);
  };
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/" className="brand">
          Assay
        </Link>
        <nav aria-label="Main">
          <NavLink to="/">Home</NavLink>
          {checker && <NavLink to="/inbox">Inbox</NavLink>}
          {me.role === 'admin' && <NavLink to="/admin">Admin</NavLink>}
        </nav>
        <span className="who">{me.first_name || me.username}</span>
        <button type="button" onClick={() => void leave()}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p className="loading">Loading…</p>}>
          <Routes>
            <Route path="/" element={<HomePage />} />
            <Route path="/sign-in" element={<HomePage />} />
            <Route path="/c/:id" element={<CoursePage />} />
            <Route path="/c/new" element={<NewCoursePage />} />
            <Route path="/c/:id/settings" element={<CourseSettingsPage />} />
            <Route path="/e/:id/settings" element={<ExerciseSettingsPage />} />
            <Route path="/c/:id/queue" element={<QueuePage />} />
            <Route path="/c/:id/gradebook" element={<GradebookPage />} />
            <Route path="/c/:id/people" element={<PeoplePage />} />
            <Route path="/c/:id/audit" element={<AuditPage />} />
            <Route path="/admin" element={<AdminPage />} />
            <Route path="/e/:id" element={<ExercisePage />} />
            <Route path="/e/:id/grader" element={<GraderPage />} />
            <Route path="/e/:id/similarity" element={<SimilarityPage />} />
            <Route path="/e/:id/extensions" element={<ExtensionsPage />} />
            <Route path="/s/:id" element={<SubmissionPage />} />
            <Route path="/help/:id" element={<HelpThreadPage />} />
            <Route path="/inbox" element={<InboxPage />} />
            <Route path="/check/:id" element={<CheckPage />} />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </Suspense>
      </main>
    </>
  );
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is no page here. <Link to="/">Go to your courses</Link>.
      </p>
    </section>
  );
}
