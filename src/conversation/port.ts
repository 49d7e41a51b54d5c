import type { Team } from '../../flows/routing';
import type { RequestStatus } from '../domain/request-status';
import type { Intent, ReasonCategory } from '../understanding/signals';
import type { DraftItem } from './state';

export interface CustomerInfo {
  id: number;
  code: string;
  name: string;
}

export interface InvoiceInfo {
  id: number;
  number: string;
  customerId: number;
  issueDate: string;
  orderNumber: string;
  items: InvoiceItemInfo[];
}

export interface InvoiceItemInfo {
  productId: number;
  code: string;
  mask: string;
  description: string;
  quantity: number;
  weightKg: number;
  warrantyMonths: number | null;
}

export interface ProductInfo {
  id: number;
  code: string;
  mask: string;
  description: string;
  weightKg: number;
  warrantyMonths: number | null;
}

export interface RequestSummary {
  id: number;
  protocol: string;
  status: RequestStatus;
  invoiceNumber: string;
  orderNumber: string | null;
  /** The assistance order in the ERP, once imported (customers may ask by it). */
  erpOrderNumber: string | null;
  /** Imported charged assistance that finance has not released yet. */
  awaitingFinance: boolean;
  createdAt: Date;
}

export interface NewRequest {
  customerId: number;
  /** The customer's contact shown on the request: E.164 phone once known, else the channel address. */
  contact?: string;
  invoiceId?: number;
  invoiceNumber: string;
  invoiceNotFound: boolean;
  orderNumber?: string;
  reason: { category: ReasonCategory; description: string };
  items: DraftItem[];
  photos: string[];
  warrantyUntil: string | null;
  inWarranty: boolean;
}

export interface NewForward {
  team: Team;
  intent: Intent;
  question: string;
  customerId?: number;
  orderNumber?: string;
  requestId?: number;
}

/**
 * What the engine may ask of the world: lookups and the few commands it issues. The service
 * implements it on the current transaction; tests implement it in memory. Everything scoped
 * to a customer takes the customer id, so one customer's data can never leak to another.
 */
export interface ConversationPort {
  /** Today, as `YYYY-MM-DD`. */
  today(): string;
  defaultWarrantyMonths: number;
  assistanceDeadlineDays: number;
  /** The channel of this conversation (texts differ where a channel has buttons). */
  channel: string;
  customerByAddress(): Promise<CustomerInfo | null>;
  /** The customer with this phone among its contacts (E.164; the mobile's extra 9 tolerated). */
  customerByPhone(e164: string): Promise<CustomerInfo | null>;
  customerById(id: number): Promise<CustomerInfo | null>;
  customerByCnpj(cnpj: string): Promise<CustomerInfo | null>;
  /** The invoice with this number only if it belongs to the customer; null otherwise. */
  invoiceOfCustomer(customerId: number, number: string): Promise<InvoiceInfo | null>;
  productsByCode(code: string): Promise<ProductInfo[]>;
  requestsOfCustomer(customerId: number): Promise<RequestSummary[]>;
  /** Link this conversation's contact to the customer (after an NF of that customer was confirmed). */
  linkContact(customerId: number): Promise<void>;
  createRequest(req: NewRequest): Promise<{ protocol: string; id: number }>;
  resubmitRequest(requestId: number, req: NewRequest): Promise<{ protocol: string }>;
  createForward(fwd: NewForward): Promise<{ id: number }>;
  /** A charged request of this customer with that order number, to link a finance release to. */
  chargedRequestByOrder(customerId: number, orderNumber: string): Promise<{ id: number; protocol: string } | null>;
}
