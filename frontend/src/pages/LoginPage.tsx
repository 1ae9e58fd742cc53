import { AuthForm } from "../auth/AuthForm";
import { useSession } from "../auth/session";
import { navigate } from "../router";

export function LoginPage() {
  const username = useSession((s) => s.username);
  return (
    <div className="centered-page">
      <div className="card">
        <a className="brand" href="/">
          <span className="logo">K</span>
          <span className="brand-name">Keras Canvas</span>
        </a>
        {username ? (
          <p>
            Signed in as <strong>{username}</strong>.{" "}
            <button className="link" onClick={() => navigate("/")}>
              Open the editor
            </button>
          </p>
        ) : (
          <>
            <h2>Log in or sign up</h2>
            <AuthForm onDone={() => navigate("/")} />
          </>
        )}
      </div>
    </div>
  );
}
