import {
  bigint,
  bigserial,
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/*
 * Keep SQL to what both PGlite (PostgreSQL 18) and Debian's PostgreSQL 15 accept.
 * Nothing is deleted: history tables are append-only; people and tokens are disabled/revoked.
 */

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const customers = pgTable(
  'customers',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    /** 14 digits. */
    cnpj: text('cnpj').notNull(),
    /** State (UF, two letters) when the customers file has the optional `uf` column: decides the CFOP default. */
    uf: text('uf'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('customers_cnpj_idx').on(t.cnpj)],
);

/** A way to reach a customer: E.164 phone, lower-case e-mail, or a channel id (`telegram:123`). */
export const contacts = pgTable(
  'contacts',
  {
    id: serial('id').primaryKey(),
    customerId: integer('customer_id')
      .notNull()
      .references(() => customers.id),
    value: text('value').notNull(),
    kind: text('kind', { enum: ['phone', 'email', 'channel'] }).notNull(),
    /** `import` (master data) or `conversation` (linked after an NF of the customer was confirmed). */
    source: text('source', { enum: ['import', 'conversation', 'staff'] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('contacts_customer_value_uq').on(t.customerId, t.value), index('contacts_value_idx').on(t.value)],
);

export const products = pgTable(
  'products',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    /** Empty string when the product has no mask. */
    mask: text('mask').notNull().default(''),
    description: text('description').notNull(),
    weightKg: doublePrecision('weight_kg').notNull(),
    /** Null: the configured default applies. */
    warrantyMonths: integer('warranty_months'),
    /** Unit cost for the assistance cost KPI (optional `custo` column). */
    cost: doublePrecision('cost'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('products_code_mask_uq').on(t.code, t.mask), index('products_code_idx').on(t.code)],
);

export const invoices = pgTable(
  'invoices',
  {
    id: serial('id').primaryKey(),
    /** Digits only, no leading zeros. */
    number: text('number').notNull().unique(),
    customerId: integer('customer_id')
      .notNull()
      .references(() => customers.id),
    issueDate: date('issue_date', { mode: 'string' }).notNull(),
    orderNumber: text('order_number').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('invoices_customer_idx').on(t.customerId), index('invoices_order_idx').on(t.orderNumber)],
);

export const invoiceItems = pgTable(
  'invoice_items',
  {
    id: serial('id').primaryKey(),
    invoiceId: integer('invoice_id')
      .notNull()
      .references(() => invoices.id),
    productId: integer('product_id')
      .notNull()
      .references(() => products.id),
    quantity: integer('quantity').notNull(),
  },
  (t) => [uniqueIndex('invoice_items_uq').on(t.invoiceId, t.productId)],
);

/**
 * One row per channel address (a phone on WhatsApp, a web chat sender, a Telegram user, an
 * e-mail address). Its row lock serialises the messages of that address, so two messages
 * 50 ms apart can never create two conversations.
 */
export const endpoints = pgTable(
  'endpoints',
  {
    id: serial('id').primaryKey(),
    channel: text('channel').notNull(),
    /** E.164 phone, lower-case e-mail or `telegram:<id>` / `whatsapp:<id>`. */
    address: text('address').notNull(),
    displayName: text('display_name'),
    /** The conversation new messages continue, when one is open. */
    currentConversationId: text('current_conversation_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('endpoints_channel_address_uq').on(t.channel, t.address)],
);

export const conversations = pgTable(
  'conversations',
  {
    id: text('id').primaryKey(),
    channel: text('channel').notNull(),
    address: text('address').notNull(),
    endpointId: integer('endpoint_id')
      .notNull()
      .references(() => endpoints.id),
    /** Known once identified (a known contact, or a confirmed NF of the customer). */
    customerId: integer('customer_id').references(() => customers.id),
    /** Versioned state snapshot, parsed by the engine's schema. */
    state: jsonb('state').notNull(),
    /** E-mail thread key and other channel data. */
    channelData: jsonb('channel_data'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('conversations_address_idx').on(t.channel, t.address)],
);

export interface AttachmentRef {
  sha256: string;
  contentType: string;
  filename?: string;
}

/** Inbound and outbound messages: the transcript. Inbound rows are the inbox. */
export const messages = pgTable(
  'messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    conversationId: text('conversation_id').references(() => conversations.id),
    channel: text('channel').notNull(),
    address: text('address').notNull(),
    direction: text('direction', { enum: ['in', 'out'] }).notNull(),
    /** Inbound: the channel's id of the message (dedup key together with channel and address). */
    externalId: text('external_id'),
    text: text('text').notNull().default(''),
    options: jsonb('options').$type<string[]>(),
    attachments: jsonb('attachments').$type<AttachmentRef[]>(),
    /** Outbound: the inbound message it answers (so a repeated POST returns the same replies). */
    replyToId: bigint('reply_to_id', { mode: 'number' }),
    /** Who wrote an outbound message: `bot` or a staff user/token. */
    author: text('author'),
    /** Outbound rendering hints for channels (`{ askContact: true }`). */
    meta: jsonb('meta').$type<{ askContact?: boolean }>(),
    processedAt: ts('processed_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('messages_inbox_uq').on(t.channel, t.address, t.externalId),
    index('messages_conversation_idx').on(t.conversationId, t.id),
    index('messages_address_idx').on(t.channel, t.address, t.id),
    index('messages_reply_to_idx').on(t.replyToId),
  ],
);

/** Delivery state of outbound messages; written in the same transaction as the message. */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    messageId: bigint('message_id', { mode: 'number' })
      .notNull()
      .references(() => messages.id),
    channel: text('channel').notNull(),
    address: text('address').notNull(),
    status: text('status', { enum: ['pending', 'sent', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** Set by the sender that is delivering it; a stale claim (crash) is taken over by the sweep. */
    claimedAt: ts('claimed_at'),
    /** The channel's id of the sent message (e-mail Message-ID, Telegram message_id). */
    externalId: text('external_id'),
    sentAt: ts('sent_at'),
    createdAt: createdAt(),
  },
  (t) => [index('outbox_status_idx').on(t.status, t.id)],
);

export const media = pgTable('media', {
  sha256: text('sha256').primaryKey(),
  contentType: text('content_type').notNull(),
  sizeBytes: integer('size_bytes').notNull(),
  width: integer('width').notNull(),
  height: integer('height').notNull(),
  originalPath: text('original_path').notNull(),
  thumbPath: text('thumb_path').notNull(),
  createdAt: createdAt(),
});

export const protocolSeq = pgSequence('request_protocol_seq', { startWith: 1 });

export const requests = pgTable(
  'requests',
  {
    id: serial('id').primaryKey(),
    protocol: text('protocol').notNull().unique(),
    status: text('status').notNull(),
    channel: text('channel').notNull(),
    origin: text('origin', { enum: ['bot', 'sac'] })
      .notNull()
      .default('bot'),
    customerId: integer('customer_id')
      .notNull()
      .references(() => customers.id),
    contact: text('contact').notNull(),
    conversationId: text('conversation_id').references(() => conversations.id),
    invoiceId: integer('invoice_id').references(() => invoices.id),
    invoiceNumber: text('invoice_number').notNull(),
    /** Set when the NF was accepted without being found ("NF não localizada"). */
    invoiceNotFound: boolean('invoice_not_found').notNull().default(false),
    orderNumber: text('order_number'),
    reasonCategory: text('reason_category').notNull(),
    reasonDescription: text('reason_description').notNull(),
    warrantyUntil: date('warranty_until', { mode: 'string' }),
    inWarranty: boolean('in_warranty').notNull(),
    /** How many times the customer submitted (1 + resubmissions after a return). */
    round: integer('round').notNull().default(1),
    /** What the reviewer asked for when returning, shown to the bot's correction flow. */
    returnMessage: text('return_message'),
    /** FOCCO import data filled by the assistant (validated by the ERP hand-off service). */
    erp: jsonb('erp'),
    erpOrderNumber: text('erp_order_number'),
    /** The export batch that marked the request `imported`. */
    erpBatchId: integer('erp_batch_id'),
    financeReleasedAt: ts('finance_released_at'),
    financeReleasedBy: text('finance_released_by'),
    releasedAt: ts('released_at'),
    releasedBy: text('released_by'),
    /** The day's release it went out in. */
    releaseId: integer('release_id'),
    /** Released alone because it exceeds the daily cap by itself. */
    releaseOversize: boolean('release_oversize').notNull().default(false),
    shippedAt: ts('shipped_at'),
    /** The NF of the shipment (not the customer's purchase NF). */
    shipmentInvoice: text('shipment_invoice'),
    closedAt: ts('closed_at'),
    /** Assistance cost in BRL set by staff; null = computed from the items' product costs. */
    costBrl: doublePrecision('cost_brl'),
    /** The model's summary and suggested reason category for reviewers (a suggestion only). */
    llmSummary: jsonb('llm_summary'),
    submittedAt: ts('submitted_at').notNull().defaultNow(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('requests_status_idx').on(t.status, t.createdAt),
    index('requests_customer_idx').on(t.customerId),
    index('requests_order_idx').on(t.orderNumber),
    index('requests_erp_order_idx').on(t.erpOrderNumber),
  ],
);

export const requestItems = pgTable('request_items', {
  id: serial('id').primaryKey(),
  requestId: integer('request_id')
    .notNull()
    .references(() => requests.id),
  productId: integer('product_id').references(() => products.id),
  productCode: text('product_code').notNull(),
  mask: text('mask').notNull().default(''),
  description: text('description').notNull(),
  quantity: integer('quantity').notNull(),
  weightKg: doublePrecision('weight_kg').notNull(),
  warrantyUntil: date('warranty_until', { mode: 'string' }),
});

export const requestPhotos = pgTable(
  'request_photos',
  {
    requestId: integer('request_id')
      .notNull()
      .references(() => requests.id),
    sha256: text('sha256')
      .notNull()
      .references(() => media.sha256),
    round: integer('round').notNull().default(1),
    position: integer('position').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.sha256] })],
);

/** Append-only history of a request: status changes, edits, notes. */
export const requestEvents = pgTable(
  'request_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    requestId: integer('request_id')
      .notNull()
      .references(() => requests.id),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    by: text('by').notNull(),
    kind: text('kind', { enum: ['status', 'note', 'edit'] }).notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    note: text('note'),
    data: jsonb('data'),
  },
  (t) => [index('request_events_request_idx').on(t.requestId, t.id)],
);

export const forwards = pgTable(
  'forwards',
  {
    id: serial('id').primaryKey(),
    team: text('team', { enum: ['projects', 'training', 'assistance', 'finance'] }).notNull(),
    conversationId: text('conversation_id').references(() => conversations.id),
    channel: text('channel').notNull(),
    address: text('address').notNull(),
    customerId: integer('customer_id').references(() => customers.id),
    requestId: integer('request_id').references(() => requests.id),
    intent: text('intent').notNull(),
    question: text('question').notNull(),
    orderNumber: text('order_number'),
    status: text('status', { enum: ['open', 'answered'] })
      .notNull()
      .default('open'),
    answer: text('answer'),
    answeredBy: text('answered_by'),
    answeredAt: ts('answered_at'),
    createdAt: createdAt(),
  },
  (t) => [index('forwards_team_idx').on(t.team, t.status)],
);

export const users = pgTable('users', {
  id: serial('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  role: text('role').notNull(),
  passwordHash: text('password_hash').notNull(),
  disabled: boolean('disabled').notNull().default(false),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const apiTokens = pgTable('api_tokens', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  role: text('role').notNull(),
  /** sha256 of the token: tokens are long random strings, so a fast hash is enough to look them up. */
  tokenHash: text('token_hash').notNull().unique(),
  createdAt: createdAt(),
  revokedAt: ts('revoked_at'),
  lastUsedAt: ts('last_used_at'),
});

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: updatedAt(),
});

/**
 * Staff console sessions, kept server-side. The cookie carries a random token; only its sha256 is
 * stored here (a leaked table opens no session). Sessions are ended (logout, idle, expiry, user
 * disabled, rotation at login), never deleted. `csrfToken` is checked on every console POST.
 */
export const consoleSessions = pgTable(
  'console_sessions',
  {
    /** sha256 (hex) of the cookie's token. */
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    csrfToken: text('csrf_token').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    endedAt: ts('ended_at'),
    endReason: text('end_reason'),
  },
  (t) => [index('console_sessions_user_idx').on(t.userId)],
);

/** Append-only log of console actions: who, what, when, on what, from where. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    userId: integer('user_id').references(() => users.id),
    /** The user's e-mail, or what was typed at a failed login. */
    actor: text('actor').notNull(),
    role: text('role'),
    /** `login.failed`, `request.decide`, `user.disable`, … */
    action: text('action').notNull(),
    /** What it was done to: `AT-000123`, `user:7`, `forward:3`, `outbox:12`, a URL for denied accesses. */
    target: text('target'),
    requestId: integer('request_id').references(() => requests.id),
    ip: text('ip'),
    details: jsonb('details'),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at),
    index('audit_log_action_idx').on(t.action, t.at),
    index('audit_log_actor_idx').on(t.actor, t.at),
  ],
);

/** One FOCCO export: the rows as exported, so re-exporting the batch gives the same file. */
export const erpBatches = pgTable('erp_batches', {
  id: serial('id').primaryKey(),
  createdBy: text('created_by').notNull(),
  requestIds: jsonb('request_ids').$type<number[]>().notNull(),
  /** Header + rows exactly as written to the file (strings), in column-layout order. */
  table: jsonb('table').$type<(string | number)[][]>().notNull(),
  createdAt: createdAt(),
});

/** One day's release (plan recorded): which requests, the total weight, who released it. */
export const releases = pgTable(
  'releases',
  {
    id: serial('id').primaryKey(),
    day: date('day', { mode: 'string' }).notNull(),
    capKg: doublePrecision('cap_kg').notNull(),
    totalKg: doublePrecision('total_kg').notNull(),
    requestIds: jsonb('request_ids').$type<number[]>().notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('releases_day_idx').on(t.day)],
);

/** Every call to the language model: what for, tokens, estimated cost, outcome, chosen slot sources. */
export const llmCalls = pgTable(
  'llm_calls',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    conversationId: text('conversation_id'),
    messageId: bigint('message_id', { mode: 'number' }),
    requestId: integer('request_id'),
    /** `extract` (understanding a message) or `summary` (for reviewers). */
    purpose: text('purpose').notNull(),
    model: text('model').notNull(),
    promptVersion: text('prompt_version').notNull(),
    /** `ok`, `timeout`, `http_error`, `invalid_json`, `schema_mismatch`, `circuit_open`, `budget`, … */
    outcome: text('outcome').notNull(),
    error: text('error'),
    latencyMs: integer('latency_ms'),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    costUsd: doublePrecision('cost_usd').notNull().default(0),
    /** Per slot, which source the engine kept (`rules`, `llm`, `none`) and why. */
    choices: jsonb('choices'),
  },
  (t) => [index('llm_calls_at_idx').on(t.at), index('llm_calls_conversation_idx').on(t.conversationId)],
);
