/**
 * Certificates for the throwaway TLS topologies, made with `openssl` when a topology starts: a
 * CA, a server certificate it signed (for the name {@link TLS_SERVERNAME} only, so a client must
 * name it), a client certificate it signed (the servers ask for one), and a second CA that signed
 * nothing here (what a client with the wrong CA trusts).
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The one name the servers' certificate carries (not their address). */
export const TLS_SERVERNAME = 'redis.test';

/** The PEM files of a TLS topology, by role. */
export interface TlsFiles {
  /** The CA that signed the server's and the client's certificates. */
  readonly ca: string;
  /** The servers' certificate and key (also their client certificate, on the cluster bus and for replication). */
  readonly serverCert: string;
  readonly serverKey: string;
  /** A client's certificate and key. */
  readonly clientCert: string;
  readonly clientKey: string;
  /** A CA that signed none of them. */
  readonly otherCa: string;
}

async function openssl(args: readonly string[]): Promise<void> {
  try {
    await run('openssl', [...args]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('openssl is not installed: run scripts/ensure-redis.sh --topologies (or apt-get install openssl)', { cause: err });
    }
    throw err;
  }
}

/**
 * A new EC key for `subject` with, for a CA, its self-signed certificate (`name.crt`, valid two
 * days), else a certificate signing request (`name.csr`) for the CA to sign.
 */
async function newKey(dir: string, name: string, subject: string, authority: boolean): Promise<void> {
  await openssl([
    'req',
    ...(authority ? ['-x509', '-days', '2'] : []),
    '-new',
    '-nodes',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-keyout',
    join(dir, `${name}.key`),
    '-out',
    join(dir, `${name}.${authority ? 'crt' : 'csr'}`),
    '-subj',
    subject,
  ]);
}

/** Signs `name`'s request with the CA, with the extensions given. */
async function sign(dir: string, name: string, extensions: string): Promise<void> {
  const ext = join(dir, `${name}.ext`);
  await writeFile(ext, extensions);
  await openssl([
    'x509',
    '-req',
    '-in',
    join(dir, `${name}.csr`),
    '-CA',
    join(dir, 'ca.crt'),
    '-CAkey',
    join(dir, 'ca.key'),
    '-CAcreateserial',
    '-out',
    join(dir, `${name}.crt`),
    '-days',
    '2',
    '-extfile',
    ext,
  ]);
}

/**
 * Makes a topology's certificates in `dir` (valid two days).
 *
 * @param dir - a folder of the topology's, removed with it
 */
export async function makeTlsFiles(dir: string): Promise<TlsFiles> {
  await Promise.all([
    newKey(dir, 'ca', '/CN=good-redis test CA', true),
    newKey(dir, 'other-ca', '/CN=good-redis other CA', true),
    newKey(dir, 'server', `/CN=${TLS_SERVERNAME}`, false),
    newKey(dir, 'client', '/CN=good-redis test client', false),
  ]);
  await sign(dir, 'server', `subjectAltName=DNS:${TLS_SERVERNAME}\nextendedKeyUsage=serverAuth,clientAuth\n`);
  await sign(dir, 'client', 'extendedKeyUsage=clientAuth\n');
  return {
    ca: join(dir, 'ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
    otherCa: join(dir, 'other-ca.crt'),
  };
}

/**
 * The arguments of a data server that listens with TLS only, on `port` of 127.0.0.1, and asks
 * clients for a certificate its CA signed.
 *
 * @param port - the TLS port (the plain one is off)
 * @param files - the topology's certificates
 */
export function tlsServerArgs(port: number, files: TlsFiles): string[] {
  return [
    '--port',
    '0',
    '--tls-port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--tls-cert-file',
    files.serverCert,
    '--tls-key-file',
    files.serverKey,
    '--tls-ca-cert-file',
    files.ca,
    '--tls-auth-clients',
    'yes',
  ];
}

/**
 * The variables that give the SDK a TLS topology's client side: the CA, the client certificate
 * and key, and the servers' name.
 *
 * @param files - the topology's certificates
 */
export function tlsEnv(files: TlsFiles): Record<string, string> {
  return { REDIS_TLS_CA: files.ca, REDIS_TLS_CERT: files.clientCert, REDIS_TLS_KEY: files.clientKey, REDIS_TLS_SERVERNAME: TLS_SERVERNAME };
}

/**
 * `redis-cli`'s arguments for a TLS topology.
 *
 * @param files - the topology's certificates
 */
export function tlsCliArgs(files: TlsFiles): string[] {
  return ['--tls', '--cacert', files.ca, '--cert', files.clientCert, '--key', files.clientKey, '--sni', TLS_SERVERNAME];
}
