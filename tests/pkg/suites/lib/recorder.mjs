// A fetch for DataCenter({ fetch }) that records every call the package makes: method, URL,
// headers, body, the response status, and start/end times (the end is when the body has been
// read, i.e. when the request stops being in flight). `inFlight`/`maxInFlight` count requests
// open at once.
export function recorder() {
  const calls = [];
  const stats = { inFlight: 0, maxInFlight: 0 };
  const fetch = async (url, init) => {
    const call = { url: new URL(url), method: init.method, headers: { ...init.headers }, body: init.body, start: performance.now() };
    calls.push(call);
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    try {
      const res = await globalThis.fetch(url, init);
      call.status = res.status;
      const text = await res.text();
      return new Response(res.status === 204 || res.status === 304 ? null : text, { status: res.status, headers: res.headers });
    } finally {
      stats.inFlight--;
      call.end = performance.now();
    }
  };
  return { fetch, calls, stats };
}
