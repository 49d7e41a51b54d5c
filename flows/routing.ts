/**
 * Where each non-assistance intent goes (seed 6.3: Promob questions to Projects and Training,
 * assembly doubts and "I want a person" to the assistance team, charged-assistance release to finance).
 */
export const routing = {
  promob: { team: 'projects', needsIdentification: false },
  montagem: { team: 'assistance', needsIdentification: false },
  humano: { team: 'assistance', needsIdentification: false },
  financeiro: { team: 'finance', needsIdentification: false, needsOrderNumber: true },
} as const;

export type Team = 'projects' | 'training' | 'assistance' | 'finance';
export const TEAMS: readonly Team[] = ['projects', 'training', 'assistance', 'finance'];
