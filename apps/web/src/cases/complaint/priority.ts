/** The contract's priority table (severity x customer tier), shown before submitting; the API computes the real one. */
const TABLE: Record<string, Record<string, string>> = {
  critical: { A: 'P1', B: 'P1', C: 'P2' },
  high: { A: 'P1', B: 'P2', C: 'P3' },
  medium: { A: 'P2', B: 'P3', C: 'P3' },
  low: { A: 'P3', B: 'P4', C: 'P4' },
};

export function priorityOf(severity: string, tier: string): string | null {
  return TABLE[severity]?.[tier] ?? null;
}
