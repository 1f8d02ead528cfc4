/** Injectable time source so retention, sessions and schedules can be tested without waiting. */
export interface Clock {
  now(): number;
  date(): Date;
  iso(): string;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  date: () => new Date(),
  iso: () => new Date().toISOString(),
};

/** A clock tests can move by hand. */
export class ManualClock implements Clock {
  constructor(private ms: number) {}
  now(): number {
    return this.ms;
  }
  date(): Date {
    return new Date(this.ms);
  }
  iso(): string {
    return new Date(this.ms).toISOString();
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
}
