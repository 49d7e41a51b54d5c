import type { Need } from './texts';

/**
 * The assistance intake, as data: what it needs, in which order it is asked, and the
 * rules the engine applies (src/conversation/step.ts interprets this).
 * Every message is fully understood and fills every slot it can; then the bot asks, in ONE
 * question, for everything still missing — unless a single thing is missing and it has
 * natural options (the invoice's items, the three reason categories), then it offers them.
 */
export const intakeFlow = {
  id: 'assistencia',
  /** Slots in asking order. `needsIdentification` slots are skipped until the customer is known. */
  slots: [
    { slot: 'customer', need: 'cnpj' },
    { slot: 'invoice', need: 'invoice' },
    { slot: 'items', need: 'items' },
    { slot: 'reason', need: 'reason' },
    { slot: 'photos', need: 'photos' },
  ] as const satisfies readonly { slot: string; need: Need }[],
  /** After this many invoice numbers not found, accept the last one flagged "NF não localizada". */
  maxInvoiceMisses: 2,
  /** Quantity assumed when the customer names a part without one (shown in the summary to confirm). */
  defaultQuantity: 1,
  /** Photos kept per message. */
  maxPhotosPerMessage: 10,
  /** Warn early and ask to confirm "mesmo assim" when these hold. */
  chargedWhen: { outOfWarranty: true, reasonCategories: ['cliente'] as const },
} as const;

export type IntakeSlot = (typeof intakeFlow.slots)[number]['slot'];
