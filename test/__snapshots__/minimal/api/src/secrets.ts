/**
 * Secrets from AWS Secrets Manager, read as files. With `externalSecret` enabled in its values, the
 * chart mounts the Secret that External Secrets keeps in sync at SECRETS_DIR, one file per key.
 * The same keys are environment variables too, but those are fixed when the pod starts; the files
 * follow a rotation: External Secrets refreshes the Secret (`externalSecret.refreshInterval`), then
 * the kubelet swaps the files in one step, within about a minute. So read a secret that can rotate
 * where it is used, with readSecret(), not once at start-up.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What Kubernetes accepts as a Secret key (so never a path, nor the kubelet's own `..data`). */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

export class SecretError extends Error {
  override name = 'SecretError';
}

/**
 * The current value of a key of the service's Secret. Each call reads the file again (a small
 * read from a tmpfs), so a rotated value is seen on the next call.
 */
export function readSecret(key: string, env: Readonly<NodeJS.ProcessEnv> = process.env): string {
  if (!SECRET_KEY.test(key) || key === '.' || key.startsWith('..')) {
    throw new SecretError(`${JSON.stringify(key)} is not a Secret key (letters, digits, '-', '_' and '.')`);
  }
  const dir = env.SECRETS_DIR?.trim();
  if (!dir) {
    throw new SecretError('SECRETS_DIR is not set: enable externalSecret in the values of this environment');
  }
  try {
    return readFileSync(join(dir, key), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new SecretError(`the Secret has no key ${key} (in ${dir})`);
    }
    throw error;
  }
}
