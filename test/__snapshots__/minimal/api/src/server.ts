/**
 * Entry point (`node dist/server.js`, the image's CMD): reads the configuration, starts the server
 * and shuts it down gracefully on SIGTERM (Kubernetes, docker stop) or SIGINT (Ctrl-C).
 */
import { type Config, ConfigError, DEFAULTS, loadConfig } from './config.ts';
import { start } from './lifecycle.ts';
import { createLogger } from './logger.ts';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    const log = createLogger({ level: 'info', base: { service: DEFAULTS.serviceName } });
    if (error instanceof ConfigError) log.error('invalid configuration', { problems: error.problems });
    else log.error('cannot read the configuration', { error });
    process.exit(1);
  }

  const log = createLogger({ level: config.logLevel, base: { service: config.serviceName } });
  const fatal = (msg: string) => (error: unknown) => {
    log.error(msg, { error });
    process.exit(1);
  };
  process.on('uncaughtException', fatal('uncaught exception'));
  process.on('unhandledRejection', fatal('unhandled promise rejection'));

  const running = await start(config, log);

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      // A second Ctrl-C (or SIGTERM) means "now": cut the connections and go.
      log.warn('second signal; exiting without waiting for in-flight requests', { signal });
      running.forceClose();
      process.exit(1);
    }
    running.shutdown(signal).then((code) => {
      log.info('exiting', { code });
      process.exit(code);
    }, fatal('shutdown failed'));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((error: unknown) => {
  createLogger({ level: 'info', base: { service: DEFAULTS.serviceName } }).error('start-up failed', { error });
  process.exit(1);
});
