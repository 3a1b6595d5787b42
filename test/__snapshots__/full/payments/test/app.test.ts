import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { get, startServer, type TestServer } from './helpers.ts';

describe('HTTP API', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ LOG_LEVEL: 'debug' });
  });
  after(async () => {
    await server.shutdown('test finished');
  });

  it('GET /healthz answers 200', async () => {
    const res = await get(server.port, '/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { status: 'ok' });
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  });

  it('GET /readyz answers 200 while serving', async () => {
    const res = await get(server.port, '/readyz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { status: 'ready' });
  });

  it('GET /api/v1/hello greets the world by default', async () => {
    const res = await get(server.port, '/api/v1/hello');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { message: 'Hello, world!' });
  });

  it('GET /api/v1/hello?name= greets by name, in any script', async () => {
    assert.deepEqual((await get(server.port, '/api/v1/hello?name=Ada')).json(), { message: 'Hello, Ada!' });
    const res = await get(server.port, `/api/v1/hello?name=${encodeURIComponent('Zoë')}`);
    assert.deepEqual(res.json(), { message: 'Hello, Zoë!' });
  });

  it('refuses an invalid name with 400', async () => {
    for (const query of ['name=', 'name=%3Cscript%3E', `name=${'a'.repeat(65)}`, 'name=a&name=b']) {
      const res = await get(server.port, `/api/v1/hello?${query}`);
      assert.equal(res.status, 400, query);
      assert.equal((res.json() as { error: { code: string } }).error.code, 'invalid_name');
    }
  });

  it('answers 404 for an unknown path and 405 for a wrong method', async () => {
    assert.equal((await get(server.port, '/nope')).status, 404);
    const res = await get(server.port, '/healthz', { method: 'POST' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'GET, HEAD');
    const head = await get(server.port, '/healthz', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
  });

  it('keeps a valid X-Request-Id and makes one otherwise', async () => {
    const given = await get(server.port, '/healthz', { headers: { 'x-request-id': 'abc-123' } });
    assert.equal(given.headers['x-request-id'], 'abc-123');
    const made = await get(server.port, '/healthz', { headers: { 'x-request-id': 'not valid!' } });
    assert.match(String(made.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('logs one JSON line per request, without the query string', async () => {
    await get(server.port, '/api/v1/hello?name=Secret', { headers: { 'x-request-id': 'log-test' } });
    // The line is written when the response closes, just after the client has it.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const line = server.logs.find((l) => l.requestId === 'log-test');
    assert.ok(line, 'a log line for the request');
    assert.equal(line.msg, 'request');
    assert.equal(line.level, 'info');
    assert.equal(line.path, '/api/v1/hello');
    assert.equal(line.status, 200);
    assert.equal(typeof line.durationMs, 'number');
    assert.doesNotMatch(JSON.stringify(line), /Secret/);
  });
});
