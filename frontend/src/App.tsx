import { useEffect } from 'react';
import { useSession } from './auth/session';
import { EditorPage } from './pages/EditorPage';
import { LoginPage } from './pages/LoginPage';
import { matchRoute, navigate, useRouter } from './router';
import { Toasts } from './ui/Toasts';

export function App() {
  const path = useRouter((s) => s.path);
  const route = matchRoute(path);
  useEffect(() => {
    useSession.getState().refresh();
  }, []);
  return (
    <>
      {route.page === 'editor' && <EditorPage />}
      {route.page === 'login' && <LoginPage />}
      {route.page === 'run' && (
        <div className="centered-page">
          <div className="card">
            <h2>Run {route.id}</h2>
            <p className="muted">Live training charts are coming soon.</p>
            <button onClick={() => navigate('/')}>Back to the editor</button>
          </div>
        </div>
      )}
      {route.page === 'not-found' && (
        <div className="centered-page">
          <div className="card">
            <h2>Page not found</h2>
            <button onClick={() => navigate('/')}>Open the editor</button>
          </div>
        </div>
      )}
      <Toasts />
    </>
  );
}
