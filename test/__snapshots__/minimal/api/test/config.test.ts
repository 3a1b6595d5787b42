import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ConfigError, DEFAULTS, loadConfig } from '../src/config.ts';

// build/test/ -> the repository root.
const packageName = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).name;

describe('configuration', () => {
  it('uses the defaults when nothing is set', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.serviceName, packageName);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.shutdownDelayMs, DEFAULTS.shutdownDelayMs);
    assert.equal(config.shutdownTimeoutMs, DEFAULTS.shutdownTimeoutMs);
    assert.equal('host' in config, false);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'DEBUG',
      SHUTDOWN_DELAY_MS: '2000',
      SHUTDOWN_TIMEOUT_MS: '5000',
      HELLO_DELAY_MS: '50',
    });
    assert.deepEqual(config, {
      serviceName: packageName,
      port: 9000,
      host: '127.0.0.1',
      logLevel: 'debug',
      shutdownDelayMs: 2000,
      shutdownTimeoutMs: 5000,
      helloDelayMs: 50,
    });
  });

  it('treats empty values as unset', () => {
    assert.equal(loadConfig({ PORT: '', LOG_LEVEL: ' ' }).port, 8080);
  });

  it('lists every invalid variable at once', () => {
    assert.throws(
      () => loadConfig({ PORT: '80a', LOG_LEVEL: 'loud', SHUTDOWN_TIMEOUT_MS: '-1', HOST: 'a b' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.problems.length, 4);
        assert.match(error.message, /PORT must be a whole number from 0 to 65535, not "80a"/);
        assert.match(error.message, /LOG_LEVEL must be one of debug, info, warn, error/);
        assert.match(error.message, /SHUTDOWN_TIMEOUT_MS/);
        assert.match(error.message, /HOST/);
        return true;
      },
    );
  });

  it('refuses ports out of range', () => {
    assert.throws(() => loadConfig({ PORT: '65536' }), ConfigError);
  });
});
