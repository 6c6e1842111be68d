/**
 * Self-signed certificates for tests of TLS, made with openssl.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A certificate for localhost and 127.0.0.1 and its key: PEM files in a new temporary folder `dir` (the caller removes it). */
export function selfSignedCertificate(): { dir: string; cert: string; key: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const r = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { encoding: 'utf8' });
  assert.equal(r.status, 0, `openssl could not make a certificate (apt-get install openssl): ${r.error?.message ?? r.stderr}`);
  return { dir, cert, key };
}
