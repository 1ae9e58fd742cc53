// Who is signed in. The first /api/auth/me also gives the browser its csrftoken cookie.
import { create } from "zustand";
import { api } from "../api/client";

interface SessionState {
  checked: boolean;
  username: string | null;
  refresh(): Promise<void>;
  login(username: string, password: string): Promise<void>;
  signup(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
}

export const useSession = create<SessionState>()((set) => ({
  checked: false,
  username: null,
  async refresh() {
    try {
      const me = await api.me();
      set({ checked: true, username: me.authenticated ? (me.username ?? null) : null });
    } catch {
      set({ checked: true, username: null });
    }
  },
  async login(username, password) {
    await ensureCsrf();
    const me = await api.login(username, password);
    set({ username: me?.username ?? username });
  },
  async signup(username, password) {
    await ensureCsrf();
    const me = await api.signup(username, password);
    set({ username: me?.username ?? username });
  },
  async logout() {
    await api.logout();
    set({ username: null });
  },
}));

async function ensureCsrf() {
  if (!document.cookie.includes("csrftoken=")) {
    try {
      await api.me();
    } catch {
      // the request below will say what is wrong
    }
  }
}
