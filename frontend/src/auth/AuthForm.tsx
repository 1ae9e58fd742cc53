import { useState, type FormEvent } from "react";
import "./auth.css";
import { useSession } from "./session";

export function AuthForm({ onDone }: { onDone?: () => void }) {
  const login = useSession((s) => s.login);
  const signup = useSession((s) => s.signup);
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(mode: "login" | "signup", event?: FormEvent) {
    event?.preventDefault();
    if (!username || !password) {
      setError("enter a username and a password");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await (mode === "login" ? login(username, password) : signup(username, password));
      setPassword("");
      onDone?.();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="auth-form" onSubmit={(e) => submit("login", e)} data-testid="auth-form">
      <label>
        Username
        <input
          data-testid="auth-username"
          autoComplete="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoFocus
        />
      </label>
      <label>
        Password
        <input
          data-testid="auth-password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      {error && (
        <div className="form-error" data-testid="auth-error">
          {error}
        </div>
      )}
      <div className="row">
        <button type="submit" className="primary" data-testid="auth-login" disabled={busy}>
          Log in
        </button>
        <button type="button" data-testid="auth-signup" disabled={busy} onClick={() => submit("signup")}>
          Sign up
        </button>
      </div>
    </form>
  );
}
