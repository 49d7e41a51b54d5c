import { intakeFlow } from '../../flows/intake';
import { routing, type Team } from '../../flows/routing';
import {
  CONFIRM_OPTIONS,
  MENU_INTENTS,
  MENU_OPTIONS,
  NEED_PHRASES,
  REASON_LABELS,
  STATUS_PLAIN,
  T,
  TEAM_NAMES,
} from '../../flows/texts';
import { localDate } from '../domain/calendar';
import { formatCnpj } from '../domain/cnpj';
import { normalizeInvoiceNumber } from '../domain/invoice-number';
import { addDays, formatDateBr, isInWarranty, warrantyUntil } from '../domain/warranty';
import { mergeCandidates, type SlotChoices } from '../understanding/llm/merge-candidates';
import type { Extraction } from '../understanding/llm/model-output';
import type {
  ExpectedSlot,
  Intent,
  ProductRef,
  ReasonCategory,
  Signals,
  UnderstandingContext,
} from '../understanding/signals';
import type { ConversationPort, InvoiceInfo, ProductInfo } from './port';
import { type ConvState, type Draft, type DraftItem, emptyDraft, initialState, invoiceIntoDraft } from './state';

/** One inbound message as the engine sees it (attachments already checked and stored). */
export interface StepInput {
  text: string;
  /** sha256 of the accepted photos, in order. */
  photos: string[];
  /** Attachments refused because they are not images we can read. */
  refusedAttachments: number;
  /** Attachments refused because they are too large. */
  tooLargeAttachments: number;
  /** Attachments the channel could not download (network): the customer is asked to send them again. */
  unavailableAttachments?: number;
  /** Attachments over the per-message limit (ignored). */
  droppedAttachments?: number;
  /** The sender's name as the channel gives it (profile name, web chat form). */
  displayName?: string;
  /** A phone the channel verified as the sender's own (Telegram contact share), E.164. */
  verifiedPhone?: string;
  /** The model's candidates for this message (asked before the transaction); absent = rules only. */
  model?: Extraction;
}

export interface Reply {
  text: string;
  options?: string[];
  /** Offer the channel's "share my phone number" button (where there is one) to identify the sender. */
  askContact?: boolean;
}

export interface StepResult {
  state: ConvState;
  replies: Reply[];
  /** With model candidates: which source the turn kept for each slot (recorded in llm_calls). */
  choices?: SlotChoices;
}

export type Understand = (text: string, ctx: UnderstandingContext) => Signals;

const REASON_CATEGORIES: ReasonCategory[] = ['industria', 'transporte', 'cliente'];
/** Words that add an item to the list rather than correct it: "também", "tb", "além do", "mais um". */
const ALSO_RX = /\b(tambem|tb|tbm|tmb|alem d[aeo]s?|mais um|mais uma|outro|outra)\b/;
/** In a correction, words that make the items named the whole list: "é só a porta", "o item é o 523018". */
const ONLY_THESE_RX = /\b(so|somente|apenas|unicamente|soh) (o|a|os|as) [a-z]|\b(o item|a peca|o produto) (e|era|eh)\b/;
const SAFETY_RX =
  /\b(aprov|autoriz|liber)\w*\b.*\b(meu|minha|pedido|solicitac|direto|logo)|\b(ja|pode|podem) (aprov|autoriz)\w*|\b(sem|nao precisa( de)?|dispens\w*|pul\w*) (passar (por|pela) )?(a )?analise\b|ignor\w* (as |todas )?(as )?instruc/;

/**
 * One conversation turn: understand the message, fill every slot it gives, decide the
 * next question. Pure apart from the injected port; never throws for customer input.
 */
export async function step(
  prev: ConvState,
  input: StepInput,
  port: ConversationPort,
  understand: Understand,
): Promise<StepResult> {
  const turn = new Turn(structuredClone(prev), input, port, understand);
  await turn.run();
  return { state: turn.s, replies: turn.replies(), ...(turn.choices ? { choices: turn.choices } : {}) };
}

class Turn {
  /** Lines said before the question of this turn (notices, confirmations). */
  private notes: string[] = [];
  private question?: Reply;
  private quiet = false;
  /** The sender was identified by this very message (a shared phone). */
  private identifiedNow = false;
  private sig!: Signals;
  /** Which source won each slot when the model proposed candidates. */
  choices?: SlotChoices;
  /** Invoice numbers checked for the model merge (one lookup per number per turn). */
  private readonly invoiceChecks = new Map<string, boolean>();

  constructor(
    public s: ConvState,
    private readonly input: StepInput,
    private readonly port: ConversationPort,
    private readonly understand: Understand,
  ) {}

