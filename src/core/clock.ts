import { randomUUID } from 'node:crypto';

/** Time source, injected so expiry and ordering are testable. */
export interface Clock {
  now(): number; // epoch milliseconds
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests move by hand. */
export class FakeClock implements Clock {
  constructor(private t = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(ms: number): void {
    this.t = ms;
  }
}

/** Id source, injected for deterministic tests. */
export type IdSource = (prefix: string) => string;

export const randomIds: IdSource = (prefix) => `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
