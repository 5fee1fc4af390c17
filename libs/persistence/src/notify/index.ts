export * from './notify-rules';
export * from './notification-preference.repository';
export * from './outbox.repository';
export * from './secret-box';
export * from './webhook-signature';
export * from './webhook-subscription.repository';
export * from './webhook-key';
