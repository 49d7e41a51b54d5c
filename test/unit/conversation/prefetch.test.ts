import type { ConversationPort } from '../../../src/conversation/port';
import { predictLookups, prefetch } from '../../../src/conversation/prefetch';
import { type ConvState, initialState } from '../../../src/conversation/state';
import { emptySignals, type Signals } from '../../../src/understanding/signals';

const known: ConvState = { ...initialState(), customerId: 7 };
const signals = (s: Partial<Signals>): Signals => ({ ...emptySignals(), ...s });

describe('predictLookups', () => {
  it('looks the address up while it is not linked to a customer', () => {
    expect(predictLookups(initialState(), signals({ intents: ['saudacao'] }))).toEqual([{ kind: 'customerByAddress' }]);
  });

  it("predicts the customer's name for a greeting, their requests for a status question, the invoice named", () => {
    expect(predictLookups(known, signals({ intents: ['saudacao'] }))).toEqual([{ kind: 'customerById', id: 7 }]);
    expect(predictLookups(known, signals({ intents: ['status'] }))).toEqual([
      { kind: 'requestsOfCustomer', customerId: 7 },
    ]);
    expect(predictLookups(known, signals({ intents: ['assistencia'], invoiceNumbers: ['88001', '88002'] }))).toEqual([
      { kind: 'invoiceOfCustomer', customerId: 7, number: '88002' },
    ]);
    expect(predictLookups(known, signals({ yesNo: 'yes' }))).toEqual([]);
  });
});

describe('prefetch', () => {
  /** A port that counts its lookups and answers with a fresh value each time. */
  function countingPort() {
    const calls: string[] = [];
    let n = 0;
    const answer = <T>(name: string, value: (i: number) => T) =>
      (async () => {
        calls.push(name);
        return value(++n);
      })();
    const port = {
      customerByAddress: () => answer('customerByAddress', (i) => ({ id: i, code: 'C', name: 'Loja' })),
      customerById: (id: number) => answer(`customerById:${id}`, (i) => ({ id, code: `C${i}`, name: 'Loja' })),
      requestsOfCustomer: (id: number) => answer(`requestsOfCustomer:${id}`, (i) => [{ id: i }]),
      invoiceOfCustomer: (id: number, nf: string) => answer(`invoiceOfCustomer:${id}:${nf}`, (i) => ({ id: i })),
      linkContact: async () => {
        calls.push('linkContact');
      },
      createRequest: async () => {
        calls.push('createRequest');
        return { protocol: 'AT-000001', id: 1 };
      },
      resubmitRequest: async () => ({ protocol: 'AT-000001' }),
      createForward: async () => ({ id: 1 }),
    } as unknown as ConversationPort;
    return { port, calls };
  }

  it('sends the predicted lookups at once and serves the same call from them, once', async () => {
    const { port, calls } = countingPort();
    const ahead = prefetch(port, [
      { kind: 'customerById', id: 7 },
      { kind: 'invoiceOfCustomer', customerId: 7, number: '88001' },
    ]);
    expect(calls).toEqual(['customerById:7', 'invoiceOfCustomer:7:88001']);
    const served = ahead.serve(port);
    const first = await served.customerById(7);
    expect(calls).toHaveLength(2);
    // A second call, or one with other arguments, asks the database.
    expect(await served.customerById(7)).not.toEqual(first);
    await served.invoiceOfCustomer(7, '88002');
    await served.invoiceOfCustomer(8, '88001');
    expect(calls.slice(2)).toEqual(['customerById:7', 'invoiceOfCustomer:7:88002', 'invoiceOfCustomer:8:88001']);
  });

  it('never serves a read from before a write of the flow', async () => {
    const { port, calls } = countingPort();
    const served = prefetch(port, [{ kind: 'requestsOfCustomer', customerId: 7 }]).serve(port);
    await served.createRequest({} as never);
    await served.requestsOfCustomer(7);
    expect(calls).toEqual(['requestsOfCustomer:7', 'createRequest', 'requestsOfCustomer:7']);
  });

  it('keeps an unused lookup that failed from becoming an unhandled rejection', async () => {
    const { port } = countingPort();
    const failing = { ...port, customerByAddress: () => Promise.reject(new Error('connection lost')) };
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      prefetch(failing, [{ kind: 'customerByAddress' }]);
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
