/** Risk matrix of the seed plan: probability x impact. */
export const LIKELIHOODS = ['low', 'medium', 'high'] as const;
export type Likelihood = (typeof LIKELIHOODS)[number];

export const RISK_LEVELS = ['very_low', 'low', 'medium', 'high', 'very_high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

const MATRIX: Record<Likelihood, Record<Likelihood, RiskLevel>> = {
  high: { low: 'medium', medium: 'high', high: 'very_high' },
  medium: { low: 'low', medium: 'medium', high: 'high' },
  low: { low: 'very_low', medium: 'low', high: 'medium' },
};

export function riskLevel(probability: Likelihood, impact: Likelihood): RiskLevel {
  return MATRIX[probability][impact];
}

export function riskAtLeast(level: RiskLevel, floor: RiskLevel): boolean {
  return RISK_LEVELS.indexOf(level) >= RISK_LEVELS.indexOf(floor);
}