  replies(): Reply[] {
    if (this.quiet) return [];
    const parts = [...this.notes];
    if (this.question) parts.push(this.question.text);
    if (parts.length === 0) return [];
    const reply: Reply = { text: parts.join('\n\n') };
    if (this.question?.options?.length) reply.options = this.question.options;
    if (this.question?.askContact) reply.askContact = true;
    return [reply];
  }

  private ask(text: string, expecting?: ExpectedSlot, options?: string[]) {
    this.question = options ? { text, options } : { text };
    // Whoever is asked for the CNPJ may instead share a verified phone, on channels that can.
    if (
      this.s.customerId === undefined &&
      this.s.claimedCustomerId === undefined &&
      expecting !== 'confirm' &&
      this.s.phone === undefined
    ) {
      this.question.askContact = true;
    }
    // A photo alone that leaves the same question open (the rest of an album): stay quiet.
    const photoOnly = this.input.photos.length > 0 && !this.input.text.trim() && this.notes.length === 0;
    this.quiet = photoOnly && this.s.lastAsk === text && this.s.phase === 'intake';
    this.s.lastAsk = text;
    this.s.expecting = expecting;
    this.s.options = options;
  }

  private ctx(): UnderstandingContext {
    return {
      expecting: this.s.expecting as ExpectedSlot | undefined,
      options: this.s.options,
      invoiceItems: this.invoiceItemsHint(),
    };
  }

  /**
   * The rules' reading of the message, completed by the model's candidates when there are any:
   * rules win where certain, the model fills gaps, invoice numbers are checked against the customer
   * (src/understanding/llm/merge-candidates.ts). The model never picks an option or says yes.
   */
  private async understandMessage(): Promise<Signals> {
    const ctx = this.ctx();
    const rules = this.understand(this.input.text, ctx);
    const model = this.input.model;
    if (!model) return rules;
    const customerId = this.s.customerId ?? this.s.claimedCustomerId;
    if (customerId !== undefined) {
      const numbers = [...rules.invoiceNumbers.slice(-1), ...model.invoice_numbers.map((n) => n.value)];
      for (const raw of numbers) {
        const nf = normalizeInvoiceNumber(raw);
        if (!nf || this.invoiceChecks.has(nf)) continue;
        this.invoiceChecks.set(nf, (await this.port.invoiceOfCustomer(customerId, nf)) !== null);
      }
    }
    const inFlow = this.s.phase !== 'idle' && this.s.phase !== 'menu';
    const merged = mergeCandidates({
      rules,
      model,
      text: this.input.text,
      ctx,
      inFlow,
      invoiceCheck: this.invoiceChecks,
    });
    this.choices = merged.choices;
    return merged.signals;
  }

  private invoiceItemsHint() {
    return this.s.draft?.invoiceItems?.map((i) => ({
      code: i.code,
      description: i.description,
      mask: i.mask,
      quantity: i.quantity,
    }));
  }

  async run() {
    if (this.s.customerId === undefined) {
      const known = await this.port.customerByAddress();
      if (known) this.s.customerId = known.id;
    }
    if (this.input.verifiedPhone) {
      this.s.phone = this.input.verifiedPhone;
      if (this.s.customerId === undefined) {
        // A phone the channel verified as the sender's own identifies the customer as well as a known contact.
        const byPhone = await this.port.customerByPhone(this.input.verifiedPhone);
        if (byPhone) {
          this.s.customerId = byPhone.id;
          this.s.claimedCustomerId = undefined;
          await this.port.linkContact(byPhone.id);
          this.notes.push(T.phoneIdentified(titleCase(shortName(byPhone.name))));
          this.identifiedNow = true;
        } else this.notes.push(T.phoneNotFound);
      }
    }
    this.sig = await this.understandMessage();
    this.attachmentNotes();
    if (SAFETY_RX.test(fold(this.input.text))) this.notes.push(T.safety);

    const top = this.sig.intents[0];
    if (top === 'cancelar' && !this.hasSlotSignals()) return this.cancel();

    switch (this.s.phase) {
      case 'intake':
      case 'confirming':
        if (top === 'status' && !this.hasSlotSignals() && this.s.customerId !== undefined) {
          // "Como está minha solicitação?" in the middle of a new report: answer, then go on with the report.
          return this.statusDuringIntake();
        }
        if (top === 'humano' && !this.hasSlotSignals()) {
          await this.forward('humano');
          this.s.phase = this.s.phase === 'confirming' ? 'confirming' : 'intake';
          return;
        }
        return this.intake();
      case 'awaiting_order':
        return this.finance(this.sig.orderNumber ?? bareNumber(this.input.text));
      case 'status_identify':
        return this.status();
      case 'menu':
        if (this.sig.option !== undefined && this.s.options?.length) {
          const intent = MENU_INTENTS[this.sig.option];
          if (intent) return this.route(intent, true);
        }
        return this.route(this.pickIntent(), false);
      default:
        return this.route(this.pickIntent(), false);
    }
  }

