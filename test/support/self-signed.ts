// A fresh RSA key and a self-signed certificate for it (openssl), for TLS and SAML signing in tests.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SelfSigned {
  keyPath: string;
  certPath: string;
  privateKey: string;
  certificate: string;
}

export function selfSigned(dir: string, commonName: string, name = 'self-signed'): SelfSigned {
  const keyPath = join(dir, `${name}.key.pem`);
  const certPath = join(dir, `${name}.cert.pem`);
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${commonName}`];
  execFileSync('openssl', [...args, '-keyout', keyPath, '-out', certPath], { stdio: 'ignore' });
  return {
    keyPath,
    certPath,
    privateKey: readFileSync(keyPath, 'utf8'),
    certificate: readFileSync(certPath, 'utf8'),
  };
}
