import 'server-only';
import type { AttachmentMediaType } from '../protocol/parts';

/** What the estimate reads of an AttachmentRecord (store/chat-store), without importing the store. */
export interface AttachmentShape {
  mediaType: AttachmentMediaType;
  width: number | null;
  height: number | null;
  pages: number | null;
}

/**
 * Input tokens a file will cost, estimated before the call from what the upload recorded (an
 * image's pixels, a PDF's pages), so the usage reservation holds enough. The provider's reported
 * usage is what gets billed; this only has to be close, and rather over than under.
 */
export function estimateAttachmentTokens(
  provider: 'openai' | 'anthropic',
  model: string,
  record: AttachmentShape,
): number {
  if (record.mediaType === 'application/pdf') return PDF_TOKENS_PER_PAGE * Math.max(1, record.pages ?? 1);
  const width = record.width ?? 0;
  const height = record.height ?? 0;
  // Dimensions unknown: the most a provider charges for one image.
  if (width <= 0 || height <= 0) return provider === 'anthropic' ? ANTHROPIC_MAX_IMAGE_TOKENS : openAIImageTokens(model, 2048, 2048);
  return provider === 'anthropic' ? anthropicImageTokens(width, height) : openAIImageTokens(model, width, height);
}

/**
 * A PDF page is sent as its text and as an image of the page, by both providers. Anthropic's PDF
 * support page: "each page typically uses 1,500-3,000 tokens" plus the image's tokens; OpenAI's
 * file inputs page: "both the extracted text and an image of each page" go into the context.
 * 2,000 a page is the middle of Anthropic's range and what OpenAI bills a dense page.
 */
const PDF_TOKENS_PER_PAGE = 2_000;

const ANTHROPIC_MAX_EDGE = 1568;
const ANTHROPIC_MAX_IMAGE_TOKENS = 1_600;

/**
 * Anthropic's vision docs ("Evaluate image size"): tokens = width × height / 750; an image whose
 * long edge is over 1568 px, or that would cost over ~1,600 tokens, is first scaled down keeping
 * its aspect ratio, so one image costs at most about 1,600.
 */
function anthropicImageTokens(width: number, height: number): number {
  const scale = Math.min(1, ANTHROPIC_MAX_EDGE / Math.max(width, height));
  const tokens = Math.ceil((width * scale * (height * scale)) / 750);
  return Math.max(1, Math.min(tokens, ANTHROPIC_MAX_IMAGE_TOKENS));
}

interface TileCost {
  kind: 'tiles';
  base: number;
  perTile: number;
}
interface PatchCost {
  kind: 'patches';
  multiplier: number;
}

/**
 * OpenAI's "Images and vision → Calculating costs", at detail high/auto. Most models bill 512 px
 * tiles: the image is fitted in 2048 × 2048, then scaled so its short side is at most 768 px, and
 * costs base + perTile × tiles (GPT-4o and GPT-4.1: 85 + 170; GPT-5: 70 + 140; o1/o3: 75 + 150;
 * GPT-4o mini 2,833 + 5,667). The small recent models bill 32 px patches, at most 1,536 of them,
 * times a per-model multiplier (gpt-5-mini and gpt-4.1-mini 1.62, the nanos 2.46, o4-mini 1.72).
 * An unknown model is estimated as GPT-4o.
 */
function openAICost(model: string): TileCost | PatchCost {
  const name = model.toLowerCase();
  if (/^gpt-(5|4\.1)-mini/.test(name)) return { kind: 'patches', multiplier: 1.62 };
  if (/^gpt-(5|4\.1)-nano/.test(name)) return { kind: 'patches', multiplier: 2.46 };
  if (/^o4-mini/.test(name)) return { kind: 'patches', multiplier: 1.72 };
  if (/^gpt-4o-mini/.test(name)) return { kind: 'tiles', base: 2_833, perTile: 5_667 };
  if (/^gpt-5/.test(name)) return { kind: 'tiles', base: 70, perTile: 140 };
  if (/^o(1|3)/.test(name)) return { kind: 'tiles', base: 75, perTile: 150 };
  return { kind: 'tiles', base: 85, perTile: 170 };
}

const MAX_PATCHES = 1_536;

function openAIImageTokens(model: string, width: number, height: number): number {
  const cost = openAICost(model);
  if (cost.kind === 'patches') {
    let patches = Math.ceil(width / 32) * Math.ceil(height / 32);
    if (patches > MAX_PATCHES) {
      // Scaled down until the patches fit, as the docs describe (then fitted to whole patches).
      const scale = Math.sqrt((MAX_PATCHES * 32 * 32) / (width * height));
      patches = Math.min(MAX_PATCHES, Math.floor((width * scale) / 32) * Math.floor((height * scale) / 32));
    }
    return Math.ceil(patches * cost.multiplier);
  }
  let w = width;
  let h = height;
  const fit = Math.min(1, 2048 / Math.max(w, h));
  w *= fit;
  h *= fit;
  const shortSide = Math.min(w, h);
  if (shortSide > 768) {
    w *= 768 / shortSide;
    h *= 768 / shortSide;
  }
  const tiles = Math.ceil(w / 512) * Math.ceil(h / 512);
  return cost.base + cost.perTile * tiles;
}
