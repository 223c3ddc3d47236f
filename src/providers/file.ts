// Placeholder replaced in this commit series.
import type { ProviderFactory } from '../core/provider';
export const createProvider: ProviderFactory = () => { throw new Error('todo'); };
