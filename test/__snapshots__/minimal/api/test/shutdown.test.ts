import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { get, startServer } from './helpers.ts';

describe('graceful shutdown', () => {
  it('turns readiness to 503, finishes in-flight requests, then stops accepting', async () => {
    const server = await startServer({ HELLO_DELAY_MS: '300', SHUTDOWN_DELAY_MS: '200' });
    const inFlight = get(server.port, '/api/v1/hello?name=drain');
    await new Promise((resolve) => setTimeout(resolve, 50));

    const done = server.shutdown('test');
    const ready = await get(server.port, '/readyz');
    assert.equal(ready.status, 503);
    assert.deepEqual(ready.json(), { status: 'shutting_down' });
    assert.equal((await get(server.port, '/healthz')).status, 200, 'liveness stays up while draining');

    const res = await inFlight;
    assert.equal(res.status, 200, 'the in-flight request completes');
    assert.equal(res.headers.connection, 'close');
    assert.equal(await done, 0);
    await assert.rejects(get(server.port, '/healthz'), /ECONNREFUSED/);
    assert.ok(server.logs.some((l) => l.msg === 'shutdown complete'));
  });

  it('gives up after SHUTDOWN_TIMEOUT_MS and reports failure', async () => {
    const server = await startServer({ HELLO_DELAY_MS: '5000', SHUTDOWN_TIMEOUT_MS: '200' });
    const stuck = get(server.port, '/api/v1/hello').catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    assert.equal(await server.shutdown('test'), 1);
    assert.ok(Date.now() - started < 2000);
    assert.ok((await stuck) instanceof Error, 'the stuck request was cut');
    assert.ok(server.logs.some((l) => l.msg === 'shutdown timed out; closing the remaining connections'));
  });

  it('is idempotent', async () => {
    const server = await startServer();
    const first = server.shutdown('one');
    assert.equal(server.shutdown('two'), first);
    assert.equal(await first, 0);
  });
});

describe('timings behind a load balancer and Kubernetes', () => {
  it('keeps idle keep-alive connections longer than the ALB does (60 s), headers longer still', async () => {
    const server = await startServer();
    try {
      // Shorter, and the ALB would reuse a connection the app just closed: a 502 for the client.
      assert.ok(server.server.keepAliveTimeout > 60_000, `keepAliveTimeout ${server.server.keepAliveTimeout}`);
      assert.ok(server.server.headersTimeout > server.server.keepAliveTimeout, 'headersTimeout');
    } finally {
      await server.shutdown('test');
    }
  });

  it('by default still accepts connections for 1 s after SIGTERM, answering /readyz with 503', async () => {
    // The time endpoints and the load balancer need to stop sending traffic (besides preStop).
    const server = await startServer();
    // Timers count on the event loop's clock, read once per turn in whole milliseconds: start at
    // the top of a turn, so that clock and this one agree to within the millisecond allowed below.
    await new Promise((resolve) => setImmediate(resolve));
    const started = performance.now();
    const done = server.shutdown('test');
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.equal((await get(server.port, '/readyz')).status, 503, 'still accepting at 0.7 s');
    assert.equal(await done, 0);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 999, `closed after ${elapsed.toFixed(1)} ms`);
  });
});