  private attachmentNotes() {
    const refused = this.input.refusedAttachments;
    const taken = this.input.photos.length;
    if (refused > 0) this.notes.push(taken > 0 ? T.photoRefusedOthersTaken(refused, taken) : T.photoRefused(refused));
    if (this.input.tooLargeAttachments > 0) this.notes.push(T.photoTooLarge);
    if ((this.input.unavailableAttachments ?? 0) > 0) this.notes.push(T.photoUnavailable);
    if ((this.input.droppedAttachments ?? 0) > 0) this.notes.push(T.photoTooMany);
  }

  private hasSlotSignals(): boolean {
    const g = this.sig;
    return (
      this.input.photos.length > 0 ||
      g.invoiceNumbers.length > 0 ||
      g.productRefs.length > 0 ||
      g.reason !== undefined ||
      g.cnpj !== undefined ||
      g.quantity !== undefined
    );
  }

  /** The intent of a message outside a flow. Assistance signals win over a vague intent. */
  private pickIntent(): Intent | undefined {
    const intents = this.sig.intents.filter((i) => i !== 'saudacao');
    // A damage report (NF, photo, a cause) outweighs an assembly question that names a product.
    const damage =
      this.input.photos.length > 0 || this.sig.invoiceNumbers.length > 0 || this.sig.reason?.category !== undefined;
    const first = intents[0];
    if (first && first !== 'assistencia' && first !== 'montagem' && first !== 'cancelar') return first;
    if (first === 'montagem' && !damage) return 'montagem';
    if (intents.includes('assistencia') || damage || this.sig.reason || this.sig.productRefs.length > 0)
      return 'assistencia';
    if (
      this.input.refusedAttachments > 0 ||
      this.input.tooLargeAttachments > 0 ||
      (this.input.unavailableAttachments ?? 0) > 0
    )
      return 'assistencia';
    return first;
  }

  private async route(intent: Intent | undefined, fromMenu: boolean) {
    switch (intent) {
      case 'assistencia':
        this.s.phase = 'intake';
        this.s.intent = 'assistencia';
        this.s.draft ??= emptyDraft();
        return this.intake();
      case 'status':
        return this.status();
      case 'promob':
      case 'montagem':
      case 'humano':
        if (fromMenu) {
          // The menu pick says the subject, not the question: ask for it.
          this.s.phase = 'idle';
          this.s.intent = intent;
          this.ask('Certo! Qual é a sua dúvida? Pode escrever com detalhes.', undefined);
          this.s.phase = 'menu';
          this.s.options = undefined;
          return;
        }
        return this.forward(intent);
      case 'financeiro':
        return this.finance(this.sig.orderNumber);
      case 'cancelar':
        return this.cancel();
      default: {
        if (this.s.intent && this.s.phase === 'menu' && this.input.text.trim() && !this.s.options) {
          // The question after a menu pick ("Dúvida sobre o Promob" → "como atualizo a biblioteca?").
          return this.forward(this.s.intent);
        }
        const greeting = this.sig.intents.includes('saudacao') || !this.input.text.trim();
        if (greeting) return this.greet();
        this.s.phase = 'menu';
        this.ask(T.menu, 'menu', [...MENU_OPTIONS]);
      }
    }
  }

  private async greet() {
    const customer = this.s.customerId ? await this.port.customerById(this.s.customerId) : null;
    if (!this.identifiedNow) {
      const name = this.input.displayName?.trim() || (customer ? shortName(customer.name) : undefined);
      this.notes.push(T.greeting(name ? titleCase(name) : undefined));
    }
    const needs: string[] = [];
    if (!customer) needs.push(this.cnpjPhrase());
    needs.push(NEED_PHRASES.invoice, NEED_PHRASES.items, NEED_PHRASES.reason, NEED_PHRASES.photos);
    this.ask(`Se precisa de assistência técnica: ${lowerFirst(T.askNeeds(needs))}\n${T.openingHelp}`, undefined);
    this.s.phase = 'menu';
    this.s.intent = undefined;
  }

  /** Offer the phone button only where there is one and no phone was shared yet. */
  private canAskPhone(): boolean {
    return this.port.channel === 'telegram' && this.s.phone === undefined;
  }

  private cnpjPhrase(): string {
    return this.canAskPhone() ? NEED_PHRASES.cnpjOrPhone : NEED_PHRASES.cnpj;
  }

  private cancel() {
    const active = this.s.phase === 'intake' || this.s.phase === 'confirming' || this.s.phase === 'awaiting_order';
    this.notes.push(active ? T.cancelled : T.nothingToCancel);
    const stash = this.s.returned ? this.s.stash : undefined;
    this.reset();
    if (stash) {
      // Cancelling the correction must not lose the other request the customer was opening.
      this.s.intent = 'assistencia';
      this.s.draft = stash.draft;
      this.notes.push(T.resumeStashed);
      this.next(stash.draft);
    }
  }

