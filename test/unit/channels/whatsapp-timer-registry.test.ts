import { TimerRegistry, WhatsappTimeoutError } from '../../../src/channels/whatsapp/timer-registry';

describe('TimerRegistry', () => {
  test('timeout: passes results and errors through, rejects a call that hangs', async () => {
    const t = new TimerRegistry();
    await expect(t.timeout(Promise.resolve(1), 50, 'x')).resolves.toBe(1);
    await expect(t.timeout(Promise.reject(new Error('boom')), 50, 'x')).rejects.toThrow('boom');
    await expect(t.timeout(new Promise(() => {}), 10, 'getState')).rejects.toThrow(WhatsappTimeoutError);
    expect(t.size).toBe(0);
  });

  test('close: sleeps wake, timeouts reject, scheduled callbacks never run, nothing stays armed', async () => {
    const t = new TimerRegistry();
    const ran: string[] = [];
    const slept = t.sleep(60_000).then(() => ran.push('slept'));
    const timedOut = t.timeout(new Promise(() => {}), 60_000, 'download').catch(() => ran.push('rejected'));
    t.schedule(10, () => ran.push('scheduled'));
    expect(t.size).toBe(3);
    t.close();
    await Promise.all([slept, timedOut]);
    await new Promise((r) => setTimeout(r, 20));
    expect(ran.sort()).toEqual(['rejected', 'slept']);
    expect(t.size).toBe(0);
    await t.sleep(60_000); // resolves at once after close
  });
});
