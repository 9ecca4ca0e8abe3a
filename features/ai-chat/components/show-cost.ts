import { createContext } from 'react';

/**
 * Whether messages show what each reply cost: operator detail, off by default. ChatInterface's
 * `showCost` sets it for the rows it renders, however deep.
 */
export const ShowCostContext = createContext(false);
