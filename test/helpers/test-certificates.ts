/**
 * A certificate authority of the test's own and a server certificate it signed for 127.0.0.1,
 * made with openssl in a folder, for servers that speak TLS in tests. openssl runs on the
 * test's clock (faketime included), as the clients that check the certificate do.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The files: the CA's certificate (what a client trusts), the server's certificate and key. */
export type TestCertificates = { ca: string; cert: string; key: string };

/** Makes the files in `dir`; a reason string when openssl cannot be run here. */
export function makeTestCertificates(dir: string): TestCertificates | string {
  const file = (name: string) => join(dir, name);
  const openssl = (args: string[]) =>
    execFileSync('openssl', args, { stdio: 'pipe', timeout: 60_000 });
  try {
    openssl(['version']);
  } catch {
    return 'openssl is not installed; apt-get install openssl';
  }
  const days = ['-days', '30'];
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key')].concat([
      '-out',
      file('ca.pem'),
      ...days,
      '-subj',
      '/CN=native-login test CA',
    ]),
  );
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key')].concat([
      '-out',
      file('server.csr'),
      '-subj',
      '/CN=127.0.0.1',
    ]),
  );
  writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    ['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem')]
      .concat(['-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.pem'), ...days])
      .concat(['-extfile', file('server.ext')]),
  );
  return { ca: file('ca.pem'), cert: file('server.pem'), key: file('server.key') };
}
