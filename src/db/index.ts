import type { Db } from './connection.js';
import { CamerasRepo } from './repos/cameras.js';
import { ClipsRepo } from './repos/clips.js';
import { JobRunsRepo } from './repos/job-runs.js';
import { LedgerRepo } from './repos/ledger.js';
import { RequestsRepo } from './repos/requests.js';
import { RetentionRepo } from './repos/retention.js';
import { SharesRepo } from './repos/shares.js';
import { SessionsRepo } from './repos/sessions.js';
import { SettingsRepo } from './repos/settings.js';
import { TokensRepo } from './repos/tokens.js';

export { openDatabase, type Db } from './connection.js';

/** One repository per table, built once per database handle. */
export interface Repos {
  cameras: CamerasRepo;
  clips: ClipsRepo;
  shares: SharesRepo;
  ledger: LedgerRepo;
  settings: SettingsRepo;
  tokens: TokensRepo;
  sessions: SessionsRepo;
  jobRuns: JobRunsRepo;
  requests: RequestsRepo;
  /** Retention's selections across clips and shares. */
  retention: RetentionRepo;
}

export function createRepos(db: Db): Repos {
  return {
    cameras: new CamerasRepo(db),
    clips: new ClipsRepo(db),
    shares: new SharesRepo(db),
    ledger: new LedgerRepo(db),
    settings: new SettingsRepo(db),
    tokens: new TokensRepo(db),
    sessions: new SessionsRepo(db),
    jobRuns: new JobRunsRepo(db),
    requests: new RequestsRepo(db),
    retention: new RetentionRepo(db),
  };
}
