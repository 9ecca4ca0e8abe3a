import 'server-only';

const ANTHROPIC_MAX_EDGE = 1568;
/** The most one image costs (its size unknown, or any size once scaled). */
export const ANTHROPIC_MAX_IMAGE_TOKENS = 1_600;

/**
 * Anthropic's vision docs ("Evaluate image size"): tokens = width × height / 750; an image whose
 * long edge is over 1568 px, or that would cost over ~1,600 tokens, is first scaled down keeping
 * its aspect ratio, so one image costs at most about 1,600.
 */
export function anthropicImageTokens(width: number, height: number): number {
  const scale = Math.min(1, ANTHROPIC_MAX_EDGE / Math.max(width, height));
  const tokens = Math.ceil((width * scale * (height * scale)) / 750);
  return Math.max(1, Math.min(tokens, ANTHROPIC_MAX_IMAGE_TOKENS));
}
