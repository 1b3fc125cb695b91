export * from './scoring';
export * from './canary';
export * from './savings';