  private reset() {
    const keep = { customerId: this.s.customerId, lastProtocol: this.s.lastProtocol };
    this.s = { ...initialState(), ...keep };
  }

  // ---------------------------------------------------------------- forwards
  private async forward(intent: Intent) {
    const route = routing[intent as keyof typeof routing];
    let team: Team = route?.team ?? 'assistance';
    if (intent === 'promob' && this.sig.promobTeam === 'training') team = 'training';
    await this.port.createForward({
      team,
      intent,
      question: this.input.text.trim() || '(sem texto)',
      customerId: this.s.customerId,
    });
    this.notes.push(intent === 'humano' ? T.forwardedHuman : T.forwarded(TEAM_NAMES[team]));
    if (this.s.phase !== 'intake' && this.s.phase !== 'confirming') this.reset();
  }

  private async finance(order: string | undefined) {
    if (!order) {
      this.s.phase = 'awaiting_order';
      this.s.intent = 'financeiro';
      this.ask(T.askOrderNumber, 'order');
      return;
    }
    const linked = this.s.customerId ? await this.port.chargedRequestByOrder(this.s.customerId, order) : null;
    await this.port.createForward({
      team: 'finance',
      intent: 'financeiro',
      question: this.input.text.trim(),
      customerId: this.s.customerId,
      orderNumber: order,
      requestId: linked?.id,
    });
    this.notes.push(T.financeForwarded(order));
    this.reset();
  }

  // ---------------------------------------------------------------- status
  private async statusDuringIntake() {
    const { draft, phase } = this.s;
    await this.listRequests(this.s.customerId!);
    const started =
      draft &&
      (draft.invoiceNumber || draft.items.length || draft.pendingRefs.length || draft.reason || draft.photos.length);
    if (!draft || !started) return this.reset();
    this.notes.push(T.intakeResumes);
    this.s.phase = phase;
    if (phase === 'confirming' && this.missing(draft).length === 0)
      return this.confirm(draft, this.chargedWarnings(draft).size > 0);
    this.next(draft);
  }

  private async status() {
    if (this.s.customerId === undefined) {
      // Unknown contact: CNPJ + an NF of that customer before showing anything.
      this.s.phase = 'status_identify';
      this.s.intent = 'status';
      this.s.draft ??= emptyDraft();
      await this.identify();
      if (this.s.customerId === undefined) {
        const needs = [this.cnpjPhrase(), 'o número de uma nota fiscal da loja'];
        this.ask(`Para consultar, preciso identificar a sua loja. ${T.askNeeds(needs)}`, 'cnpj');
        return;
      }
    }
    await this.listRequests(this.s.customerId);
    this.reset();
  }

  /** The customer's requests in plain words (by protocol or order number when one was said). */
  private async listRequests(customerId: number) {
    const all = await this.port.requestsOfCustomer(customerId);
    const ref = this.sig.protocol ?? this.sig.orderNumber;
    const chosen = ref
      ? all.filter((r) => r.protocol === ref || r.orderNumber === ref || r.erpOrderNumber === ref)
      : all.filter((r) => r.status !== 'closed');
    if (ref && chosen.length === 0) this.notes.push(T.statusNotFoundRef(ref));
    else if (chosen.length === 0) this.notes.push(T.statusNone);
    else {
      const lines = chosen.slice(0, 8).map((r) => {
        const plain = (r.awaitingFinance ? STATUS_PLAIN.awaiting_finance : STATUS_PLAIN[r.status]) ?? {
          label: r.status,
          next: '',
        };
        return T.statusLine(r.protocol, r.invoiceNumber, plain.label, plain.next, formatDateBr(localDate(r.createdAt)));
      });
      this.notes.push([T.statusHeader(chosen.length), ...lines].join('\n'));
    }
  }

  /** Use a CNPJ and an NF from this message to identify an unknown contact. */
  private async identify() {
    const d = this.s.draft ?? emptyDraft();
    this.s.draft = d;
    if (this.sig.cnpj) {
      const c = await this.port.customerByCnpj(this.sig.cnpj);
      if (c) this.s.claimedCustomerId = c.id;
      else this.notes.push(T.cnpjNotFound(formatCnpj(this.sig.cnpj)));
    } else if (looksLikeBadCnpj(this.input.text) && this.s.expecting === 'cnpj') {
      this.notes.push(T.cnpjInvalid);
    }
    const nf = this.sig.invoiceNumbers.at(-1) ?? (this.s.expecting === 'cnpj' ? undefined : undefined);
    if (nf) d.invoiceNumber = nf;
    const claimed = this.s.claimedCustomerId;
    if (claimed !== undefined && d.invoiceNumber && !d.invoice) {
      const inv = await this.port.invoiceOfCustomer(claimed, d.invoiceNumber);
      if (inv) {
        this.setInvoice(d, inv);
        this.s.customerId = claimed;
        this.s.claimedCustomerId = undefined;
        await this.port.linkContact(claimed);
      }
    }
  }

