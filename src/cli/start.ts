import { App } from '../app.js';
import { errorMessage } from '../core/errors.js';
import { resolveLogFormat, useColour } from '../core/log-format.js';
import { createLogger, SecretRegistry } from '../core/logger.js';
import { dataPaths } from '../core/core.js';
import { tightenPrivateFolders, usePrivateUmask } from '../core/private-files.js';
import { parse } from './args.js';
import { loadConfigForCommand, type Io } from './context.js';
import { preflight } from './preflight.js';
import { CONFIG_FLAG, type CommandSpec } from './spec.js';

/** How long stop() may take before the process gives up waiting and exits anyway. */
const STOP_DEADLINE_MS = 5_000;

export const startCommand = {
  name: 'start',
  summary: 'Run the daemon until SIGTERM/SIGINT; with no config file at all, the labelled demo (simulated camera, data in ./data-demo).',
  flags: CONFIG_FLAG,
  run: (argv, io) => start(argv, io),
} satisfies CommandSpec;

/** `clipgate start`: run the daemon until SIGTERM/SIGINT, then stop everything in reverse order. */
export async function start(argv: string[], io: Io): Promise<number> {
  // Before anything is written: the database, clips and segments are the owner's alone (0600/0700).
  usePrivateUmask();
  const { values } = parse(argv, startCommand.flags);
  const loaded = loadConfigForCommand(values.config, io);
  if (!loaded.ok) return 1;
  const problems = await preflight(loaded.config);
  if (problems.length > 0) {
    for (const p of problems) io.err(`clipgate: ${p}`);
    return 1;
  }
  const secrets = new SecretRegistry();
  const isTty = process.stdout.isTTY === true;
  const log = createLogger({
    level: loaded.config.logging.level,
    secrets,
    format: resolveLogFormat(loaded.config.logging.format, isTty),
    colour: useColour(isTty, process.env),
  });
  if (loaded.demo) {
    log.warn(
      { configPath: loaded.file, dataDir: loaded.config.dataDir },
      `no config found at ${loaded.file}; running the DEMO (simulated camera, local dev platform, data in ${loaded.config.dataDir})`,
    );
  }
  let app: App;
  try {
    const paths = dataPaths(loaded.config);
    await tightenPrivateFolders({ ...paths, cameraIds: loaded.config.cameras.map((c) => c.id) }, log);
    app = new App({ config: loaded.config, demo: loaded.demo, log, secrets });
    await app.start();
  } catch (err) {
    log.fatal({ err }, 'clipgate could not start');
    io.err(`clipgate: could not start: ${secrets.scrub(describeStartError(err, loaded.config))}`);
    return 1;
  }
  return waitForSignal(app, log);
}

function waitForSignal(app: App, log: ReturnType<typeof createLogger>): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping');
      const deadline = setTimeout(() => {
        log.error({ deadlineMs: STOP_DEADLINE_MS }, 'stop took too long; exiting anyway');
        resolve(1);
      }, STOP_DEADLINE_MS);
      deadline.unref();
      app.stop().then(
        () => {
          clearTimeout(deadline);
          resolve(0);
        },
        (err: unknown) => {
          clearTimeout(deadline);
          log.error({ err }, 'stop failed');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}

/** Turn the common start-up failures into a message that names the config key to change. */
function describeStartError(err: unknown, config: { web: { host: string; port: number } }): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return `port ${config.web.port} on ${config.web.host} is already in use (web.port); stop the other program or choose another port`;
  }
  if (code === 'EACCES' && config.web.port < 1024) {
    return `port ${config.web.port} needs privileges (web.port); use a port of 1024 or above`;
  }
  if (code === 'EADDRNOTAVAIL') return `web.host ${config.web.host} is not an address of this machine`;
  return errorMessage(err);
}
