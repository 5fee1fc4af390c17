export * from './complaint';
export * from './sla-clock';
export * from './compensation';