  // ---------------------------------------------------------------- intake
  private async intake() {
    this.s.draft ??= emptyDraft();
    const d = this.s.draft;
    const wasConfirming = this.s.phase === 'confirming';
    const invoiceBefore = d.invoice?.id;

    await this.applyIdentityAndInvoice(d);
    if (d.invoice && d.invoice.id !== invoiceBefore) {
      // Now that the invoice's items are known, read the message again against them.
      this.sig = { ...(await this.understandMessage()), invoiceNumbers: this.sig.invoiceNumbers };
    }
    await this.applyItems(d);
    this.applyReason(d);
    this.applyPhotos(d);

    const slotSignals = this.hasSlotSignals();
    if (wasConfirming && !slotSignals) {
      if (this.sig.yesNo === 'yes' || this.sig.option === 0) return this.submit(d);
      if (this.sig.yesNo === 'no' || this.sig.option === 1) {
        this.s.phase = 'intake';
        this.ask(T.askWhatToFix, undefined);
        this.s.phase = 'confirming';
        return;
      }
    }
    if (!wasConfirming && this.s.phase === 'intake' && this.sig.yesNo === 'yes' && this.missing(d).length === 0) {
      return this.submit(d);
    }
    this.next(d);
  }

  private async applyIdentityAndInvoice(d: Draft) {
    if (this.s.customerId === undefined) await this.identify();
    const said =
      this.sig.invoiceNumbers.at(-1) ?? (this.s.expecting === 'invoice' ? bareNumber(this.input.text) : undefined);
    const customerId = this.s.customerId;
    if (customerId === undefined) {
      if (said) d.invoiceNumber = said;
      return;
    }
    // A number said now, or one said before the customer was known and not looked up yet.
    const pending =
      !d.invoice && !d.invoiceNotFound && d.invoiceNumber !== d.missedInvoice ? d.invoiceNumber : undefined;
    const nf = said ?? pending;
    if (!nf || nf === d.invoice?.number) return;
    // Another invoice: keep what the customer said about the parts, re-resolve against it.
    d.pendingRefs = [
      ...d.items.map((i) => ({ code: i.code, mask: i.mask, quantity: i.quantityStated ? i.quantity : undefined })),
      ...d.unmatchedRefs,
      ...d.pendingRefs,
    ];
    d.unmatchedRefs = [];
    d.invoice = undefined;
    d.invoiceItems = undefined;
    d.items = [];
    d.invoiceNotFound = false;
    d.invoiceNumber = nf;
    const inv = await this.port.invoiceOfCustomer(customerId, nf);
    if (inv) {
      this.setInvoice(d, inv);
      d.missedInvoice = undefined;
      return;
    }
    d.invoiceMisses += 1;
    d.missedInvoice = nf;
    if (d.invoiceMisses >= intakeFlow.maxInvoiceMisses) {
      d.invoiceNotFound = true;
      this.notes.push(T.invoiceAcceptedUnverified(nf));
    } else this.notes.push(T.invoiceNotFound(nf));
  }

  private setInvoice(d: Draft, inv: InvoiceInfo) {
    invoiceIntoDraft(d, inv);
  }

