/** The contract's risk matrix (probability x impact), shown before submitting; the API computes the real one. */
export type Likelihood = 'low' | 'medium' | 'high';
export type Risk = 'very_low' | 'low' | 'medium' | 'high' | 'very_high';

const MATRIX: Record<Likelihood, Record<Likelihood, Risk>> = {
  high: { low: 'medium', medium: 'high', high: 'very_high' },
  medium: { low: 'low', medium: 'medium', high: 'high' },
  low: { low: 'very_low', medium: 'low', high: 'medium' },
};

export function riskOf(probability: string, impact: string): Risk | null {
  const row = MATRIX[probability as Likelihood];
  return row?.[impact as Likelihood] ?? null;
}
