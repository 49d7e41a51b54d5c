/**
 * The last `capacity` ids seen, oldest forgotten first (a bounded LRU set). whatsapp-web.js can fire
 * `message` twice for one message (after a reconnect, or when the page re-injects); the engine's inbox
 * dedups too, but the adapter should not hand the same message to the engine twice in a row.
 */
export class RecentIds {
  // A Map keeps insertion order: the first key is the least recently seen.
  private readonly ids = new Map<string, true>();

  constructor(private readonly capacity = 1000) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be ≥ 1, got ${capacity}`);
  }

  /** Records `id`; false when it was already there (a duplicate), true when new. */
  add(id: string): boolean {
    if (this.ids.has(id)) {
      this.ids.delete(id);
      this.ids.set(id, true);
      return false;
    }
    this.ids.set(id, true);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.keys().next();
      if (!oldest.done) this.ids.delete(oldest.value);
    }
    return true;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Forgets `id`, so a redelivery is processed again (used when handing the message over failed). */
  delete(id: string): void {
    this.ids.delete(id);
  }

  get size(): number {
    return this.ids.size;
  }
}