  private async applyItems(d: Draft) {
    const refs: ProductRef[] = [...this.sig.productRefs];
    if (this.s.expecting === 'items' && this.sig.option !== undefined && d.invoiceItems) {
      const picked = d.invoiceItems[this.sig.option];
      if (picked && !refs.some((r) => r.code === picked.code)) {
        refs.push({ code: picked.code, mask: picked.mask, quantity: this.sig.quantity });
      }
    }
    // "Na verdade tem a dobradiça também" adds to the list; a correction without "também" replaces it.
    const folded = fold(this.input.text);
    const adding = ALSO_RX.test(folded);
    const onlyThese = ONLY_THESE_RX.test(folded);
    const replacing =
      (this.sig.correction || this.sig.yesNo === 'no' || (onlyThese && d.items.length > 0)) &&
      refs.some((r) => r.code) &&
      !adding;
    const canResolve = d.invoice !== undefined || d.invoiceNotFound;
    if (!canResolve) {
      // Not resolvable yet (invoice or store still unknown): a correction replaces what was said before.
      if (replacing) d.pendingRefs = [...refs];
      else d.pendingRefs.push(...refs);
      return;
    }
    const all = [...d.pendingRefs, ...refs];
    d.pendingRefs = [];
    const resolved: DraftItem[] = [];
    for (const ref of all) {
      const item = await this.resolveRef(d, ref);
      if (item) resolved.push(item);
    }
    if (replacing) {
      const isNew = resolved.some((r) => !d.items.some((i) => sameItem(i, r)));
      const newQuantity = resolved.some(
        (r) => r.quantityStated && d.items.some((i) => sameItem(i, r) && i.quantity !== r.quantity),
      );
      if (isNew) d.items = [];
      else if (!newQuantity || onlyThese) {
        // "Não, o item é o 523018": naming items already listed, and changing nothing about them, says the others
        // are not part of it ("é só a porta" says so in words).
        d.items = d.items.filter((i) => resolved.some((r) => sameItem(i, r)));
      }
    }
    for (const item of resolved) {
      const existing = d.items.find((i) => sameItem(i, item));
      if (existing) {
        if (item.quantityStated) {
          existing.quantity = item.quantity;
          existing.quantityStated = true;
        }
      } else d.items.push(item);
    }
    if (this.sig.quantity !== undefined && refs.length === 0 && d.items.length === 1) {
      const only = d.items[0]!;
      only.quantity = this.clampQuantity(only, this.sig.quantity);
      only.quantityStated = true;
    }
    if (d.items.length === 0 && d.invoiceItems?.length === 1 && !all.length) {
      // One item on the invoice: it can only be that one (shown in the summary to confirm).
      const only = d.invoiceItems[0]!;
      const item = this.itemFrom(d, only, undefined);
      d.items.push(item);
    }
  }

  private async resolveRef(d: Draft, given: ProductRef): Promise<DraftItem | null> {
    let ref = given;
    if (!ref.code && ref.words && d.invoiceItems) {
      // Words said before the invoice was known ("a porta branca"): match them against its items now.
      const again = this.understand(ref.words, { expecting: 'items', invoiceItems: this.invoiceItemsHint() });
      const found = again.productRefs.find((r) => r.code);
      if (found) ref = { ...found, quantity: ref.quantity ?? found.quantity };
    }
    if (!ref.code) {
      if (ref.words) this.notes.push(T.itemDescriptionUnclear(ref.words));
      return null;
    }
    if (d.invoiceItems) {
      const sameCode = d.invoiceItems.filter((i) => i.code === ref.code);
      const match =
        sameCode.find((i) => ref.mask !== undefined && fold(i.mask) === fold(ref.mask)) ??
        (sameCode.length >= 1 ? sameCode[0] : undefined);
      if (!match) {
        this.notes.push(T.itemNotOnInvoice(ref.code, d.invoice?.number ?? ''));
        if (!d.unmatchedRefs.some((u) => u.code === ref.code)) d.unmatchedRefs.push(ref);
        return null;
      }
      return this.itemFrom(d, match, ref.quantity);
    }
    // NF not found: take the product from the catalogue.
    const products = await this.port.productsByCode(ref.code);
    const p: ProductInfo | undefined =
      products.find((x) => ref.mask !== undefined && fold(x.mask) === fold(ref.mask)) ?? products[0];
    if (!p) {
      this.notes.push(`Não encontrei o produto ${ref.code} no catálogo.`);
      return null;
    }
    return {
      productId: p.id,
      code: p.code,
      mask: p.mask,
      description: p.description,
      quantity: ref.quantity ?? intakeFlow.defaultQuantity,
      quantityStated: ref.quantity !== undefined,
      weightKg: p.weightKg,
      warrantyUntil: null,
    };
  }

  private itemFrom(d: Draft, inv: NonNullable<Draft['invoiceItems']>[number], quantity: number | undefined): DraftItem {
    const months = inv.warrantyMonths ?? this.port.defaultWarrantyMonths;
    const item: DraftItem = {
      productId: inv.productId,
      code: inv.code,
      mask: inv.mask,
      description: inv.description,
      quantity: quantity ?? intakeFlow.defaultQuantity,
      quantityStated: quantity !== undefined,
      invoiceQuantity: inv.quantity,
      weightKg: inv.weightKg,
      warrantyUntil: d.invoice ? warrantyUntil(d.invoice.issueDate, months) : null,
    };
    item.quantity = this.clampQuantity(item, item.quantity);
    return item;
  }

  private clampQuantity(item: DraftItem, q: number): number {
    if (item.invoiceQuantity !== undefined && q > item.invoiceQuantity) {
      this.notes.push(T.quantityTooHigh(item.code, item.invoiceQuantity));
      return item.invoiceQuantity;
    }
    return q;
  }

