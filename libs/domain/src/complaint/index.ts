export * from './complaint';
export * from './sla-clock';
