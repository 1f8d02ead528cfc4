/**
 * The analysis worker's loop (started by worker.ts in a forked child). Models load on the first
 * job and stay loaded while jobs keep coming; the Analyzer disconnects an idle worker, which then
 * exits so the operating system gets the models' memory back. A job that fails reports an error
 * and the worker carries on; a model that cannot load is reported as DETECT_UNAVAILABLE on every job.
 */
import { errorMessage, isAppError, type ErrorCode } from '../core/errors.js';
import { analyseClip, verifyFile } from './analyse.js';
import { loadFaceDetector, loadObjectLabeller } from './loader.js';
import type { FromWorker, ToWorker, WorkerConfig } from './protocol.js';
import { removeStaleTemps, writeAnalysis } from './store.js';
import type { FaceDetector, ObjectLabeller } from './types.js';

interface Loaded {
  face: FaceDetector;
  labeller: ObjectLabeller | null;
}

export interface WorkerLoop {
  onMessage(m: ToWorker): void;
  /** Cancel whatever runs, release the models. */
  shutdown(): Promise<void>;
}

export function runWorker(config: WorkerConfig, send: (m: FromWorker) => void): WorkerLoop {
  let models: Promise<Loaded> | undefined;
  let queue: Promise<void> = Promise.resolve();
  const running = new Map<number, AbortController>();

  const load = (): Promise<Loaded> => {
    models ??= (async () => {
      const opts = { threads: config.threads, faceModelFile: config.faceModelFile, labelModelFile: config.labelModelFile };
      const face = await loadFaceDetector(opts);
      const labeller = config.labels ? await loadObjectLabeller(opts) : null;
      return { face, labeller };
    })();
    return models;
  };

  const release = async (): Promise<void> => {
    const m = await models?.catch(() => undefined);
    await m?.face.close();
    await m?.labeller?.close();
  };

  const fail = (id: number, err: unknown): void => {
    const code: ErrorCode = isAppError(err) ? err.code : 'DETECT_FAILED';
    send({ type: 'error', id, code, message: errorMessage(err) });
  };

  const run = async (job: Exclude<ToWorker, { type: 'cancel' }>): Promise<void> => {
    const ctl = new AbortController();
    running.set(job.id, ctl);
    try {
      const m = await load();
      if (job.type === 'analyse') {
        await removeStaleTemps(job.clipFile);
        const analysis = await analyseClip(job.clipFile, m, {
          faceFps: job.faceFps, labelFps: job.labelFps, threads: config.threads, maxSeconds: job.maxSeconds,
          signal: ctl.signal, onProgress: (fraction) => send({ type: 'progress', id: job.id, fraction }),
        });
        ctl.signal.throwIfAborted();
        const file = await writeAnalysis(job.clipFile, analysis);
        send({ type: 'analysed', id: job.id, analysis, file });
      } else {
        const findings = await verifyFile(job.file, m.face, { fps: job.fps, threshold: job.threshold, threads: config.threads, maxSeconds: job.maxSeconds, signal: ctl.signal });
        send({ type: 'verified', id: job.id, findings });
      }
    } catch (err) {
      fail(job.id, ctl.signal.aborted ? new Error('cancelled') : err);
    } finally {
      running.delete(job.id);
    }
  };

  return {
    onMessage(m: ToWorker): void {
      if (m.type === 'cancel') {
        running.get(m.id)?.abort();
        return;
      }
      queue = queue.then(() => run(m));
    },
    async shutdown(): Promise<void> {
      for (const ctl of running.values()) ctl.abort();
      await queue;
      await release();
    },
  };
}
