export * from './types';
export * from './runner';
export * from './target';
