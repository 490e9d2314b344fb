/** A self-signed P-256 certificate for an HTTPS server on 127.0.0.1 (loopback push services). */
import { generate } from 'selfsigned';

export async function loopbackCertificate(commonName: string): Promise<{ private: string; cert: string }> {
  return generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
}
