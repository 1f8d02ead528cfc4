import { initial } from './001-initial.js';
import { consent } from './002-consent.js';
import { analysis } from './003-analysis.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Numbered, append-only. Never edit a shipped migration; add the next number. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'consent', sql: consent },
  { version: 3, name: 'analysis', sql: analysis },
];
