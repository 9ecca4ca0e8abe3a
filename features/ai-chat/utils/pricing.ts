// The seed's import path (`utils/pricing`), kept for apps written against it: the price table and
// its lookup live with the providers. New code imports from `features/ai-chat/server`.
export {
  calculateCost,
  createPricing,
  describeCost,
  getDefaultPricing,
  registerModels,
  resolveModel,
  type CostBreakdown,
  type ModelInfo,
  type ModelProvider,
  type Pricing,
  type PricingOptions,
  type TokenUsage,
} from '../providers/pricing';
