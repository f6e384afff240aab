// Preloaded into Portkey's process by gateway.bench.ts. Portkey 1.15.2 relays a streamed answer as the
// upstream's fetch Response and appends its own headers to it; Node 20's fetch makes a response's headers
// immutable, so every streamed request failed with `TypeError: immutable` (a 500 "Something went wrong")
// and the bench had no streaming figure for Portkey. This hands Portkey a copy of a streamed response
// whose headers it may change (the same body stream, not read or buffered). JSON answers are left as they
// are, so the non-streaming figures are Portkey's unchanged.
const originalFetch = globalThis.fetch;

globalThis.fetch = async function fetchWithMutableStreamHeaders(...args) {
  const response = await originalFetch.apply(this, args);
  if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) return response;
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: new Headers(response.headers),
  });
};
