import { sharingConnections, type DispatchedContext } from "../../../provider/kube/shared-connections";

/** A request context as client-node's generated clients hand it to the auth method. */
class FakeContext implements DispatchedContext {
  dispatcher: unknown;
  headers: Record<string, string> = {};
  getDispatcher() {
    return this.dispatcher as ReturnType<DispatchedContext["getDispatcher"]>;
  }
  setDispatcher(dispatcher: unknown) {
    this.dispatcher = dispatcher;
  }
}

/** Like client-node 2.x: every call makes a new dispatcher and applies the current token. */
function fakeKubeConfig(tls: boolean) {
  let calls = 0;
  return {
    async applySecurityAuthentication(context: DispatchedContext) {
      calls += 1;
      const ctx = context as FakeContext;
      ctx.headers.Authorization = `Bearer token-${calls}`;
      if (tls) ctx.setDispatcher({ pool: calls });
    },
  };
}

describe("sharingConnections", () => {
  it("hands every call the first call's dispatcher, concurrent calls too, and still applies credentials per call", async () => {
    const kc = sharingConnections(fakeKubeConfig(true));
    const contexts = Array.from({ length: 5 }, () => new FakeContext());
    await Promise.all(contexts.slice(0, 3).map((c) => kc.applySecurityAuthentication(c)));
    for (const c of contexts.slice(3)) await kc.applySecurityAuthentication(c);
    expect(contexts.map((c) => c.dispatcher)).toEqual(Array(5).fill({ pool: 1 }));
    expect(new Set(contexts.map((c) => c.dispatcher)).size).toBe(1);
    expect(contexts.map((c) => c.headers.Authorization)).toEqual(
      [1, 2, 3, 4, 5].map((n) => `Bearer token-${n}`),
    );
  });

  it("leaves a cluster without TLS options to undici's global pool (no dispatcher set)", async () => {
    const kc = sharingConnections(fakeKubeConfig(false));
    const contexts = [new FakeContext(), new FakeContext()];
    for (const c of contexts) await kc.applySecurityAuthentication(c);
    expect(contexts.map((c) => c.dispatcher)).toEqual([undefined, undefined]);
  });

  it("keeps one pool per KubeConfig: two kubeconfigs (two clusters or users) do not share", async () => {
    const [a, b] = [sharingConnections(fakeKubeConfig(true)), sharingConnections(fakeKubeConfig(true))];
    const [ca, cb] = [new FakeContext(), new FakeContext()];
    await a.applySecurityAuthentication(ca);
    await b.applySecurityAuthentication(cb);
    expect(ca.dispatcher).not.toBe(cb.dispatcher);
  });
});