  private applyReason(d: Draft) {
    const r = this.sig.reason;
    if (this.s.expecting === 'reason_category' && this.sig.option !== undefined) {
      const cat = REASON_CATEGORIES[this.sig.option];
      if (cat) d.reason = { description: d.reason?.description ?? this.input.text.trim(), category: cat };
      return;
    }
    if (!r) return;
    if (this.s.expecting === 'reason_category' && d.reason) {
      d.reason = { ...d.reason, category: r.category ?? d.reason.category };
      return;
    }
    const correctsOtherSlot =
      this.sig.correction &&
      (this.sig.quantity !== undefined || this.sig.productRefs.length > 0 || this.sig.invoiceNumbers.length > 0);
    if (correctsOtherSlot && !r.category && d.reason?.category) {
      // "Corrigindo a quantidade: são 3, o montador achou mais uma trincada": the quantity is corrected, not the
      // cause already given.
      return;
    }
    d.reason = {
      description: r.description.trim() || d.reason?.description || this.input.text.trim(),
      category: r.category ?? (this.sig.correction ? undefined : d.reason?.category),
    };
  }

  private applyPhotos(d: Draft) {
    for (const p of this.input.photos) if (!d.photos.includes(p)) d.photos.push(p);
  }

  /** What is still missing, in the flow's order. */
  private missing(d: Draft): string[] {
    const needs: string[] = [];
    const identified = this.s.customerId !== undefined || this.s.claimedCustomerId !== undefined;
    for (const { slot } of intakeFlow.slots) {
      if (slot === 'customer' && !identified) needs.push('cnpj');
      if (slot === 'invoice' && !d.invoiceNumber) needs.push('invoice');
      if (slot === 'items' && d.items.length === 0 && d.pendingRefs.length === 0) needs.push('items');
      if (slot === 'items' && d.items.length === 0 && d.pendingRefs.length > 0 && (d.invoice || d.invoiceNotFound))
        needs.push('items');
      if (slot === 'reason' && !d.reason) needs.push('reason');
      if (slot === 'reason' && d.reason && !d.reason.category) needs.push('reason_category');
      if (slot === 'photos' && d.photos.length === 0) needs.push('photos');
    }
    // An invoice number given, but not yet checked (customer unknown) or not found: ask again.
    if (identified && d.invoiceNumber && !d.invoice && !d.invoiceNotFound && !needs.includes('invoice')) {
      needs.splice(needs.indexOf('cnpj') + 1, 0, 'invoice');
    }
    return needs;
  }

  /** Reasons to expect charged assistance, keyed so each is said once. */
  private chargedWarnings(d: Draft): Map<string, string> {
    const out = new Map<string, string>();
    const until = earliest(d.items.map((i) => i.warrantyUntil));
    if (until && !isInWarranty(until, this.port.today())) out.set('warranty', T.warnOutOfWarranty(formatDateBr(until)));
    if (d.reason?.category === 'cliente') out.set('reason:cliente', T.warnReasonCliente);
    return out;
  }

  private next(d: Draft) {
    this.s.phase = 'intake';
    const needs = this.missing(d);
    const warnings = this.chargedWarnings(d);
    const fresh = [...warnings.keys()].filter((k) => !d.warned.includes(k));
    if (fresh.length) {
      d.warned.push(...fresh);
      this.notes.push(...fresh.map((k) => warnings.get(k)!));
      if (needs.length) this.notes.push(T.warnContinueHint);
    }
    if (needs.length === 0) return this.confirm(d, warnings.size > 0);
    if (needs.length === 1 && needs[0] === 'items' && d.invoiceItems?.length && d.invoice) {
      const opts = d.invoiceItems.map((i) => itemLabel(i));
      this.ask(T.askItemPick(d.invoice.number), 'items', opts);
      return;
    }
    if (needs.length === 1 && needs[0] === 'reason_category') {
      this.ask(
        T.askReasonCategory,
        'reason_category' as ExpectedSlot,
        REASON_CATEGORIES.map((c) => REASON_LABELS[c]),
      );
      return;
    }
    const phrases = needs.map((n) => {
      if (n === 'items' && d.invoice) return NEED_PHRASES.itemsKnownInvoice;
      if (n === 'invoice' && d.missedInvoice && d.missedInvoice === d.invoiceNumber) return NEED_PHRASES.invoiceRecheck;
      if (n === 'reason_category') return 'a causa do problema (defeito de fábrica, transporte ou montagem)';
      if (n === 'cnpj') return this.cnpjPhrase();
      return NEED_PHRASES[n as keyof typeof NEED_PHRASES];
    });
    const expecting: ExpectedSlot | undefined =
      needs.length === 1
        ? ({ cnpj: 'cnpj', invoice: 'invoice', items: 'items', reason: 'reason', photos: 'photos' } as const)[
            needs[0] as 'cnpj'
          ]
        : needs[0] === 'cnpj'
          ? 'cnpj'
          : needs[0] === 'invoice'
            ? 'invoice'
            : undefined;
    this.ask(T.askNeeds(phrases), expecting);
  }

