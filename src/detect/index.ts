import type { Core } from '../core/core.js';
import { Analyzer } from './analyzer.js';
import { AnalysisService } from './service.js';

export { AnalysisService, analysisView, clipLabels, PROBLEM_ID } from './service.js';
export { analysisPath, readAnalysis, readAnalysisSync, deleteAnalysis } from './store.js';

export interface AnalysisOptions {
  /**
   * Model files in place of the packaged ones (a retrained model of the same shape). A file that
   * does not exist or does not load makes detection unavailable: the `detect` problem, nothing else.
   */
  models?: { faceModelFile?: string; labelModelFile?: string };
  /** Compiled worker entry (default: dist/src/detect/worker.js of the package). */
  workerFile?: string;
  /** Clips queued from the backlog at start. */
  backlogLimit?: number;
  /** How long an idle worker stays (it then exits and its memory goes back to the system). */
  idleMs?: number;
}

/**
 * On-device analysis from the daemon's core (config `detect`): the analysis service, which is also
 * the AnalysisControl the API, the CLI and the export's face check use. With detect.enabled off it
 * starts nothing (new clips are stored as `off`), and its face check answers null.
 */
export function createAnalysis(core: Core, opts: AnalysisOptions = {}): AnalysisService {
  const log = core.log.child({ module: 'analysis' });
  const cfg = core.config.detect;
  const analyzer = new Analyzer({
    threads: cfg.threads,
    labels: cfg.labelFps > 0,
    ...(opts.models?.faceModelFile ? { faceModelFile: opts.models.faceModelFile } : {}),
    ...(opts.models?.labelModelFile ? { labelModelFile: opts.models.labelModelFile } : {}),
    ...(opts.workerFile ? { workerFile: opts.workerFile } : {}),
    ...(opts.idleMs !== undefined ? { idleMs: opts.idleMs } : {}),
    onLog: (line) => log.debug({ worker: line }, 'analysis worker'),
  });
  return new AnalysisService({ core: { ...core, log }, analyzer, ...(opts.backlogLimit !== undefined ? { backlogLimit: opts.backlogLimit } : {}) });
}
