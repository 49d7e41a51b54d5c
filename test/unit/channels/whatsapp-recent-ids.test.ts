import { RecentIds } from '../../../src/channels/whatsapp/recent-ids';

describe('RecentIds', () => {
  test('remembers ids, refuses repeats, forgets the least recently seen beyond capacity', () => {
    const ids = new RecentIds(3);
    expect(ids.add('a')).toBe(true);
    expect(ids.add('b')).toBe(true);
    expect(ids.add('a')).toBe(false); // seen again: now the most recent
    expect(ids.add('c')).toBe(true);
    expect(ids.add('d')).toBe(true); // evicts b
    expect(ids.size).toBe(3);
    expect(ids.has('b')).toBe(false);
    expect(ids.has('a')).toBe(true);
    ids.delete('a');
    expect(ids.add('a')).toBe(true);
  });

  test('rejects a useless capacity', () => {
    expect(() => new RecentIds(0)).toThrow(RangeError);
  });
});
