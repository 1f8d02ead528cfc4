import type { Clock } from './clock.js';
import type { EventBus } from './events.js';
import type { Problem, ProblemSeverity } from './types.js';

/**
 * Problems the owner should see (camera offline, broker refused credentials, disk full...).
 * Raising the same id again updates it; clearing an unknown id is a no-op.
 */
export class Problems {
  private readonly items = new Map<string, Problem>();

  constructor(private readonly deps: { bus: EventBus; clock: Clock }) {}

  raise(id: string, severity: ProblemSeverity, summary: string, details?: string): void {
    const existing = this.items.get(id);
    const problem: Problem = { id, severity, summary, since: existing?.since ?? this.deps.clock.iso() };
    if (details !== undefined) problem.details = details;
    const changed = !existing || existing.summary !== summary || existing.details !== details || existing.severity !== severity;
    this.items.set(id, problem);
    if (changed) this.deps.bus.emit('problem.raised', { problem });
  }

  clear(id: string): void {
    if (this.items.delete(id)) this.deps.bus.emit('problem.cleared', { id });
  }

  list(): Problem[] {
    return [...this.items.values()];
  }

  has(id: string): boolean {
    return this.items.has(id);
  }
}
