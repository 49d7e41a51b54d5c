import type { Signals } from '../understanding/signals';
import type { ConversationPort } from './port';
import type { ConvState } from './state';

/**
 * Lookups sent ahead, with the message's lock statement (docs/decisions.md §25).
 *
 * Each lookup the flow makes after the lock statement is one more round trip, and on the message path round
 * trips are most of the cost. The engine remembers the state it saved for each address; when the next message
 * of that address comes, it reads the message against that state and predicts the lookups the flow will make
 * (who the customer is, their requests for a status question, the invoice a number names). They are queued on
 * the transaction's connection right behind the lock statement, so they leave in the same write and run after
 * the lock is held, and the flow's own calls with the same arguments are served from them.
 *
 * A wrong guess costs a cheap read and nothing else: only a call with exactly the predicted arguments is served,
 * the results come from this message's own transaction, and the first write the flow makes (a request, a
 * contact link, a forward) drops whatever was not used yet, so a read after a write is never served from before it.
 */
export type Lookup =
  | { kind: 'customerByAddress' }
  | { kind: 'customerById'; id: number }
  | { kind: 'requestsOfCustomer'; customerId: number }
  | { kind: 'invoiceOfCustomer'; customerId: number; number: string };

/** The lookups the flow will most likely make for a message read as `signals` in the conversation `state`. */
export function predictLookups(state: ConvState, signals: Signals): Lookup[] {
  const id = state.customerId;
  // An address not linked to a customer yet: the flow starts by looking it up.
  if (id === undefined) return [{ kind: 'customerByAddress' }];
  const out: Lookup[] = [];
  // A greeting is answered with the customer's name.
  if (signals.intents.includes('saudacao')) out.push({ kind: 'customerById', id });
  if (signals.intents.includes('status')) out.push({ kind: 'requestsOfCustomer', customerId: id });
  const nf = signals.invoiceNumbers.at(-1);
  if (nf) out.push({ kind: 'invoiceOfCustomer', customerId: id, number: nf });
  return out;
}

function keyOf(l: Lookup): string {
  switch (l.kind) {
    case 'customerByAddress':
      return l.kind;
    case 'customerById':
      return `${l.kind}:${l.id}`;
    case 'requestsOfCustomer':
      return `${l.kind}:${l.customerId}`;
    case 'invoiceOfCustomer':
      return `${l.kind}:${l.customerId}:${l.number}`;
  }
}

/** Lookups under way, to serve to the flow's port. */
export interface Prefetched {
  /** `port`, with its matching lookups answered from what was sent ahead. */
  serve(port: ConversationPort): ConversationPort;
}

/**
 * Start `lookups` on `reader` now (right after queueing the lock statement, in the same tick, so they follow it on
 * the connection).
 */
export function prefetch(reader: ConversationPort, lookups: Lookup[]): Prefetched {
  const started = new Map<string, Promise<unknown>>();
  for (const l of lookups) {
    const p = start(reader, l);
    p.catch(() => {}); // an unused lookup's failure is the transaction's failure, reported by the statements after it
    started.set(keyOf(l), p);
  }
  const take = <T>(l: Lookup, ask: () => Promise<T>): Promise<T> => {
    const key = keyOf(l);
    const p = started.get(key) as Promise<T> | undefined;
    if (!p) return ask();
    started.delete(key);
    return p;
  };
  // After a write, nothing read before it is served.
  const afterWrite =
    <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
    (...a: A): Promise<R> => {
      started.clear();
      return fn(...a);
    };
  return {
    serve: (port) => ({
      ...port,
      customerByAddress: () => take({ kind: 'customerByAddress' }, () => port.customerByAddress()),
      customerById: (id) => take({ kind: 'customerById', id }, () => port.customerById(id)),
      requestsOfCustomer: (customerId) =>
        take({ kind: 'requestsOfCustomer', customerId }, () => port.requestsOfCustomer(customerId)),
      invoiceOfCustomer: (customerId, number) =>
        take({ kind: 'invoiceOfCustomer', customerId, number }, () => port.invoiceOfCustomer(customerId, number)),
      linkContact: afterWrite(port.linkContact),
      createRequest: afterWrite(port.createRequest),
      resubmitRequest: afterWrite(port.resubmitRequest),
      createForward: afterWrite(port.createForward),
    }),
  };
}

function start(port: ConversationPort, l: Lookup): Promise<unknown> {
  switch (l.kind) {
    case 'customerByAddress':
      return port.customerByAddress();
    case 'customerById':
      return port.customerById(l.id);
    case 'requestsOfCustomer':
      return port.requestsOfCustomer(l.customerId);
    case 'invoiceOfCustomer':
      return port.invoiceOfCustomer(l.customerId, l.number);
  }
}
