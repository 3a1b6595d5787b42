// Keys and certificates of one test bed, made with openssl: a CA, one serving certificate for
// everything that listens on 127.0.0.1 (the API servers and the stand-in chart repository), and
// the service-account signing key. Nothing outlives the bed's folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './processes.ts';

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  saKey: string;
  saPub: string;
}

const ec = ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out'];

export function makePki(dir: string, hostNames: string[]): Pki {
  mkdirSync(dir, { recursive: true });
  const p = (f: string) => join(dir, f);
  const pki: Pki = {
    dir,
    caCert: p('ca.crt'),
    caKey: p('ca.key'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    saKey: p('sa.key'),
    saPub: p('sa.pub'),
  };
  run('openssl', [...ec, pki.caKey]);
  run('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    pki.caKey,
    '-out',
    pki.caCert,
    '-days',
    '2',
    '-subj',
    '/CN=gitops-platform test bed CA',
  ]);
  run('openssl', [...ec, pki.serverKey]);
  run('openssl', ['req', '-new', '-key', pki.serverKey, '-out', p('server.csr'), '-subj', '/CN=127.0.0.1']);
  const sans = ['IP:127.0.0.1', 'DNS:localhost', ...hostNames.map((h) => `DNS:${h}`)].join(',');
  writeFileSync(p('server.ext'), `subjectAltName=${sans}\nextendedKeyUsage=serverAuth\n`);
  run('openssl', [
    'x509',
    '-req',
    '-in',
    p('server.csr'),
    '-CA',
    pki.caCert,
    '-CAkey',
    pki.caKey,
    '-CAcreateserial',
    '-out',
    pki.serverCert,
    '-days',
    '2',
    '-extfile',
    p('server.ext'),
  ]);
  run('openssl', [...ec, pki.saKey]);
  run('openssl', ['pkey', '-in', pki.saKey, '-pubout', '-out', pki.saPub]);
  return pki;
}
