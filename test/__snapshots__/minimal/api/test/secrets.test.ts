import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readSecret, SecretError } from '../src/secrets.ts';

/**
 * A Secret volume as the kubelet writes it: the data in a timestamped folder, `..data` a symlink
 * to it, each key a symlink through `..data`. An update writes a new folder and swaps `..data`.
 */
class SecretVolume {
  readonly dir = mkdtempSync(join(tmpdir(), 'secrets-'));
  private version = 0;

  write(data: Record<string, string>): void {
    const folder = `..2026_01_01_00_00_0${this.version++}`;
    mkdirSync(join(this.dir, folder));
    for (const [key, value] of Object.entries(data)) writeFileSync(join(this.dir, folder, key), value);
    symlinkSync(folder, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    for (const key of Object.keys(data)) {
      try {
        symlinkSync(join('..data', key), join(this.dir, key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }
}

describe('secrets', () => {
  const volume = new SecretVolume();
  const env = { SECRETS_DIR: volume.dir };
  after(() => rmSync(volume.dir, { recursive: true, force: true }));

  it('reads a key of the mounted Secret', () => {
    volume.write({ DATABASE_PASSWORD: 'first' });
    assert.equal(readSecret('DATABASE_PASSWORD', env), 'first');
  });

  it('sees a rotated value on the next read, without a restart', () => {
    volume.write({ DATABASE_PASSWORD: 'first' });
    volume.write({ DATABASE_PASSWORD: 'rotated' });
    assert.equal(readSecret('DATABASE_PASSWORD', env), 'rotated');
  });

  it('names what is wrong: a missing key, no SECRETS_DIR, a path instead of a key', () => {
    volume.write({ DATABASE_PASSWORD: 'first' });
    assert.throws(() => readSecret('API_TOKEN', env), { name: 'SecretError', message: /has no key API_TOKEN/ });
    assert.throws(() => readSecret('DATABASE_PASSWORD', {}), { name: 'SecretError', message: /SECRETS_DIR/ });
    for (const key of ['../etc/passwd', '..data', 'a/b', '.', '']) {
      assert.throws(() => readSecret(key, env), SecretError, key);
    }
  });
});
