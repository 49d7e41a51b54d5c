import type { KeyValueStore } from '../../src/channels/types';

/** A KeyValueStore in memory; values are copied through JSON as the database would store them. */
export function memoryKv(): KeyValueStore & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    async get<T>(key: string) {
      return data.get(key) as T | undefined;
    },
    async set(key: string, value: unknown) {
      data.set(key, JSON.parse(JSON.stringify(value)));
    },
  };
}
