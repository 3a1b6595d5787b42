#!/usr/bin/env node
// Stand-in for Helm chart repositories on the internet, for the live test bed. An HTTP proxy on
// 127.0.0.1 that answers CONNECT only for the hosts it stands in for, and serves them itself over
// TLS (a certificate of the bed's own CA, which the repo-server trusts through SSL_CERT_FILE):
//   node chart-repo-proxy.mjs <port-file> <cert> <key> <repo-url>=<dir> [<repo-url>=<dir> ...]
// Each <dir> holds a chart repository (index.yaml and .tgz files) served under <repo-url>. Every other host is refused
// with 403, so nothing can leave the machine. The bed stops it by PID.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join, normalize } from 'node:path';

const [portFile, cert, key, ...mappings] = process.argv.slice(2);
if (!portFile || !cert || !key || mappings.length === 0) {
  console.error('usage: chart-repo-proxy.mjs <port-file> <cert> <key> <repo-url>=<dir>...');
  process.exit(2);
}
const repos = mappings.map((m) => {
  const at = m.indexOf('=');
  const url = new URL(m.slice(0, at));
  return { host: url.hostname, prefix: url.pathname.replace(/\/$/, ''), dir: m.slice(at + 1) };
});
const hosts = new Set(repos.map((r) => r.host));

const tls = createHttpsServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
  const host = (req.headers.host ?? '').replace(/:443$/, '');
  const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'https://x').pathname));
  const repo = repos.find((r) => r.host === host && path.startsWith(`${r.prefix}/`));
  console.log(`${req.method} https://${host}${path}${repo ? '' : ' (no such repository)'}`);
  if (!repo || path.includes('..')) {
    res.writeHead(404).end();
    return;
  }
  try {
    const body = readFileSync(join(repo.dir, path.slice(repo.prefix.length)));
    res.writeHead(200, { 'content-type': path.endsWith('.yaml') ? 'text/yaml' : 'application/gzip' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});

const proxy = createServer((req, res) => {
  console.log(`refused plain ${req.method} ${req.url}`);
  res.writeHead(403).end('the test bed has no internet\n');
});
proxy.on('connect', (req, socket) => {
  const [host, port] = (req.url ?? '').split(':');
  if (!hosts.has(host) || port !== '443') {
    console.log(`refused CONNECT ${req.url}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    return;
  }
  socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  tls.emit('connection', socket);
});
proxy.listen(0, '127.0.0.1', () => writeFileSync(portFile, String(proxy.address().port)));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