  private confirm(d: Draft, charged: boolean) {
    const lines: string[] = [T.summaryTitle];
    if (d.invoice) {
      lines.push(
        `• NF ${d.invoice.number} (emitida em ${formatDateBr(d.invoice.issueDate)}, pedido ${d.invoice.orderNumber})`,
      );
    } else lines.push(`• NF ${d.invoiceNumber} (não localizada — a equipe confere)`);
    for (const i of d.items) {
      const w = i.warrantyUntil ? ` - garantia até ${formatDateBr(i.warrantyUntil)}` : '';
      lines.push(`• ${i.code} - ${i.description}${i.mask ? ` - ${i.mask}` : ''} - qtd: ${i.quantity}${w}`);
    }
    if (d.reason) {
      lines.push(`• Motivo: ${REASON_LABELS[d.reason.category ?? 'industria']} — "${clip(d.reason.description, 200)}"`);
    }
    const fresh = d.photos.length - d.previousPhotos;
    lines.push(
      `• Fotos: ${d.photos.length}${d.previousPhotos && fresh > 0 ? ` (${fresh} nova${fresh > 1 ? 's' : ''})` : ''}`,
    );
    this.notes.push(lines.join('\n'));
    this.s.phase = 'confirming';
    this.ask(charged ? T.confirmQuestionCharged : T.confirmQuestion, 'confirm', [...CONFIRM_OPTIONS]);
  }

  private async submit(d: Draft) {
    const customerId = this.s.customerId ?? this.s.claimedCustomerId;
    const category = d.reason?.category;
    if (customerId === undefined || !d.invoiceNumber || !category || !d.reason || d.items.length === 0) {
      this.next(d);
      return;
    }
    const today = this.port.today();
    const until = earliest(d.items.map((i) => i.warrantyUntil));
    const req = {
      customerId,
      contact: this.s.phone,
      invoiceId: d.invoice?.id,
      invoiceNumber: d.invoiceNumber,
      invoiceNotFound: !d.invoice,
      orderNumber: d.invoice?.orderNumber,
      reason: { category, description: d.reason.description },
      items: d.items,
      photos: d.photos,
      warrantyUntil: until,
      inWarranty: d.items.every((i) => i.warrantyUntil !== null && isInWarranty(i.warrantyUntil, today)),
    };
    if (this.s.returned) {
      const { protocol } = await this.port.resubmitRequest(this.s.returned.requestId, req);
      this.notes.push(T.resubmitted(protocol));
      const stash = this.s.stash;
      this.reset();
      this.s.lastProtocol = protocol;
      if (stash) {
        this.s.intent = 'assistencia';
        this.s.draft = stash.draft;
        this.notes.push(T.resumeStashed);
        this.next(stash.draft);
      }
      return;
    }
    const { protocol } = await this.port.createRequest(req);
    const days = this.port.assistanceDeadlineDays;
    this.notes.push(T.submitted(protocol, days, formatDateBr(addDays(today, days))));
    this.reset();
    this.s.lastProtocol = protocol;
  }
}

// ------------------------------------------------------------------ helpers
function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

function sameItem(a: DraftItem, b: DraftItem): boolean {
  return a.code === b.code && a.mask === b.mask;
}

function earliest(dates: (string | null)[]): string | null {
  const real = dates.filter((d): d is string => d !== null).sort();
  return real[0] ?? null;
}

function itemLabel(i: { code: string; description: string; mask: string }): string {
  return `${i.code} - ${i.description}${i.mask ? ` - ${i.mask}` : ''}`;
}

function clip(s: string, n: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

function bareNumber(text: string): string | undefined {
  const m = /^\D*?(\d[\d.]{2,14})\D*$/.exec(text.trim());
  return m?.[1]?.replace(/\D/g, '').replace(/^0+/, '') || undefined;
}

function looksLikeBadCnpj(text: string): boolean {
  return /\d{2}\.?\d{3}\.?\d{3}\/?\d{4}-?\d{2}/.test(text);
}

function shortName(name: string): string {
  return name.replace(/\b(LTDA|EIRELI|ME|EPP|S\.?A\.?)\b\.?/gi, '').trim();
}

/** "CASA NOVA PLANEJADOS" → "Casa Nova Planejados" (names typed in lower case stay readable too). */
function titleCase(s: string): string {
  return s
    .toLowerCase()
    .split(/\s+/)
    .map((w) => (w.length > 2 || /^[a-z]$/.test(w) ? w.charAt(0).toUpperCase() + w.slice(1) : w))
    .join(' ')
    .slice(0, 40);
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
