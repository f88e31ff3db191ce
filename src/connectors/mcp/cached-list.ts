/** Lists fetched less than this long ago are not fetched again on a refresh (a call to an unknown tool, prompt or URI). */
export const REFRESH_MIN_MS = 2000;

/**
 * A list the upstream gives (tools, prompts, resources), cached until it says it changed or its connection closes
 * (`clear`). A `refresh` (a name nobody lists was asked for) lists again unless the last listing is less than
 * REFRESH_MIN_MS old: an agent calling unknown names in a loop must not make the upstream list each time.
 * Concurrent callers share one listing.
 *
 * @example
 * const tools = new CachedList<Tool[]>(() => performance.now());
 * await tools.get(() => client.listTools().then((r) => r.tools), false); // lists
 * await tools.get(() => client.listTools().then((r) => r.tools), true);  // the cache: listed a moment ago
 */
export class CachedList<T> {
  private value?: T;
  private fetchedAt = -Infinity;
  /** Bumped by `clear`: a listing started before stores nothing (it may predate the change). */
  private generation = 0;
  private listing?: { generation: number; promise: Promise<T> };

  constructor(private readonly now: () => number) {}

  clear(): void {
    this.value = undefined;
    this.generation++;
  }

  get(list: () => Promise<T>, refresh: boolean): Promise<T> {
    if (this.value !== undefined && (!refresh || this.now() - this.fetchedAt < REFRESH_MIN_MS)) return Promise.resolve(this.value);
    if (this.listing?.generation === this.generation) return this.listing.promise;
    const generation = this.generation;
    const promise = list()
      .then((v) => {
        if (generation === this.generation) (this.value = v), (this.fetchedAt = this.now());
        return v;
      })
      .finally(() => {
        if (this.listing?.promise === promise) this.listing = undefined;
      });
    this.listing = { generation, promise };
    return promise;
  }
}
