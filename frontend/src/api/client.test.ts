import { afterEach, describe, expect, it, vi } from "vitest";
import { api, ApiError, filenameFrom, readCookie, safeName } from "./client";

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("api client helpers", () => {
  it("reads cookies", () => {
    expect(readCookie("csrftoken", "sessionid=1; csrftoken=abc%3D; x=y")).toBe("abc=");
    expect(readCookie("csrftoken", "x=y")).toBeNull();
  });

  it("reads attachment filenames", () => {
    expect(filenameFrom('attachment; filename="mnist_mlp.py"', "x")).toBe("mnist_mlp.py");
    expect(filenameFrom("attachment; filename*=UTF-8''m%20n.keras", "x")).toBe("m n.keras");
    expect(filenameFrom(null, "model.json")).toBe("model.json");
  });

  it("makes safe file names", () => {
    expect(safeName("mnist mlp!")).toBe("mnist_mlp");
    expect(safeName("")).toBe("model");
  });
});

describe("requests", () => {
  it('sends CSRF on unsafe methods and reads {"detail"} errors', async () => {
    vi.stubGlobal("document", { cookie: "csrftoken=tok" });
    const fetchMock = vi.fn(
      async () => new Response(JSON.stringify({ detail: "bad graph" }), { status: 400 }),
    );
    vi.stubGlobal("fetch", fetchMock);
    const error = await api
      .createProject("p", { version: 1, name: "p", nodes: [], edges: [] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe("bad graph");
    expect(error.status).toBe(400);
    const [path, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(path).toBe("/api/projects");
    expect(init.method).toBe("POST");
    expect((init.headers as Record<string, string>)["X-CSRFToken"]).toBe("tok");
    expect(init.credentials).toBe("same-origin");
  });

  it("names exported files from Content-Disposition", async () => {
    vi.stubGlobal("document", { cookie: "" });
    vi.stubGlobal(
      "fetch",
      vi.fn(
        async () =>
          new Response("print(1)", {
            status: 200,
            headers: { "Content-Disposition": 'attachment; filename="mnist_mlp.py"' },
          }),
      ),
    );
    const out = await api.exportGraph({ version: 1, name: "mnist_mlp", nodes: [], edges: [] }, "python");
    expect(out.filename).toBe("mnist_mlp.py");
    expect(await out.blob.text()).toBe("print(1)");
  });
});
